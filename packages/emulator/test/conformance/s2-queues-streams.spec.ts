// docs/broker-behaviour.md §2.4 Queues: StreamQueueMessage (v1), QueuesDownstream, QueuesUpstream, QueuesInfo (and §6 "Queues").
import * as grpc from '@grpc/grpc-js';
import { QueuesDownstreamRequestType as DT, StreamRequestType as SR, type kubemqClient } from '@kubemq/emulator/wire';
import { eventually, itSkipBecause, uniqueChannel } from '@kubemq/testing/jest';
import { ch, cid } from './support/naming.js';
import {
  closeAll,
  closeUpstreams,
  connect,
  downstream,
  queueStreamV1,
  queuesInfo,
  receiveQueue,
  sendQueueMessage,
  sleep,
  text,
  upstream,
} from './support/raw.js';

afterAll(closeAll);
// §5.3: an upstream a failing test left open is still closed the safe way, not by the worker's exit.
afterEach(closeUpstreams);

async function fill(c: kubemqClient, channel: string, bodies: string[]): Promise<void> {
  for (const b of bodies) {
    const r = await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(b) });
    expect(r.IsError).toBe(false);
  }
}
/** A peek that returns as soon as one message is there (or after 1 s with none). */
const peekOne = async (c: kubemqClient, channel: string) =>
  (await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: true })).Messages.map((m) => text(m.Body));
const peekBodies = async (c: kubemqClient, channel: string) =>
  (await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 100, WaitTimeSeconds: 1, IsPeak: true })).Messages.map(
    (m) => text(m.Body),
  );
const get = (channel: string, extra: Record<string, unknown> = {}) => ({
  RequestID: 'get',
  ClientID: cid(),
  RequestTypeData: DT.Get,
  Channel: channel,
  MaxItems: 1,
  WaitTimeout: 1000,
  ...extra,
});

