import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { KubemqClient, TimeoutError } from '../../src/index.js';
import { AckAllQueueMessagesResponse, Response, type AckAllQueueMessagesRequest, type Request } from '../../src/internal/index.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { rejection } from './support/wait.js';

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
  let reply: (req: Request) => [Error | null, Response?] = () => [null, Response.create()];
  let snapshotNotReady = 0;

  beforeAll(async () => {
    server = await startTestServer({
      SendRequest: (call: ServerUnaryCall<Request, Response>, cb: sendUnaryData<Response>) => {
        requests.push(call.request);
        if (snapshotNotReady > 0) {
          snapshotNotReady--;
          return cb(null, Response.create({ RequestID: call.request.RequestID, Error: 'cluster snapshot not ready' }));
        }
        const [err, res] = reply(call.request);
        if (err || res) cb(err as never, res); // neither: never answer

      },
      AckAllQueueMessages: (call: ServerUnaryCall<AckAllQueueMessagesRequest, AckAllQueueMessagesResponse>, cb: sendUnaryData<AckAllQueueMessagesResponse>) => {
        if (call.request.Channel === 'bad') return cb(null, AckAllQueueMessagesResponse.create({ IsError: true, Error: 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot' }));
        cb(null, AckAllQueueMessagesResponse.create({ RequestID: call.request.RequestID, AffectedMessages: 7n }));
      },
    });
  });
  beforeEach(() => {
    requests.length = 0;
  });
  afterAll(() => server.stop());

  it('create and delete send the query the commercial broker answers', async () => {
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'admin' });
    reply = (req) => [null, Response.create({ RequestID: req.RequestID, Executed: true })];
    await client.channels.create('events_store', 'audit.log');
    await client.channels.delete('commands', 'ops');
    expect(requests.map((r) => ({ ch: r.Channel, type: r.RequestTypeData, md: r.Metadata, timeout: r.Timeout, tags: r.Tags, body: r.Body.length, client: r.ClientID }))).toEqual([
      { ch: 'kubemq.cluster.internal.requests', type: 2, md: 'create-channel', timeout: 10000, tags: { channel_type: 'events_store', channel: 'audit.log', client_id: 'admin' }, body: 0, client: 'admin' },
      { ch: 'kubemq.cluster.internal.requests', type: 2, md: 'delete-channel', timeout: 10000, tags: { channel_type: 'commands', channel: 'ops', client_id: 'admin' }, body: 0, client: 'admin' },
    ]);
  });

  it('list parses the JSON reply into typed objects with Dates; an empty body is no channels', async () => {
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'admin' });
    reply = (req) => [null, Response.create({ RequestID: req.RequestID, Body: Buffer.from(JSON.stringify(LIST)) })];
    const channels = await client.channels.list('queues', 'orders');
    expect(requests[0]?.Tags).toEqual({ channel_type: 'queues', channel_search: 'orders', client_id: 'admin' });
    expect(channels).toEqual([
      { name: 'orders', type: 'queues', lastActivity: new Date(1_764_300_000_123), isActive: true, incoming: LIST[0]?.incoming, outgoing: LIST[0]?.outgoing },
      {
        name: 'orders.eu', type: 'queues', lastActivity: new Date(1_764_300_000_000), isActive: false,
        incoming: { messages: 0, volume: 0, responses: 0, waiting: 0, expired: 0, delayed: 0 },
        outgoing: { messages: 0, volume: 0, responses: 0, waiting: 0, expired: 0, delayed: 0 },
      },
    ]);
    reply = () => [null, Response.create()];
    await expect(client.channels.list('events')).resolves.toEqual([]);
    expect(requests[1]?.Tags).toEqual({ channel_type: 'events', client_id: 'admin' });
  });

  it('a non-empty Response.Error is a typed error; a malformed list is one too', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [null, Response.create({ Error: 'channel already exists' })];
    expect(await rejection(client.channels.create('queues', 'q1'))).toMatchObject({ name: 'KubemqError', code: 'BROKER', operation: 'channels.create', channel: 'q1' });
    reply = () => [null, Response.create({ Body: Buffer.from('{"not":"an array"}') })];
    expect(await rejection(client.channels.list('queues'))).toMatchObject({ code: 'BROKER', operation: 'channels.list' });
  });

  it('retries "cluster snapshot not ready" a few times', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [null, Response.create({ Body: Buffer.from('[]') })];
    snapshotNotReady = 2;
    await expect(client.channels.list('queues')).resolves.toEqual([]);
    expect(requests).toHaveLength(3);
    snapshotNotReady = 10;
    expect(await rejection(client.channels.list('queues'))).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    snapshotNotReady = 0;
  });

  it('a timeout (Error 301: no responder, as on the open-source server) explains itself', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    reply = () => [Object.assign(new Error(), { code: status.INTERNAL, details: 'Error 301: timeout for request message' })];
    const err = await rejection(client.channels.list('events_store'));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', operation: 'channels.list', retryable: false });
    expect(err.message).toMatch(/open-source KubeMQ server .* has no channel-management responder/);

    // Our own deadline passing first says the same.
    reply = () => [null, undefined];
    const late = await rejection(client.channels.create('queues', 'q', { timeoutMs: 100 }));
    expect(late).toMatchObject({ code: 'TIMEOUT', timeoutMs: 100 });
    expect(late.message).toMatch(/no channel-management responder/);
  });

  it('validates type and name before sending anything', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    await expect(client.channels.create('topics' as never, 'x')).rejects.toMatchObject({ code: 'VALIDATION', field: 'type' });
    await expect(client.channels.create('events_store', 'a\tb')).rejects.toMatchObject({ code: 'VALIDATION', field: 'name' });
    await expect(client.channels.delete('queues', 'a.*')).rejects.toMatchObject({ field: 'name' });
    expect(requests).toHaveLength(0);
  });

  it('purgeQueue acks everything waiting and returns the count', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    await expect(client.channels.purgeQueue('orders')).resolves.toBe(7);
    expect(await rejection(client.channels.purgeQueue('bad'))).toMatchObject({ code: 'VALIDATION', brokerCode: 120 });
    await expect(client.channels.purgeQueue('orders', { waitMs: 1500 })).rejects.toMatchObject({ field: 'waitMs' });
  });
});
