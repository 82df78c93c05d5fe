// The transport's unary call runs straight on the grpc-js channel (not makeUnaryRequest): every
// outcome a caller relies on, against an in-process grpc-js server on loopback.
import * as wire from '@kubemq/emulator/wire';
import { getEventListeners } from 'node:events';
import { Metadata, status, type ServiceError, type UntypedHandleCall } from '@grpc/grpc-js';
import { Event, Result, type Decoder, type Encoder } from '../../src/internal/generated/kubemq.js';
import { GrpcTransport } from '../../src/internal/transport/grpc-transport.js';
import { unaryMethod } from '../../src/internal/transport/method-descriptor.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
const event = (id: string, body = Buffer.from('x')) => wire.Event.create({ EventID: id, ClientID: 'c', Channel: 'ch', Body: body });
type Callback = (err: Partial<ServiceError> | null, res?: Result, trailer?: Metadata) => void;

describe('GrpcTransport.unary', () => {
  let server: TestServer;
  let transport: GrpcTransport;
  const answers = new Map<string, (call: { request: Event; metadata: Metadata; cancelled: boolean }, cb: Callback) => void>();

  beforeAll(async () => {
    const handler: UntypedHandleCall = ((call: { request: Event; metadata: Metadata; cancelled: boolean }, cb: Callback) => {
      const answer = answers.get(call.request.EventID);
      if (answer) answer(call, cb);
      else cb(null, wire.Result.create({ EventID: call.request.EventID, Sent: true }));
    }) as UntypedHandleCall;
    server = await startTestServer({ SendEvent: handler });
    transport = new GrpcTransport({ address: server.address, keepaliveTimeoutMs: 5000, maxMessageBytes: 64 * 1024 });
  });

  afterAll(async () => {
    transport.close();
    await server.stop();
  });

  const failure = async (p: Promise<unknown>): Promise<ServiceError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e as ServiceError,
    );
    if (!err) throw new Error('the call succeeded');
    expect(err).toBeInstanceOf(Error);
    expect(err.metadata).toBeInstanceOf(Metadata);
    return err;
  };

  it('resolves with the decoded response and sends the metadata', async () => {
    let seen: string | undefined;
    answers.set('meta', (call, cb) => {
      seen = call.metadata.get('authorization')[0] as string;
      cb(null, wire.Result.create({ EventID: 'meta', Sent: true }));
    });
    const res = await transport.unary(SEND_EVENT, event('meta'), { metadata: { authorization: 'tok' } });
    expect(res).toEqual(wire.Result.create({ EventID: 'meta', Sent: true }));
    expect(seen).toBe('tok');
  });

  it('rejects a non-OK status as a ServiceError with its code, details and trailers', async () => {
    const trailers = new Metadata();
    trailers.set('why', 'because');
    answers.set('denied', (_call, cb) => cb({ code: status.PERMISSION_DENIED, details: 'no access', metadata: trailers }));
    const err = await failure(transport.unary(SEND_EVENT, event('denied'), { metadata: {} }));
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toBe('no access');
    expect(err.message).toBe('7 PERMISSION_DENIED: no access');
    expect(err.metadata.get('why')).toEqual(['because']);
  });

  it('ends at the deadline with DEADLINE_EXCEEDED', async () => {
    answers.set('slow', (_call, cb) => setTimeout(() => cb(null, wire.Result.create({ EventID: 'slow' })), 2000).unref());
    const err = await failure(transport.unary(SEND_EVENT, event('slow'), { metadata: {}, deadline: new Date(Date.now() + 100) }));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
  });

  it('cancels on abort (before and during the call) with CANCELLED, and the server sees the cancel', async () => {
    let serverCall: { cancelled: boolean } | undefined;
    answers.set('abort', (call, cb) => {
      serverCall = call;
      setTimeout(() => cb(null, wire.Result.create({ EventID: 'abort' })), 1000).unref();
    });
    const ac = new AbortController();
    const pending = transport.unary(SEND_EVENT, event('abort'), { metadata: {} }, ac.signal);
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    const err = await failure(pending);
    expect(err.code).toBe(status.CANCELLED);
    expect(err.details).toBe('Cancelled on client');
    await new Promise((r) => setTimeout(r, 100));
    expect(serverCall?.cancelled).toBe(true);
    const before = await failure(transport.unary(SEND_EVENT, event('x'), { metadata: {} }, AbortSignal.abort()));
    expect(before.code).toBe(status.CANCELLED);
  });

  it('rejects a response that does not decode with INTERNAL', async () => {
    const failingDecode: Decoder<Result> = {
      decode: () => {
        throw new Error('bad bytes');
      },
    };
    const err = await failure(transport.unary(unaryMethod('SendEvent', Event, failingDecode), event('ok'), { metadata: {} }));
    expect(err.code).toBe(status.INTERNAL);
    expect(err.details).toMatch(/Response message parsing error: bad bytes/);
  });

  it('rejects a request that does not encode with INTERNAL, before anything is sent', async () => {
    const failingEncode: Encoder<Event> = {
      encode: () => {
        throw new Error('cannot encode');
      },
    };
    const err = await failure(transport.unary(unaryMethod('SendEvent', failingEncode, Result), event('ok'), { metadata: {} }));
    expect(err.code).toBe(status.INTERNAL);
    expect(err.details).toMatch(/Request message serialization failure: cannot encode/);
  });

  it('applies the message size limit both ways (RESOURCE_EXHAUSTED)', async () => {
    const tooBig = await failure(transport.unary(SEND_EVENT, event('big', Buffer.alloc(70 * 1024)), { metadata: {} }));
    expect(tooBig.code).toBe(status.RESOURCE_EXHAUSTED);
    answers.set('big-answer', (_call, cb) => cb(null, wire.Result.create({ EventID: 'big-answer', Error: 'e'.repeat(70 * 1024) })));
    const bigAnswer = await failure(transport.unary(SEND_EVENT, event('big-answer'), { metadata: {} }));
    expect(bigAnswer.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('leaves no abort listener on a long-lived signal once calls end, whatever their outcome', async () => {
    const ac = new AbortController();
    answers.set('denied-again', (_call, cb) => cb({ code: status.NOT_FOUND, details: 'gone', metadata: new Metadata() }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => transport.unary(SEND_EVENT, event(`kept-${i}`), { metadata: {} }, ac.signal)));
    await failure(transport.unary(SEND_EVENT, event('denied-again'), { metadata: {} }, ac.signal));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('keeps many concurrent calls apart', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `many-${i}`);
    const results = await Promise.all(ids.map((id) => transport.unary(SEND_EVENT, event(id), { metadata: {} })));
    expect(results.map((r) => r.EventID)).toEqual(ids);
  });
});