describe('§2.4 StreamQueueMessage (v1): one message per stream', () => {
  it('§2.4 receive then ack: an OK response, then the server ends the stream', async () => {
    const c = connect();
    const channel = ch('s24v1.ack');
    await fill(c, channel, ['v1']);
    const s = queueStreamV1(c);
    const got = await s.request({ RequestID: 'r', ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 5, WaitTimeSeconds: 1 });
    expect(got).toMatchObject({ StreamRequestTypeData: SR.ReceiveMessage, IsError: false });
    expect(text(got.Message?.Body)).toBe('v1');
    const ack = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.AckMessage, RefSequence: got.Message?.Attributes?.Sequence });
    expect(ack).toMatchObject({ StreamRequestTypeData: SR.AckMessage, IsError: false });
    expect((await s.end()).code).toBe(grpc.status.OK);
    expect(await peekBodies(c, channel)).toEqual([]);
  });

  it('§2.4 no message within WaitTimeSeconds → Error 138 and the stream ends', async () => {
    const s = queueStreamV1(connect());
    const r = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: ch('s24v1.empty'), WaitTimeSeconds: 1 }, 5000);
    expect(r.IsError).toBe(true);
    expect(r.Error).toMatch(/^Error 138/);
    await s.end();
  });

  it('§2.4 reject requeues the message (receive count + 1) and ends the stream', async () => {
    const c = connect();
    const channel = ch('s24v1.reject');
    await fill(c, channel, ['rej']);
    const s = queueStreamV1(c);
    const got = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 5, WaitTimeSeconds: 1 });
    const rej = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.RejectMessage, RefSequence: got.Message?.Attributes?.Sequence });
    expect(rej.IsError).toBe(false);
    await s.end();
    const again = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(again.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['rej', 2]]);
  });

  it('§2.4 resend sends a copy to Channel and ends the stream', async () => {
    const c = connect();
    const channel = ch('s24v1.resend');
    const target = ch('s24v1.resend.to');
    await fill(c, channel, ['moved']);
    const s = queueStreamV1(c);
    await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 5, WaitTimeSeconds: 1 });
    const r = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ResendMessage, Channel: target });
    expect(r.IsError).toBe(false);
    await s.end();
    expect(await peekBodies(c, target)).toEqual(['moved']);
    expect(await peekBodies(c, channel)).toEqual([]);
  });

  it('§2.4 SendModifiedMessage sends the modified message and ends the stream', async () => {
    const c = connect();
    const channel = ch('s24v1.mod');
    const target = ch('s24v1.mod.to');
    await fill(c, channel, ['orig']);
    const s = queueStreamV1(c);
    await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 5, WaitTimeSeconds: 1 });
    const r = await s.request({
      ClientID: cid(),
      StreamRequestTypeData: SR.SendModifiedMessage,
      ModifiedMessage: { ClientID: cid(), Channel: target, Body: Buffer.from('modified') },
    });
    expect(r.IsError).toBe(false);
    await s.end();
    expect(await peekBodies(c, target)).toEqual(['modified']);
  });

  it('§2.4 visibility expiry → Error 129, the message is requeued and the stream ends; ModifyVisibility resets the timer', async () => {
    const c = connect();
    const channel = ch('s24v1.vis');
    await fill(c, channel, ['vis']);
    const s = queueStreamV1(c);
    await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 2, WaitTimeSeconds: 1 });
    await sleep(800);
    const mod = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ModifyVisibility, VisibilitySeconds: 3 });
    expect(mod.IsError).toBe(false);
    await sleep(1700); // past the first 2 s timer, within the new 3 s one
    expect(s.done).toBeUndefined();
    const expired = await s.nth(2, 5000); // after the Receive and ModifyVisibility replies
    expect(expired.IsError).toBe(true);
    expect(expired.Error).toMatch(/^Error 129/);
    await s.end();
    const again = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(again.Messages.map((m) => text(m.Body))).toEqual(['vis']);
  });

  it('§2.4 RefSequence must equal the message sequence (Error 125); a second Receive gives Error 128; validation errors keep the stream', async () => {
    const c = connect();
    const channel = ch('s24v1.ref');
    await fill(c, channel, ['ref']);
    const s = queueStreamV1(c);
    const got = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 5, WaitTimeSeconds: 1 });
    const wrong = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.AckMessage, RefSequence: (got.Message?.Attributes?.Sequence ?? 0n) + 1000n });
    expect(wrong).toMatchObject({ IsError: true, Error: 'Error 125: ack sequence cannot be 0 or negative' });
    const second = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, WaitTimeSeconds: 1 });
    expect(second.IsError).toBe(true);
    expect(second.Error).toMatch(/^Error 128/);
    expect(s.done).toBeUndefined();
    const ok = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.AckMessage, RefSequence: got.Message?.Attributes?.Sequence });
    expect(ok.IsError).toBe(false);
    await s.end();
  });

  it('§6 an ack before any receive gives Error 124', async () => {
    const s = queueStreamV1(connect());
    const r = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.AckMessage, RefSequence: 1 });
    expect(r.IsError).toBe(true);
    expect(r.Error).toMatch(/^Error 124/);
    s.cancel();
  });

  it('§2.4 a stream-v1 disconnect requeues the message with its count + 1', async () => {
    const c = connect();
    const channel = ch('s24v1.drop');
    await fill(c, channel, ['dropped']);
    const s = queueStreamV1(c);
    await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 30, WaitTimeSeconds: 1 });
    s.cancel();
    const again = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 3 });
    expect(again.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['dropped', 2]]);
  });
});

