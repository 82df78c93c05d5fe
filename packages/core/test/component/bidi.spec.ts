import * as wire from '@kubemq/emulator/wire';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { KubemqClient } from '../../src/index.js';
import { bidiStreamMethod, clientInternals, Event, Result } from '../../src/internal/index.js';
import { PING_INFO, startTestServer, type TestServer } from './support/test-server.js';
import { rejection, until } from './support/wait.js';

const SEND_EVENTS_STREAM = bidiStreamMethod('SendEventsStream', Event, Result);

describe('bidirectional streams and call options', () => {
  let server: TestServer;
  const tokens: unknown[] = [];

  beforeAll(async () => {
    // Answers each event with a Result; an event on channel "fail" ends the call with an error.
    server = await startTestServer({
      SendEventsStream: (call: ServerDuplexStream<Event, Result>) => {
        tokens.push(call.metadata.get('authorization')[0]);
        call.on('data', (e: Event) => {
          if (e.Channel === 'fail') return call.emit('error', { code: status.INTERNAL, details: 'Error 102: invalid channel value, cannot be empty' });
          call.write(wire.Result.create({ EventID: e.EventID, Sent: true }));
        });
        call.on('end', () => call.end());
      },
    });
  });
  afterAll(() => server.stop());

  it('writes, receives replies in order, half-closes and completes', async () => {
    await using client = await KubemqClient.connect({ address: server.address, authToken: 'bidi-token' });
    const results: string[] = [];
    let completed = false;
    const call = clientInternals(client).bidiStream(SEND_EVENTS_STREAM, {
      next: (r) => results.push(r.EventID),
      error: (e) => results.push(`error ${e.code}`),
      complete: () => (completed = true),
    }, { operation: 'events.stream' });
    expect(call.writable).toBe(true);
    for (const id of ['a', 'b', 'c']) expect(call.write(wire.Event.create({ EventID: id, Channel: 'ok', Store: true }))).toBe(true);
    await call.drained();
    await until(() => results.length === 3);
    call.end();
    expect(call.writable).toBe(false);
    expect(call.write(wire.Event.create({ EventID: 'late' }))).toBe(false);
    await until(() => completed);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(tokens.at(-1)).toBe('bidi-token');
  });

  it('reports the call ending with an error once, mapped, and stops taking writes', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    const errors: Array<Record<string, unknown>> = [];
    const call = clientInternals(client).bidiStream(SEND_EVENTS_STREAM, {
      next: () => undefined,
      error: (e) => errors.push({ code: e.code, brokerCode: e.brokerCode, operation: e.operation }),
      complete: () => errors.push({ completed: true }),
    }, { operation: 'events.stream' });
    call.write(wire.Event.create({ EventID: 'x', Channel: 'fail' }));
    await until(() => errors.length === 1);
    expect(errors).toEqual([{ code: 'VALIDATION', brokerCode: 102, operation: 'events.stream' }]);
    expect(call.writable).toBe(false);
  });

  it('cancel() ends the call without an error; an aborted signal ends it with CANCELLED', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    const seen: string[] = [];
    const observer = { next: () => undefined, error: (e: { code: string }) => seen.push(e.code), complete: () => seen.push('complete') };
    const cancelled = clientInternals(client).bidiStream(SEND_EVENTS_STREAM, observer, { operation: 'events.stream' });
    cancelled.cancel();
    const controller = new AbortController();
    clientInternals(client).bidiStream(SEND_EVENTS_STREAM, observer, { operation: 'events.stream', signal: controller.signal });
    controller.abort();
    await until(() => seen.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['CANCELLED']);
    expect(cancelled.writable).toBe(false);
  });

  describe('a call the broker keeps open after the half-close (as its queue upstream does)', () => {
    let keeper: TestServer;
    let seen: string[] = [];

    beforeAll(async () => {
      keeper = await startTestServer({
        Ping: (_call: unknown, callback: (err: null, res: unknown) => void) => {
          seen.push('ping');
          callback(null, PING_INFO);
        },
        SendEventsStream: (call: ServerDuplexStream<Event, Result>) => {
          call.on('data', (e: Event) => seen.push(`data ${e.EventID}`));
          call.on('end', () => seen.push('end')); // ignored: the call stays open
          call.on('cancelled', () => seen.push('cancelled'));
        },
      });
    });
    afterAll(() => keeper.stop());

    it('cancel() half-closes first and cancels only after a second Ping, sent once the first was answered, so it travels behind the half-close', async () => {
      await using client = await KubemqClient.connect({ address: keeper.address });
      seen = [];
      const call = clientInternals(client).bidiStream(SEND_EVENTS_STREAM, { next: () => undefined, error: () => undefined, complete: () => undefined }, { operation: 'queues.upstream' });
      call.write(wire.Event.create({ EventID: 'a', Channel: 'ok' }));
      await until(() => seen.includes('data a'));
      call.cancel();
      expect(call.writable).toBe(false);
      await until(() => seen.includes('cancelled'));
      expect(seen).toEqual(['data a', 'end', 'ping', 'ping', 'cancelled']);
    });

    it("close() ends a stream nobody closed the same way, and its observer hears CLOSED", async () => {
      const client = await KubemqClient.connect({ address: keeper.address });
      seen = [];
      const errors: string[] = [];
      clientInternals(client).bidiStream(SEND_EVENTS_STREAM, { next: () => undefined, error: (e) => errors.push(e.code), complete: () => errors.push('complete') }, { operation: 'queues.upstream' });
      await client.close({ timeoutMs: 0 });
      expect(errors).toEqual(['CLOSED']);
      await until(() => seen.includes('cancelled'));
      expect(seen).toEqual(['end', 'ping', 'ping', 'cancelled']);
    });
  });

  it('a closed client refuses new streams with CLOSED; a bad timeoutMs is a ValidationError', async () => {
    const client = await KubemqClient.connect({ address: server.address });
    expect(await rejection(client.ping({ timeoutMs: -5 }))).toMatchObject({ code: 'VALIDATION', field: 'timeoutMs' });
    await client.close();
    const seen: string[] = [];
    const call = clientInternals(client).bidiStream(SEND_EVENTS_STREAM, { next: () => undefined, error: (e) => seen.push(e.code), complete: () => undefined }, { operation: 'events.stream' });
    expect(call.writable).toBe(false);
    await until(() => seen.length === 1);
    expect(seen).toEqual(['CLOSED']);
  });

  it('connect() honours its AbortSignal', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(KubemqClient.connect({ address: server.address, signal: controller.signal }))).toMatchObject({ code: 'CANCELLED', operation: 'client.connect' });
  });
});
