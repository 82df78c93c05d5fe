import * as wire from '@kubemq/emulator/wire';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { channels, ConnectionError, KubemqClient, TimeoutError } from '../../src/index.js';
import type { Response, Request } from '../../src/internal/index.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { reachState, rejection } from './support/wait.js';

const LIST = [
  {
    name: 'orders',
    type: 'queues',
    lastActivity: 1_764_300_000_123,
    isActive: true,
    incoming: { messages: 5, volume: 120, responses: 0, waiting: 2, expired: 1, delayed: 0 },
    outgoing: { messages: 3, volume: 80, responses: 0, waiting: 0, expired: 0, delayed: 0 },
  },
  { name: 'orders.eu', type: 'queues', lastActivity: 1_764_300_000, isActive: false, incoming: {}, outgoing: {} },
];

describe('channel management', () => {
  let server: TestServer;
  const requests: Request[] = [];
  /** How long each request's gRPC deadline left it when it arrived (ms). */
  const deadlinesLeft: number[] = [];
  let reply: (req: Request, cb: sendUnaryData<Response>) => [Error | null, Response?] = () => [null, wire.Response.create()];
  let snapshotNotReady = 0;
  /** How long the server takes to refuse with `cluster snapshot not ready`. */
  let snapshotNotReadyAfterMs = 0;

  beforeAll(async () => {
    server = await startTestServer({
      SendRequest: (call: ServerUnaryCall<Request, Response>, cb: sendUnaryData<Response>) => {
        requests.push(call.request);
        deadlinesLeft.push(Number(call.getDeadline()) - Date.now());
        if (snapshotNotReady > 0) {
          snapshotNotReady--;
          const refuse = () => cb(null, wire.Response.create({ RequestID: call.request.RequestID, Error: 'cluster snapshot not ready' }));
          return void (snapshotNotReadyAfterMs > 0 ? setTimeout(refuse, snapshotNotReadyAfterMs) : refuse());
        }
        const [err, res] = reply(call.request, cb);
        if (err || res) cb(err as never, res); // neither: answered later, or never
      },
    });
  });
  beforeEach(() => {
    requests.length = 0;
    deadlinesLeft.length = 0;
    snapshotNotReadyAfterMs = 0;
  });
  afterAll(() => server.stop());

  it("create and delete send the query the commercial broker answers; the broker waits the call's timeoutMs", async () => {
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'admin' });
    reply = (req) => [null, wire.Response.create({ RequestID: req.RequestID, Executed: true })];
    await channels(client).create({ type: 'events_store', channel: 'audit.log' });
    await channels(client).delete({ type: 'commands', channel: 'ops' }, { timeoutMs: 4000 });
    expect(requests.map((r) => ({ ch: r.Channel, type: r.RequestTypeData, md: r.Metadata, timeout: r.Timeout, tags: r.Tags, body: r.Body.length, client: r.ClientID }))).toEqual([
      { ch: 'kubemq.cluster.internal.requests', type: 2, md: 'create-channel', timeout: 30000, tags: { channel_type: 'events_store', channel: 'audit.log', client_id: 'admin' }, body: 0, client: 'admin' },
      { ch: 'kubemq.cluster.internal.requests', type: 2, md: 'delete-channel', timeout: 4000, tags: { channel_type: 'commands', channel: 'ops', client_id: 'admin' }, body: 0, client: 'admin' },
    ]);
  });

  it("delete takes a queue named with ':', which the broker stores but cannot deliver from (another client may have sent to it)", async () => {
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'admin' });
    reply = (req) => [null, wire.Response.create({ RequestID: req.RequestID, Executed: true })];
    await channels(client).delete({ type: 'queues', channel: 'tenant:orders' });
    expect(requests.map((r) => r.Tags)).toEqual([{ channel_type: 'queues', channel: 'tenant:orders', client_id: 'admin' }]);
  });

  it('list parses the JSON reply into typed objects with Dates; an empty body is no channels', async () => {
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'admin' });
    reply = (req) => [null, wire.Response.create({ RequestID: req.RequestID, Body: Buffer.from(JSON.stringify(LIST)) })];
    const listed = await channels(client).list({ type: 'queues', search: 'orders' });
    expect(requests[0]?.Tags).toEqual({ channel_type: 'queues', channel_search: 'orders', client_id: 'admin' });
    expect(listed).toEqual([
      {
        name: 'orders', type: 'queues', lastActivityAt: new Date(1_764_300_000_123), isActive: true,
        incoming: { messages: 5, volumeBytes: 120, responses: 0, waiting: 2, expired: 1, delayed: 0 },
        outgoing: { messages: 3, volumeBytes: 80, responses: 0, waiting: 0, expired: 0, delayed: 0 },
      },
      {
        name: 'orders.eu', type: 'queues', lastActivityAt: new Date(1_764_300_000_000), isActive: false,
        incoming: { messages: 0, volumeBytes: 0, responses: 0, waiting: 0, expired: 0, delayed: 0 },
        outgoing: { messages: 0, volumeBytes: 0, responses: 0, waiting: 0, expired: 0, delayed: 0 },
      },
    ]);
    reply = () => [null, wire.Response.create()];
    await expect(channels(client).list({ type: 'events' })).resolves.toEqual([]);
    expect(requests[1]?.Tags).toEqual({ channel_type: 'events', client_id: 'admin' });
  });

  it('a non-empty Response.Error is a typed error; a malformed list is one too', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [null, wire.Response.create({ Error: 'channel already exists' })];
    expect(await rejection(channels(client).create({ type: 'queues', channel: 'q1' }))).toMatchObject({ name: 'KubemqError', code: 'BROKER', operation: 'channels.create', channel: 'q1' });
    reply = () => [null, wire.Response.create({ Body: Buffer.from('{"not":"an array"}') })];
    expect(await rejection(channels(client).list({ type: 'queues' }))).toMatchObject({ code: 'BROKER', operation: 'channels.list' });
  });

  it('retries "cluster snapshot not ready" a few times', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [null, wire.Response.create({ Body: Buffer.from('[]') })];
    snapshotNotReady = 2;
    await expect(channels(client).list({ type: 'queues' })).resolves.toEqual([]);
    expect(requests).toHaveLength(3);
    snapshotNotReady = 10;
    expect(await rejection(channels(client).list({ type: 'queues' }))).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(requests).toHaveLength(7);
    // The retries stay within the call's timeout: no backoff sleeps past it. The backoff is jittered,
    // so the call ends either on the broker's refusal or on a last retry that ran out of time.
    const started = performance.now();
    const late = await rejection(channels(client).list({ type: 'queues' }, { timeoutMs: 150 }));
    expect(['UNAVAILABLE', 'TIMEOUT']).toContain(late.code);
    expect(performance.now() - started).toBeLessThan(250);
    // A retry written just before that deadline may still reach the server: let it land here,
    // not in the next test's count.
    await new Promise((r) => setTimeout(r, 300));
    snapshotNotReady = 0;
  });

  it('a wall clock stepped forward mid-call (NTP, a resumed VM) neither ends the retries early nor moves the timeout', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [null, wire.Response.create({ Body: Buffer.from('[]') })];
    snapshotNotReady = 2;
    const realNow = Date.now.bind(Date);
    const wall = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (requests.length > 0 ? 3_600_000 : 0));
    try {
      await expect(channels(client).list({ type: 'queues' }, { timeoutMs: 5000 })).resolves.toEqual([]);
    } finally {
      wall.mockRestore();
    }
    expect(requests).toHaveLength(3);
  });

  it('a timeout (Error 301: no responder, as on the open-source server) explains itself', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [Object.assign(new Error(), { code: status.INTERNAL, details: 'Error 301: timeout for request message' })];
    const err = await rejection(channels(client).list({ type: 'events_store' }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', operation: 'channels.list', retryable: false, sent: true });
    expect(err.message).toMatch(/open-source KubeMQ server .* has no channel-management responder/);

    // Our own deadline passing first says the same.
    reply = () => [null, undefined];
    const late = await rejection(channels(client).create({ type: 'queues', channel: 'q' }, { timeoutMs: 100 }));
    expect(late).toMatchObject({ code: 'TIMEOUT', timeoutMs: 100, sent: true });
    expect(late.message).toMatch(/no channel-management responder/);
  });

  it('a retry asks the broker to wait only for the time left, and each attempt gives the broker\'s answer a margin (10 %, at least 1 s) before the client\'s deadline', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [null, wire.Response.create({ Body: Buffer.from('[]') })];
    snapshotNotReady = 1;
    snapshotNotReadyAfterMs = 300;
    await expect(channels(client).list({ type: 'queues' }, { timeoutMs: 3000 })).resolves.toEqual([]);
    const [first, retry] = requests.map((r) => r.Timeout);
    expect(first).toBe(3000);
    expect(retry).toBeLessThanOrEqual(2700);
    expect(retry).toBeGreaterThan(2000);
    // Wall-clock Dates rounded by gRPC: a few ms either way.
    expect(deadlinesLeft[0]).toBeGreaterThan(3000 + 900);
    expect(deadlinesLeft[1]).toBeGreaterThan((retry ?? 0) + 900);
    expect(deadlinesLeft[1]).toBeLessThan((retry ?? 0) + 1100);
  });

  it("the broker's Error 301, not the client's deadline, ends a query nobody answers, even a little late: the TimeoutError explains the open-source server", async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    // As the broker does: Error 301 once the request's Timeout has passed (here 50 ms after it).
    reply = (req, cb) => {
      setTimeout(() => cb(Object.assign(new Error(), { code: status.INTERNAL, details: 'Error 301: timeout for request message' }) as never), req.Timeout + 50);
      return [null];
    };
    const err = await rejection(channels(client).delete({ type: 'queues', channel: 'q' }, { timeoutMs: 200 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutMs: 200, retryable: false, sent: true });
    expect(err.message).toMatch(/no channel-management responder/);
    expect(err.cause).toMatchObject({ brokerCode: 301 });
  });

  it("a call that sets no timeoutMs may take the client's defaultTimeoutMs", async () => {
    await using client = await KubemqClient.connect({ address: server.address, defaultTimeoutMs: 300 });
    reply = () => [null, undefined];
    const started = performance.now();
    expect(await rejection(channels(client).list({ type: 'queues' }))).toMatchObject({ code: 'TIMEOUT', timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(requests[0]?.Timeout).toBe(300);
  });

  it('validates the client, type, channel, search and call options before sending anything', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    expect(() => channels({} as KubemqClient)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'client' }));
    const admin = channels(client);
    await expect(admin.create({ type: 'topics' as never, channel: 'x' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'type' });
    await expect(admin.create({ type: 'events_store', channel: 'a\tb' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'channel' });
    await expect(admin.delete({ type: 'queues', channel: 'a.*' })).rejects.toMatchObject({ field: 'channel' });
    // A queue named with ':' cannot be consumed: creating one is refused (deleting one is not, below).
    await expect(admin.create({ type: 'queues', channel: 'tenant:orders' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'channel' });
    await expect(admin.delete(undefined as never)).rejects.toMatchObject({ field: 'channel' });
    await expect(admin.list(null as never)).rejects.toMatchObject({ field: 'filter' });
    await expect(admin.list({ type: 'queues', search: 7 as never })).rejects.toMatchObject({ field: 'search' });
    await expect(admin.list({ type: 'queues' }, { timeoutMs: 0 })).rejects.toMatchObject({ field: 'timeoutMs' });
    await expect(admin.list({ type: 'queues' }, { signal: {} as never })).rejects.toMatchObject({ field: 'signal' });
    // A foreign deadline is refused, not ignored with the client's default in its place.
    await expect(admin.create({ type: 'queues', channel: 'orders' }, { timeout: 1000 } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      operation: 'channels.create',
      field: 'timeout',
      message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)',
    });
    await expect(admin.list({ type: 'queues' }, 5 as never)).rejects.toMatchObject({ field: 'options', operation: 'channels.list' });
    expect(requests).toHaveLength(0);
  });
});