describe('§2.4 QueuesDownstream: Get', () => {
  it('§2.4 Get → {TransactionId (uuid), RefRequestId, Messages}; AutoAck acks and closes', async () => {
    const c = connect();
    const channel = ch('s24d.get');
    await fill(c, channel, ['d1']);
    const d = downstream(c);
    const r = await d.request(get(channel, { RequestID: 'req-1', AutoAck: true }));
    expect(r).toMatchObject({ RefRequestId: 'req-1', RequestTypeData: DT.Get, IsError: false, TransactionComplete: false });
    expect(r.TransactionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['d1']);
    d.cancel();
    expect(await peekBodies(c, channel)).toEqual([]);
  });

  it('§2.4 Get needs ClientID (Error 101) and a valid channel (Error 120), as IsError in the payload', async () => {
    const d = downstream(connect());
    const a = await d.request(get(ch('s24d.val'), { ClientID: '' }));
    expect(a).toMatchObject({ IsError: true, Error: 'Error 101: invalid clientID value, cannot be empty' });
    const b = await d.request(get('a b'));
    expect(b).toMatchObject({
      IsError: true,
      Error: 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot',
    });
    d.cancel();
  });

  it('§2.4 Get does not return early: with fewer than MaxItems it waits the whole WaitTimeout', async () => {
    const c = connect();
    const channel = ch('s24d.wait');
    await fill(c, channel, ['w1', 'w2']);
    const d = downstream(c);
    const started = performance.now();
    const r = await d.request(get(channel, { MaxItems: 5, WaitTimeout: 1500, AutoAck: true }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['w1', 'w2']);
    d.cancel();
  });

  it('§2.4/§6 [seen] a Get on an empty queue that waits out its time: IsError false, no messages, and the transaction is already closed', async () => {
    const d = downstream(connect());
    const r = await d.request(get(ch('s24d.none')));
    expect(r).toMatchObject({ IsError: false, Messages: [] });
    const again = await d.request({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: r.TransactionId });
    expect(again).toMatchObject({ IsError: true, Error: 'cannot ack messages with closed response ' });
    d.cancel();
  });
});

describe('§2.4/§6 QueuesDownstream: expired messages count toward MaxItems', () => {
  // Expiration is checked by the broker's clock when delivery is attempted, so these tests wait
  // for it to pass; there is nothing to poll (a peek would drop the expired message).
  const pastExpiry = () => sleep(2200);

  it('§6 [seen] an expired message at the head of a Get of 1: answers at once with 0 messages, TransactionComplete false, and the open transaction captures the next message (peek sees nothing, ActiveOffsets []) until CloseByClient', async () => {
    const c = connect();
    const channel = ch('s6d.expiredhead');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('A'), Policy: { ExpirationSeconds: 1 } });
    await pastExpiry();
    await fill(c, channel, ['B']);
    const d = downstream(c);
    const started = performance.now();
    const r = await d.request(get(channel, { MaxItems: 1, WaitTimeout: 10_000 }), 15_000);
    expect(performance.now() - started).toBeLessThan(5000); // at once, not after the 10 s wait
    expect(r).toMatchObject({ RequestTypeData: DT.Get, IsError: false, Error: '', TransactionComplete: false, Messages: [] });
    await eventually(async () => expect(await peekOne(c, channel)).toEqual([])); // B is captured: hidden from everyone
    const offsets = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: r.TransactionId });
    expect(offsets).toMatchObject({ IsError: false, ActiveOffsets: [] }); // the transaction is open
    d.write({ ClientID: cid(), RequestTypeData: DT.CloseByClient, RefTransactionId: r.TransactionId });
    await eventually(async () => expect(await peekOne(c, channel)).toEqual(['B']));
    d.cancel();
  });

  it('§6 [seen] a Get of 2 over 2 expired messages answers at once, with no messages', async () => {
    const c = connect();
    const channel = ch('s6d.expiredtwo');
    for (const body of ['x', 'y']) await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(body), Policy: { ExpirationSeconds: 1 } });
    await pastExpiry();
    const d = downstream(c);
    const started = performance.now();
    const r = await d.request(get(channel, { MaxItems: 2, WaitTimeout: 10_000 }), 15_000);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ IsError: false, Messages: [] });
    d.cancel();
  });
});

