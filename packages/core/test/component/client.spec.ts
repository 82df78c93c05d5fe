import { firstValueFrom } from 'rxjs';
import * as wire from '@kubemq/emulator/wire';
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { KubemqClient, KubemqError, type ConnectionState } from '../../src/index.js';
import { clientInternals, EventReceive, Event, Result, Subscribe, serverStreamMethod, unaryMethod } from '../../src/internal/index.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);

describe('KubemqClient against an in-process server', () => {
  let server: TestServer;
  const seenMetadata: Array<Record<string, unknown>> = [];
  const peers: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      SendEvent: (call: ServerUnaryCall<Event, Result>, callback: sendUnaryData<Result>) => {
        seenMetadata.push(call.metadata.getMap());
        peers.push(call.getPeer());
        if (call.request.Channel === 'broken') return callback({ code: status.INTERNAL, details: 'Error 108: invalid channel value, no white spaces are allowed' });
        callback(null, wire.Result.create({ EventID: call.request.EventID, Sent: true }));
      },
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        for (let i = 1; i <= 3; i++) call.write(wire.EventReceive.create({ Channel: call.request.Channel, Sequence: BigInt(i), Body: Buffer.from(`m${i}`) }));
        call.end();
      },
    });
  });
  afterAll(() => server.stop());

  it('connects, pings, and reports ready', async () => {
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'c1' });
    expect(client.state).toBe('ready');
    expect(client.clientId).toBe('c1');
    expect(await client.ping()).toEqual({ host: 'test-host', version: 'v9.9.9', startedAt: new Date(1_700_000_000_000), uptimeSeconds: 42 });
  });

  it("ping() and close() refuse an option they do not take, naming the one to use (kubemq-js's timeout)", async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    await expect(client.ping({ timeout: 2000 } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      operation: 'client.ping',
      field: 'timeout',
      message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)',
    });
    await expect(client.ping({ abortSignal: AbortSignal.timeout(1000) } as never)).rejects.toMatchObject({ field: 'abortSignal', message: 'invalid abortSignal: is not an option here: use signal' });
    await expect(client.close({ timeOutMs: 0 } as never)).rejects.toMatchObject({ operation: 'client.close', field: 'timeOutMs' });
    // Refused, nothing was closed.
    expect(client.state).toBe('ready');
    expect(await client.ping({ signal: undefined, timeoutMs: undefined })).toMatchObject({ host: 'test-host' });
  });

  it('each client has a connection of its own, even with the same settings', async () => {
    await using a = await KubemqClient.connect({ address: server.address, clientId: 'same' });
    await using b = await KubemqClient.connect({ address: server.address, clientId: 'same' });
    peers.length = 0;
    for (const client of [a, b]) await clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: 'e', Channel: 'c', Body: Buffer.from('x') }), { operation: 'events.send' });
    expect(new Set(peers).size).toBe(2);
  });

  it('recognises its clients (also across package copies, by a global symbol) and refuses anything else', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    expect(KubemqClient.isKubemqClient(client)).toBe(true);
    expect(KubemqClient.isKubemqClient({})).toBe(false);
    expect(() => clientInternals({} as KubemqClient)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'client' }));
    expect(clientInternals(client).clientId).toBe(client.clientId);
    expect(JSON.stringify(client)).toBe('{}'); // internals stay out of logs and JSON
  });

  it('makes unary calls with the raw token as authorization metadata, and maps broker errors', async () => {
    await using client = await KubemqClient.connect({ address: server.address, authToken: 'tok-123' });
    const internals = clientInternals(client);
    const result = await internals.unary(SEND_EVENT, wire.Event.create({ EventID: 'e1', Channel: 'a', Body: Buffer.from('x') }), { operation: 'events.send', channel: 'a' });
    expect(result).toMatchObject({ EventID: 'e1', Sent: true });
    expect(seenMetadata.at(-1)?.['authorization']).toBe('tok-123');

    const err = await internals.unary(SEND_EVENT, wire.Event.create({ Channel: 'broken' }), { operation: 'events.send', channel: 'broken' }).catch((e: unknown) => e);
    expect(KubemqError.isKubemqError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'VALIDATION', brokerCode: 108, grpcStatus: 13, operation: 'events.send', channel: 'broken', retryable: false });
  });

  it('streams from the server in order and completes', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      clientInternals(client).serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch' }), {
        next: (m) => received.push(`${m.Channel}:${m.Sequence}:${Buffer.from(m.Body).toString()}`),
        error: reject,
        complete: resolve,
      }, { operation: 'events.subscribe', channel: 'ch' });
    });
    expect(received).toEqual(['ch:1:m1', 'ch:2:m2', 'ch:3:m3']);
  });

  it('state$ replays ready and ends with closed; close() is idempotent and later calls fail CLOSED', async () => {
    const client = await KubemqClient.connect({ address: server.address });
    const states: ConnectionState[] = [];
    const completed = new Promise<void>((resolve) => client.state$.subscribe({ next: (s) => states.push(s), complete: resolve }));
    await Promise.all([client.close(), client.close()]);
    await client.close();
    await completed;
    expect(states).toEqual(['ready', 'closed']);
    await expect(client.ping()).rejects.toMatchObject({ code: 'CLOSED', operation: 'client.ping' });
  });

  it('state$ is readable with for await: the current state, every change, and the loop ends at close', async () => {
    const client = await KubemqClient.connect({ address: server.address });
    const states: ConnectionState[] = [];
    const loop = (async () => {
      for await (const state of client.state$) states.push(state);
    })();
    await client.close();
    await loop;
    expect(states).toEqual(['ready', 'closed']);
    // A loop that starts after the close gets the current state, closed, and ends.
    for await (const state of client.state$) states.push(state);
    expect(states).toEqual(['ready', 'closed', 'closed']);
    await expect(firstValueFrom(client.state$)).resolves.toBe('closed');
  });

  it('warns when keepalive pings more often than the open-source broker allows', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
    await (await KubemqClient.connect({ address: server.address, logger })).close();
    expect(warnings).toEqual([]);
    await (await KubemqClient.connect({ address: server.address, logger, keepalive: { intervalMs: 10_000 } })).close();
    expect(warnings).toEqual([expect.stringContaining('too_many_pings')]);
  });

  it('a backoff longer than the connect window left is cut short: one more attempt still reaches a broker that came up late', async () => {
    const late = await startTestServer({});
    const port = late.port;
    await late.stop();
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.99); // every backoff near its cap: 4.95 s
    let back: TestServer | undefined;
    const starting = new Promise<void>((resolve) => setTimeout(() => void startTestServer({}, { port }).then((s) => ((back = s), resolve())), 800));
    try {
      const started = performance.now();
      await using client = await KubemqClient.connect({ address: `127.0.0.1:${port}`, connectTimeoutMs: 3000, reconnect: { initialDelayMs: 5000, maxDelayMs: 5000 } });
      expect(client.state).toBe('ready');
      expect(performance.now() - started).toBeGreaterThan(1000);
    } finally {
      random.mockRestore();
      await starting;
      await back?.stop();
    }
  });

  it('fails to connect with a typed error when nothing listens', async () => {
    const down = await startTestServer({});
    const address = down.address;
    await down.stop();
    const err = await KubemqClient.connect({ address, connectTimeoutMs: 600, reconnect: { initialDelayMs: 50 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'CONNECTION_FAILED', operation: 'client.connect' });
    expect((err as Error).message).toContain(address);
  });
});
