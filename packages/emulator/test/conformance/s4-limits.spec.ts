// docs/broker-behaviour.md §4 Limits and defaults (those a client can observe).
import { expectedCapabilities, startKubemq } from '@kubemq/testing';
import { itSkipBecause, itWhen, ownBroker } from '@kubemq/testing/jest';
import { QueuesDownstreamRequestType as DT, Request_RequestType as RT, StreamRequestType as SR, Subscribe_SubscribeType as ST } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import {
  closeAll,
  connect,
  downstream,
  grpcError,
  ping,
  queueStreamV1,
  receiveQueue,
  sendEvent,
  sendQueueMessage,
  sendRequest,
  sleep,
  subscribeEvents,
  text,
} from './support/raw.js';
import { notProbe, readyEvents, readyResponder } from './support/ready.js';

afterAll(closeAll);
const itLocal = itWhen('restart', expectedCapabilities());

// Events, requests and responses reach their receivers through NATS subscriptions with NATS's
// default pending limit of 64 MiB: a larger message is dropped unseen. The clients here take any
// size, so a delivery would show. Each test runs on a broker of its own: 65 MiB through the
// server's one shared internal NATS connection can outlast NATS's write deadline, and a server
// whose NATS drops that connection closes its shared client for good (its DisconnectedErrCB), so
// every later event, request and response would fail until a restart, for every suite after it.
describe('§5.4 delivery through NATS: nothing over 64 MiB', () => {
  const unlimited = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
  const over = () => Buffer.alloc(64 * 1024 * 1024 + 1024, 1);

  itLocal('§5.4 an event over 64 MiB answers Sent:true and reaches no subscriber; a small one after it does (own broker)', async () => {
    await using broker = await startKubemq();
    const c = connect(broker.address, unlimited);
    const channel = ch('s54.big');
    const inbox = await readyEvents(c, { ClientID: cid(), Channel: channel });
    expect(await sendEvent(c, { ClientID: cid(), Channel: channel, Body: over() })).toMatchObject({ Sent: true });
    await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('small') });
    await sleep(1500);
    expect(inbox.items.filter(notProbe).map((e) => e.Body.length)).toEqual([5]);
  }, 60_000);

  itLocal('§5.4 a query over 64 MiB reaches no responder, and a reply over 64 MiB no requester: both end in Error 301 (own broker)', async () => {
    await using broker = await startKubemq();
    const c = connect(broker.address, unlimited);
    const channel = ch('s54.bigq');
    let asked = 0;
    await readyResponder(c, { ClientID: cid(), Channel: channel, SubscribeTypeData: ST.Queries }, (req) => {
      asked++;
      return { Executed: true, Body: text(req.Body) === 'big reply' ? over() : Buffer.from('ok') };
    });
    const query = (body: Buffer) => sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Query, Timeout: 1500, Body: body });
    expect((await grpcError(query(over()))).details).toBe('Error 301: timeout for request message');
    expect(asked).toBe(0);
    expect((await grpcError(query(Buffer.from('big reply')))).details).toBe('Error 301: timeout for request message');
    expect(asked).toBe(1);
    expect(await query(Buffer.from('small'))).toMatchObject({ Executed: true });
  }, 60_000);
});

// What waits for a stalled subscriber in the server is pending in its NATS subscription, which
// holds at most 64 MiB: the next message is dropped at once. A small buffer keeps the rest of
// what waits countable.
describe('§2.1 §5.4 a stalled events subscriber: what waits behind its buffer is bounded by 64 MiB', () => {
  const own = ownBroker('GRPC_SUB_BUFF_SIZE=1', { env: { GRPC_SUB_BUFF_SIZE: '1' } });

  own.it('§5.4 of 100 events of 2 MiB sent while it reads nothing, about a third are dropped at once; the rest arrive in order', async () => {
    const c = connect(own.broker.address, { 'grpc.max_receive_message_length': -1 });
    const channel = ch('s54.pending');
    const inbox = await readyEvents(c, { ClientID: cid(), Channel: channel });
    inbox.call.pause();
    const body = Buffer.alloc(2 * 1024 * 1024, 7);
    for (let i = 0; i < 100; i++) await sendEvent(c, { ClientID: cid(), Channel: channel, Metadata: String(i), Body: body });
    inbox.call.resume();
    let seen = -1;
    while (seen !== inbox.items.length) {
      seen = inbox.items.length;
      await sleep(1000);
    }
    const got = inbox.items.filter(notProbe).map((e) => Number(e.Metadata));
    // At least the buffer, the one the server's handler holds and 31 pending (what is in flight on
    // the way to the client adds to it); without the limit, all but one per 2 s would come.
    expect(got.length).toBeGreaterThanOrEqual(30);
    expect(got.length).toBeLessThanOrEqual(85);
    expect(got).toEqual([...got].sort((a, b) => a - b));
  }, 60_000);
});