describe('§2.4 QueuesDownstream: settling', () => {
  async function open(channel: string, bodies: string[]) {
    const c = connect();
    await fill(c, channel, bodies);
    const d = downstream(c);
    const r = await d.request(get(channel, { MaxItems: bodies.length }));
    expect(r.Messages).toHaveLength(bodies.length);
    return { c, d, tx: r.TransactionId, seqs: r.Messages.map((m) => Number(m.Attributes?.Sequence)) };
  }

  it('§2.4 AckAll on success sends no response; a second AckAll says `cannot ack messages with closed response `', async () => {
    const channel = ch('s24d.ackall');
    const { c, d, tx } = await open(channel, ['a1', 'a2']);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: tx });
    await sleep(300);
    expect(d.items).toHaveLength(1);
    const second = await d.request({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: tx });
    expect(second).toMatchObject({ IsError: true, Error: 'cannot ack messages with closed response ' });
    d.cancel();
    expect(await peekBodies(c, channel)).toEqual([]);
  });

  it('§2.4 ActiveOffsets lists unsettled sequences; AckRange acks some; invalid ack sequence id N; empty list', async () => {
    const channel = ch('s24d.range');
    const { c, d, tx, seqs } = await open(channel, ['r1', 'r2', 'r3']);
    // In no set order: the server walks a Go map (see the ReQueueAll order test).
    const active = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: tx });
    expect(active.ActiveOffsets.map(Number).sort((a, b) => a - b)).toEqual(seqs);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: tx, SequenceRange: [seqs[0] as number] });
    const after = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: tx });
    expect(after.ActiveOffsets.map(Number).sort((a, b) => a - b)).toEqual(seqs.slice(1));
    const bad = await d.request({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: tx, SequenceRange: [999999] });
    expect(bad).toMatchObject({ IsError: true, Error: 'invalid ack sequence id 999999' });
    const empty = await d.request({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: tx, SequenceRange: [] });
    expect(empty).toMatchObject({ IsError: true, Error: 'cannot ack empty list of of offsets' });
    d.write({ ClientID: cid(), RequestTypeData: DT.CloseByClient, RefTransactionId: tx });
    await sleep(200);
    d.cancel();
    expect((await peekBodies(c, channel)).sort()).toEqual(['r2', 'r3']);
  });

  it('§2.4 NAckRange requeues with count + 1; empty list says `cannot nack empty list of of offsets`', async () => {
    const channel = ch('s24d.nack');
    const { c, d, tx, seqs } = await open(channel, ['n1']);
    const empty = await d.request({ ClientID: cid(), RequestTypeData: DT.NAckRange, RefTransactionId: tx, SequenceRange: [] });
    expect(empty).toMatchObject({ IsError: true, Error: 'cannot nack empty list of of offsets' });
    d.write({ ClientID: cid(), RequestTypeData: DT.NAckRange, RefTransactionId: tx, SequenceRange: seqs });
    await sleep(200);
    d.cancel();
    const again = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(again.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['n1', 2]]);
  });

  it('§2.4 ReQueueAll re-sends to ReQueueChannel; without a channel: `cannot requeue messages with empty channel destination `', async () => {
    const channel = ch('s24d.requeue');
    const target = ch('s24d.requeue.to');
    const { c, d, tx } = await open(channel, ['q1']);
    const bad = await d.request({ ClientID: cid(), RequestTypeData: DT.ReQueueAll, RefTransactionId: tx, ReQueueChannel: '' });
    expect(bad).toMatchObject({ IsError: true, Error: 'cannot requeue messages with empty channel destination ' });
    d.write({ ClientID: cid(), RequestTypeData: DT.ReQueueAll, RefTransactionId: tx, ReQueueChannel: target });
    await sleep(200);
    const closed = await d.request({ ClientID: cid(), RequestTypeData: DT.ReQueueAll, RefTransactionId: tx, ReQueueChannel: target });
    expect(closed).toMatchObject({ IsError: true, Error: 'cannot ack messages with closed response ' });
    d.cancel();
    expect(await peekBodies(c, target)).toEqual(['q1']);
  });

  it('§2.4 ReQueueAll and NAckAll move a transaction\'s messages in no set order (the server walks a Go map, randomised on every walk)', async () => {
    // Eight messages per try. Go walks a map this small from a random one of its 8 slots, so each
    // try keeps the received order with odds of 1 in 8 (here, shuffled, far less): some try of ten
    // must differ from it, on the server as here (a false failure has odds of about 1 in 10^9).
    const bodies = Array.from({ length: 8 }, (_, i) => `o${i}`);
    const orders: string[] = [];
    for (let attempt = 0; attempt < 10 && orders.every((o) => o === bodies.join()); attempt++) {
      const channel = ch('s24d.order');
      const target = ch('s24d.order.to');
      const { c, d, tx } = await open(channel, bodies);
      d.write({ ClientID: cid(), RequestTypeData: attempt % 2 === 0 ? DT.ReQueueAll : DT.NAckAll, RefTransactionId: tx, ReQueueChannel: target });
      await sleep(200);
      d.cancel();
      const moved = await receiveQueue(c, { ClientID: cid(), Channel: attempt % 2 === 0 ? target : channel, MaxNumberOfMessages: 8, WaitTimeSeconds: 2 });
      const got = moved.Messages.map((m) => text(m.Body));
      expect([...got].sort()).toEqual(bodies);
      orders.push(got.join());
    }
    expect(orders.some((o) => o !== bodies.join())).toBe(true);
  });

  it('§2.4/§6 ReQueueRange: empty list `cannot requeue empty list of of offsets`; unknown sequence `invalid ack sequence id N`', async () => {
    const channel = ch('s24d.rqrange');
    const target = ch('s24d.rqrange.to');
    const { d, tx } = await open(channel, ['x1']);
    const empty = await d.request({ ClientID: cid(), RequestTypeData: DT.ReQueueRange, RefTransactionId: tx, ReQueueChannel: target, SequenceRange: [] });
    expect(empty).toMatchObject({ IsError: true, Error: 'cannot requeue empty list of of offsets' });
    const unknown = await d.request({ ClientID: cid(), RequestTypeData: DT.ReQueueRange, RefTransactionId: tx, ReQueueChannel: target, SequenceRange: [424242] });
    expect(unknown).toMatchObject({ IsError: true, Error: 'invalid ack sequence id 424242' });
    d.cancel();
  });

  it('§2.4 a range with an unknown sequence fails at it, with the earlier items already applied', async () => {
    const channel = ch('s24d.partial');
    const { c, d, tx, seqs } = await open(channel, ['p1', 'p2']);
    const bad = await d.request({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: tx, SequenceRange: [seqs[0] as number, 777777] });
    expect(bad).toMatchObject({ IsError: true, Error: 'invalid ack sequence id 777777' });
    const active = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: tx });
    expect(active.ActiveOffsets.map(Number)).toEqual([seqs[1]]);
    const nack = await d.request({ ClientID: cid(), RequestTypeData: DT.NAckRange, RefTransactionId: tx, SequenceRange: [888888] });
    expect(nack).toMatchObject({ IsError: true, Error: 'invalid nack sequence id 888888' });
    d.cancel();
    expect(await peekBodies(c, channel)).toEqual(['p2']);
  });

  it('§2.4 settling a closed transaction: `cannot nack …`, `cannot requeue messages with closed response `', async () => {
    const channel = ch('s24d.closedtexts');
    const { d, tx, seqs } = await open(channel, ['z1']);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: tx });
    const nackAll = await d.request({ ClientID: cid(), RequestTypeData: DT.NAckAll, RefTransactionId: tx });
    expect(nackAll.IsError).toBe(true);
    expect(nackAll.Error).toMatch(/^cannot nack /);
    const nackRange = await d.request({ ClientID: cid(), RequestTypeData: DT.NAckRange, RefTransactionId: tx, SequenceRange: seqs });
    expect(nackRange.Error).toMatch(/^cannot nack /);
    const rq = await d.request({ ClientID: cid(), RequestTypeData: DT.ReQueueRange, RefTransactionId: tx, ReQueueChannel: ch('s24d.x'), SequenceRange: seqs });
    expect(rq).toMatchObject({ IsError: true, Error: 'cannot requeue messages with closed response ' });
    const ackRange = await d.request({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: tx, SequenceRange: seqs });
    expect(ackRange).toMatchObject({ IsError: true, Error: 'cannot ack messages with closed response ' });
    d.cancel();
  });

  it('§2.4 ReQueue goes through the normal send path, so ReRouted is lost', async () => {
    const c = connect();
    const channel = ch('s24d.rerouted');
    const dlq = ch('s24d.rerouted.dlq');
    const target = ch('s24d.rerouted.to');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x'), Policy: { MaxReceiveCount: 1, MaxReceiveQueue: dlq } });
    const d1 = downstream(c);
    const g1 = await d1.request(get(channel));
    d1.write({ ClientID: cid(), RequestTypeData: DT.NAckAll, RefTransactionId: g1.TransactionId });
    await sleep(200);
    const d2 = downstream(c);
    const g2 = await d2.request(get(dlq, { WaitTimeout: 2000 }));
    expect(g2.Messages[0]?.Attributes?.ReRouted).toBe(true);
    d2.write({ ClientID: cid(), RequestTypeData: DT.ReQueueAll, RefTransactionId: g2.TransactionId, ReQueueChannel: target });
    await sleep(200);
    const r = await receiveQueue(c, { ClientID: cid(), Channel: target, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(r.Messages[0]?.Attributes?.ReRouted).toBe(false);
    d1.cancel();
    d2.cancel();
  });

  it('§2.4 CloseByClient returns unsettled messages without a count increment', async () => {
    const channel = ch('s24d.close');
    const { c, d, tx } = await open(channel, ['c1']);
    d.write({ ClientID: cid(), RequestTypeData: DT.CloseByClient, RefTransactionId: tx });
    await sleep(300);
    expect(d.items).toHaveLength(1);
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(r.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['c1', 1]]);
    d.cancel();
  });

  it('§6 CloseByClient on an already-settled transaction gets no response', async () => {
    const channel = ch('s6.closesettled');
    const { d, tx } = await open(channel, ['s1']);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: tx });
    d.write({ ClientID: cid(), RequestTypeData: DT.CloseByClient, RefTransactionId: tx });
    await sleep(400);
    expect(d.items).toHaveLength(1);
    d.cancel();
  });

  it('§2.4 ending the stream closes every open transaction (messages return)', async () => {
    const channel = ch('s24d.endstream');
    const { c, d } = await open(channel, ['e1']);
    d.cancel();
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['e1']);
  });

  it('§2.4/§6 TransactionStatus: known id → RequestTypeData 0 `request unknown`; unknown id → 9 `transaction is completed or transaction id not found`', async () => {
    const channel = ch('s24d.status');
    const { d, tx } = await open(channel, ['t1']);
    const known = await d.request({ ClientID: cid(), RequestTypeData: DT.TransactionStatus, RefTransactionId: tx });
    expect(known).toMatchObject({ RequestTypeData: 0, IsError: true, Error: 'request unknown' });
    const unknown = await d.request({ ClientID: cid(), RequestTypeData: DT.TransactionStatus, RefTransactionId: 'no-such-tx' });
    expect(unknown).toMatchObject({ RequestTypeData: DT.TransactionStatus, IsError: true, Error: 'transaction is completed or transaction id not found' });
    d.cancel();
  });

  it('§6 request types 0, 11 and 12 with a known transaction id get `request unknown`', async () => {
    const channel = ch('s6.unknowntype');
    const { d, tx } = await open(channel, ['u1']);
    for (const type of [0, 11, 12]) {
      const r = await d.request({ ClientID: cid(), RequestTypeData: type as DT, RefTransactionId: tx });
      expect(r).toMatchObject({ RequestTypeData: 0, IsError: true, Error: 'request unknown' });
    }
    d.cancel();
  });

  it('§6 ActiveOffsets on a settled transaction: `cannot get active offsets with closed response `', async () => {
    const channel = ch('s6.offsetsclosed');
    const { d, tx } = await open(channel, ['o1']);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: tx });
    const r = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: tx });
    expect(r).toMatchObject({ IsError: true, Error: 'cannot get active offsets with closed response ' });
    d.cancel();
  });

  it('§2.4 TransactionComplete is never set', async () => {
    const channel = ch('s24d.complete');
    const { d, tx } = await open(channel, ['tc']);
    const r = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: tx });
    expect(r.TransactionComplete).toBe(false);
    expect(d.items.every((x) => !x.TransactionComplete)).toBe(true);
    d.cancel();
  });

  it('§2.4 requests on one stream are handled one at a time: a pending Get blocks what follows', async () => {
    const channel = ch('s24d.serial');
    const { d, tx } = await open(channel, ['s1']);
    const started = performance.now();
    d.write(get(ch('s24d.serial.empty'), { RequestID: 'slow-get', WaitTimeout: 1500 }));
    d.write({ RequestID: 'after', ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: tx });
    const [, slowGet, offsets] = await d.waitFor(3, 5000);
    // The reply to the slow Get came first; ActiveOffsets waited behind it.
    expect(slowGet?.RefRequestId).toBe('slow-get');
    expect(offsets?.RequestTypeData).toBe(DT.ActiveOffsets);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
    d.cancel();
  });

  it('§2.4 [seen] an open Get with fewer than MaxItems captures newly arriving messages: hidden from peek, not acked by AckAll', async () => {
    const c = connect();
    const channel = ch('s24d.capture');
    await fill(c, channel, ['first']);
    const d = downstream(c);
    const r = await d.request(get(channel, { MaxItems: 3 }));
    expect(r.Messages).toHaveLength(1);
    await fill(c, channel, ['late']);
    await sleep(200);
    expect(await peekBodies(c, channel)).toEqual([]);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: r.TransactionId });
    await sleep(200);
    d.cancel();
    const back = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 5, WaitTimeSeconds: 2 });
    expect(back.Messages.map((m) => text(m.Body))).toEqual(['late']);
  });
  it('§2.4 [seen] late-captured messages are not in ActiveOffsets; a range naming one is an invalid sequence', async () => {
    const c = connect();
    const channel = ch('s24d.capturedoffsets');
    await fill(c, channel, ['first']);
    const d = downstream(c);
    const r = await d.request(get(channel, { MaxItems: 3 }));
    const own = Number(r.Messages[0]?.Attributes?.Sequence);
    await fill(c, channel, ['late']); // the next sequence
    await eventually(async () => expect(await peekOne(c, channel)).toEqual([]));
    const offsets = await d.request({ ClientID: cid(), RequestTypeData: DT.ActiveOffsets, RefTransactionId: r.TransactionId });
    expect(offsets.ActiveOffsets.map(Number)).toEqual([own]);
    const ack = await d.request({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: r.TransactionId, SequenceRange: [own + 1] });
    expect(ack).toMatchObject({ IsError: true, Error: `invalid ack sequence id ${own + 1}` });
    const nack = await d.request({ ClientID: cid(), RequestTypeData: DT.NAckRange, RefTransactionId: r.TransactionId, SequenceRange: [own + 1] });
    expect(nack).toMatchObject({ IsError: true, Error: `invalid nack sequence id ${own + 1}` });
    d.write({ ClientID: cid(), RequestTypeData: DT.CloseByClient, RefTransactionId: r.TransactionId });
    await eventually(async () => expect((await peekBodies(c, channel)).sort()).toEqual(['first', 'late']));
    d.cancel();
  });

  it('§2.4 an open transaction captures into the room its settled messages free (its subscription takes up to MaxItems unacked)', async () => {
    const c = connect();
    const channel = ch('s24d.captureroom');
    await fill(c, channel, ['a', 'b']);
    const d = downstream(c);
    const r = await d.request(get(channel, { MaxItems: 2 })); // full: no room left
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['a', 'b']);
    await fill(c, channel, ['c']);
    expect(await peekOne(c, channel)).toEqual(['c']);
    d.write({ ClientID: cid(), RequestTypeData: DT.AckRange, RefTransactionId: r.TransactionId, SequenceRange: [r.Messages[0]?.Attributes?.Sequence ?? 0] });
    await eventually(async () => expect(await peekOne(c, channel)).toEqual([])); // c captured into the freed slot
    d.write({ ClientID: cid(), RequestTypeData: DT.AckAll, RefTransactionId: r.TransactionId }); // acks b, closes, c goes back
    const back = await eventually(async () => {
      const got = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
      expect(got.Messages).toHaveLength(1);
      return got;
    });
    expect(back.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['c', 1]]);
    d.cancel();
  });
});