describe('channel management while the broker is down', () => {
  it('a query that timed out waiting for the connection says it was not sent, and why, not that no responder answered', async () => {
    const server = await startTestServer({});
    await using client = await KubemqClient.connect({ address: server.address, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    await server.stop();
    await reachState(client, 'reconnecting');
    const err = await rejection(channels(client).list({ type: 'queues' }, { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', operation: 'channels.list', timeoutMs: 300, retryable: true, sent: false });
    expect(err.cause).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/waiting for the connection/);
    expect(err.message).not.toMatch(/no channel-management responder/);
  });

  it('a query sent once the connection is back asks the broker to wait only for what is left of its timeout', async () => {
    let server = await startTestServer({});
    await using client = await KubemqClient.connect({ address: server.address, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    await server.stop();
    await reachState(client, 'reconnecting');
    const listing = channels(client).list({ type: 'queues' }, { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 400));
    const timeouts: number[] = [];
    server = await startTestServer(
      {
        SendRequest: (call: ServerUnaryCall<Request, Response>, cb: sendUnaryData<Response>) => {
          timeouts.push(call.request.Timeout);
          cb(null, wire.Response.create({ RequestID: call.request.RequestID, Body: Buffer.from('[]') }));
        },
      },
      { port: server.port },
    );
    try {
      await expect(listing).resolves.toEqual([]);
      expect(timeouts).toHaveLength(1);
      expect(timeouts[0]).toBeLessThanOrEqual(2600);
      expect(timeouts[0]).toBeGreaterThan(1000);
    } finally {
      await server.stop();
    }
  });
});