describe('§4 queue limits', () => {
  it('§4 max messages per receive is 1024 (1024 accepted)', async () => {
    const c = connect();
    const channel = ch('s4.max');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x') });
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1024, WaitTimeSeconds: 1, IsPeak: true });
    expect(r).toMatchObject({ IsError: false, Error: '' });
  });

  it('§4 max wait is 3600 s (3600 accepted: the receive returns as soon as MaxNumberOfMessages is reached)', async () => {
    const c = connect();
    const channel = ch('s4.wait');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x') });
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 3600 });
    expect(r).toMatchObject({ IsError: false, MessagesReceived: 1 });
  });

  // The maximum delay (also 43200 s) is proven in §2.4, on a broker of the test's own.
  it('§4 max expiration is 43200 s (accepted; 43201 is not: see §3)', async () => {
    const r = await sendQueueMessage(connect(), {
      ClientID: cid(),
      Channel: ch('s4.exp'),
      Body: Buffer.from('x'),
      Policy: { ExpirationSeconds: 43200 },
    });
    expect(r.IsError).toBe(false);
  });

  it('§4 MaxReceiveCount 0 means 1024: the message keeps coming back after NAcks', async () => {
    const c = connect();
    const channel = ch('s4.mrc');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('again'), Policy: { MaxReceiveCount: 0 } });
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d = downstream(c);
      const got = await d.request({ ClientID: cid(), RequestTypeData: DT.Get, Channel: channel, MaxItems: 1, WaitTimeout: 2000 });
      counts.push(got.Messages[0]?.Attributes?.ReceiveCount ?? -1);
      expect(got.Messages[0]?.Policy?.MaxReceiveCount).toBe(1024);
      d.write({ ClientID: cid(), RequestTypeData: DT.NAckAll, RefTransactionId: got.TransactionId });
      await sleep(150);
      d.cancel();
    }
    expect(counts).toEqual([1, 2, 3]);
  });

  it('§4 downstream WaitTimeout below 1000 ms becomes 1000 ms', async () => {
    const d = downstream(connect());
    const started = performance.now();
    const r = await d.request({ ClientID: cid(), RequestTypeData: DT.Get, Channel: ch('s4.floor'), MaxItems: 1, WaitTimeout: 100 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(r.Messages).toHaveLength(0);
    d.cancel();
  });

  it('§4 downstream MaxItems <= 0 means 200000: all waiting messages come, after the full wait', async () => {
    const c = connect();
    const channel = ch('s4.maxitems');
    for (const b of ['a', 'b', 'c']) await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(b) });
    const d = downstream(c);
    const started = performance.now();
    const r = await d.request({ ClientID: cid(), RequestTypeData: DT.Get, Channel: channel, MaxItems: 0, WaitTimeout: 1000, AutoAck: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['a', 'b', 'c']);
    d.cancel();
  });

  it('§4 stream v1 default visibility is 60 s (VisibilitySeconds 0 does not expire within 2 s)', async () => {
    const c = connect();
    const channel = ch('s4.vis');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('v') });
    const s = queueStreamV1(c);
    await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 0, WaitTimeSeconds: 1 });
    await sleep(2000);
    expect(s.items).toHaveLength(1);
    expect(s.done).toBeUndefined();
    s.cancel();
  });

  itLocal('§4 the queue limits follow QUEUE_* (own broker with QUEUE_MAX_NUMBER_OF_MESSAGES=10, QUEUE_MAX_RECEIVE_COUNT=5)', async () => {
    await using broker = await startKubemq({ env: { QUEUE_MAX_NUMBER_OF_MESSAGES: '10', QUEUE_MAX_RECEIVE_COUNT: '5' } });
    const c = connect(broker.address);
    const channel = ch('s4.env');
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 11, WaitTimeSeconds: 1 });
    expect(r.Error).toMatch(/^Error 122/);
    const ok = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
    expect(ok.IsError).toBe(false);
    const bad = await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x'), Policy: { MaxReceiveCount: 6 } });
    expect(bad.Error).toMatch(/^Error 134/);
  });
});

describe('§4 sizes and subscriptions', () => {
  it('§4 gRPC messages up to 100 MiB are accepted (a 5 MB event, over grpc-js’s 4 MB default)', async () => {
    const c = connect(undefined, { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
    const channel = ch('s4.big');
    const sub = await readyEvents(c, { ClientID: cid(), Channel: channel });
    const r = await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.alloc(5_000_000, 7) });
    expect(r.Sent).toBe(true);
    const [got] = await sub.waitFor(1, 10_000, notProbe);
    expect(got?.Body.length).toBe(5_000_000);
    sub.cancel();
  });

  it('§4 1,500 subscriptions cancelled in a row: the broker goes on serving that client', async () => {
    // A connection of its own (grpc-js shares one per address). What this pins is that the broker
    // survives the burst and answers the client (whose channel may have reconnected): the real
    // server sets no limit on resets, but an emulator on Node before 22.10 sends GOAWAY to a
    // connection that resets streams this fast (packages/emulator/README.md), so whether calls
    // open across the burst survive it is not asserted here.
    const c = connect(undefined, { 'grpc.use_local_subchannel_pool': 1 });
    await ping(c);
    const channel = ch('s4.cancels');
    for (let i = 0; i < 1500; i++) {
      const inbox = subscribeEvents(c, { SubscribeTypeData: ST.Events, ClientID: cid(), Channel: channel });
      await new Promise((r) => setImmediate(r));
      inbox.cancel();
      await new Promise((r) => setImmediate(r));
    }
    expect((await ping(c)).Version).toEqual(expect.any(String));
  });

  itSkipBecause('[spec] a slow consumer needs a client that stops reading for 2 s under HTTP/2 flow control; not observable reliably')(
    '§4 subscription buffer 100 messages; slow-consumer drop after 2 s',
  );
  itSkipBecause('[spec] retention is 1440 min; no test waits a day')('§4 retention and inactive-channel purge after 1440 min');
});