describe('§2.4 QueuesUpstream', () => {
  it('§2.4 a response per request: RefRequestID, Results in message order', async () => {
    const c = connect();
    const channel = ch('s24u.send');
    const u = upstream(c);
    const r = await u.request({
      RequestID: 'up-1',
      Messages: [
        { MessageID: 'm1', ClientID: cid(), Channel: channel, Body: Buffer.from('1') },
        { MessageID: 'm2', ClientID: cid(), Channel: channel, Body: Buffer.from('2') },
      ],
    });
    expect(r).toMatchObject({ RefRequestID: 'up-1', IsError: false });
    expect(r.Results.map((x) => [x.MessageID, x.IsError])).toEqual([
      ['m1', false],
      ['m2', false],
    ]);
    await u.closeSafely();
    expect(await peekBodies(c, channel)).toEqual(['1', '2']);
  });

  it('§2.4 empty Messages → Error `no messages to send`', async () => {
    const u = upstream(connect());
    const r = await u.request({ RequestID: 'up-empty', Messages: [] });
    expect(r).toMatchObject({ RefRequestID: 'up-empty', IsError: true, Error: 'no messages to send' });
    await u.closeSafely();
  });

  it('§6 an empty RequestID gives RefRequestID ""; IsError stays false when items failed', async () => {
    const u = upstream(connect());
    const r = await u.request({ Messages: [{ ClientID: cid(), Channel: '', Body: Buffer.from('x') }] });
    expect(r).toMatchObject({ RefRequestID: '', IsError: false });
    expect(r.Results[0]).toMatchObject({ IsError: true });
    expect(r.Results[0]?.Error).toMatch(/^Error 120/);
    await u.closeSafely();
  });

  it('§2.4 requests may be answered out of order: correlate by RefRequestID', async () => {
    const c = connect();
    const channel = ch('s24u.many');
    const u = upstream(c);
    const ids = Array.from({ length: 10 }, (_, i) => `req-${i}`);
    for (const id of ids) u.write({ RequestID: id, Messages: [{ ClientID: cid(), Channel: channel, Body: Buffer.from(id) }] });
    const got = await u.waitFor(10);
    expect(got.map((x) => x.RefRequestID).sort()).toEqual([...ids].sort());
    await u.closeSafely();
  });
});

describe('§2.4 QueuesInfo', () => {
  it('§2.4 QueueName is a `;`-separated list of exact names; a queue never used is not listed', async () => {
    const c = connect();
    const a = ch('s24i.a');
    const b = ch('s24i.b');
    const empty = ch('s24i.empty');
    await fill(c, a, ['1', '2']);
    await fill(c, b, ['3']);
    const r = await queuesInfo(c, { RequestID: 'info-1', QueueName: `${a};${b};${empty}` });
    expect(r.RefRequestID).toBe('info-1');
    const byName = Object.fromEntries((r.Info?.Queues ?? []).map((q) => [q.Name, q]));
    expect(Object.keys(byName).sort()).toEqual([a, b].sort());
    expect(byName[a]?.Messages).toBe(2n);
    expect(byName[b]?.Messages).toBe(1n);
    expect(r.Info?.TotalQueue).toBe(2);
  });

  // metrics.go toQueues lists a stan channel when FirstSeq <= LastSeq; a consumer creates the
  // channel (processSubscriptionRequest), and a store that never held a message reports 0 and 0.
  it('§2.4 a receive creates a never-used queue: listed with no messages, FirstSequence = LastSequence = 0, Sent 1', async () => {
    const c = connect();
    const q = ch('s24i.fresh');
    expect((await queuesInfo(c, { QueueName: q })).Info?.TotalQueue).toBe(0);
    const got = await receiveQueue(c, { ClientID: cid(), Channel: q, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(got).toMatchObject({ IsError: false, Messages: [] });
    const r = await queuesInfo(c, { QueueName: q });
    // Calc: Sent = 0 - 0 + 1; the durable group's one subscription (left when the receive ended)
    // has LastSent 0 >= FirstSequence 0, so it adds 1 to Delivered; Waiting = 0 + 0 - 0.
    expect(r.Info).toEqual({
      TotalQueue: 1,
      Sent: 1n,
      Delivered: 1n,
      Waiting: 0n,
      Queues: [{ Name: q, Messages: 0n, Bytes: 0n, FirstSequence: 0n, LastSequence: 0n, Sent: 1n, Delivered: 1n, Waiting: 0n, Subscribers: 1n }],
    });
  });

  it('§2.4 a Get on a never-used queue creates it too: listed with no messages and Sent 1', async () => {
    const c = connect();
    const q = ch('s24i.fresh.get');
    const d = downstream(c);
    expect(await d.request(get(q))).toMatchObject({ IsError: false, Messages: [] });
    d.cancel();
    const r = await queuesInfo(c, { QueueName: q });
    expect((r.Info?.Queues ?? []).map((x) => [x.Name, x.Messages, x.FirstSequence, x.LastSequence, x.Sent])).toEqual([[q, 0n, 0n, 0n, 1n]]);
  });

  it('§2.4 acked messages stay stored (still listed) until retention', async () => {
    const c = connect();
    const q = ch('s24i.acked');
    await fill(c, q, ['x']);
    await receiveQueue(c, { ClientID: cid(), Channel: q, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    const r = await queuesInfo(c, { QueueName: q });
    expect((r.Info?.Queues ?? []).map((x) => x.Name)).toEqual([q]);
  });

  it('§2.4/§6 names are cut by a cutset trim of `_QUEUES_.`: a queue named QA_S.<run> is listed as A_S.<run>', async () => {
    const c = connect();
    // A name of this run's own: a broker that served earlier runs still lists their queues.
    const q = uniqueChannel('QA_S');
    await fill(c, q, ['x']);
    const listed = q.slice(1);
    const r = await queuesInfo(c, { QueueName: listed });
    expect((r.Info?.Queues ?? []).filter((x) => x.Name === listed).map((x) => [x.Name, Number(x.Messages)])).toEqual([[listed, 1]]);
  });
});

describe('§2.5 channel management over HTTP', () => {
  itSkipBecause('[spec] the REST (9090) and API (8080) HTTP endpoints are outside this raw-gRPC suite; the emulator accepts and ignores REST_PORT/API_PORT')(
    '§2.5 POST /api/request create_channel / purge_queue_channel and GET /v1/stats/* on the API port',
  );
});
