/// <reference types="jest" />
// QueuesDownstream and QueuesUpstream over raw gRPC (broker-behaviour.md §2.4, §5.3, §6).
import { runInThisContext } from 'node:vm';
import {
  QueuesDownstreamRequest,
  QueuesDownstreamRequestType as T,
  type QueuesUpstreamRequest,
  type QueuesUpstreamResponse,
} from '../../src/generated/kubemq.js';
import { qmsg, queueApi, startBroker, StreamReader, unique, type Broker } from '../queues/harness.js';

let b: Broker;
beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => {
  await b.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function downstream() {
  const call = b.client.queuesDownstream();
  const reader = new StreamReader(call);
  const req = (fields: Partial<QueuesDownstreamRequest>) => call.write(QueuesDownstreamRequest.fromPartial({ ClientID: 'tester', ...fields }));
  return { call, reader, req };
}

async function fill(q: string, ...bodies: string[]) {
  await queueApi(b.client).batch({ BatchID: 'fill', Messages: bodies.map((x) => qmsg(q, x)) });
}

const peekCount = async (q: string) =>
  (await queueApi(b.client).receive({ RequestID: '', ClientID: 'p', Channel: q, MaxNumberOfMessages: 100, WaitTimeSeconds: 1, IsPeak: true })).MessagesReceived;

describe('QueuesDownstream Get', () => {
  it('validates 101 and 120 as IsError payloads', async () => {
    const d = downstream();
    d.req({ RequestID: 'g1', RequestTypeData: T.Get, ClientID: '', Channel: 'q' });
    d.req({ RequestID: 'g2', RequestTypeData: T.Get, Channel: 'a b' });
    d.req({ RequestID: 'g3', RequestTypeData: T.Get, Channel: 'a/b' });
    const r1 = await d.reader.expectNext();
    const r2 = await d.reader.expectNext();
    expect(await d.reader.expectNext()).toMatchObject({ RefRequestId: 'g3', IsError: true, Error: 'Error 121: cannot subscribe to a queue' });
    expect(r1).toMatchObject({ RefRequestId: 'g1', RequestTypeData: T.Get, IsError: true, Error: 'Error 101: invalid clientID value, cannot be empty' });
    expect(r2.Error).toMatch(/^Error 120: /);
    d.call.cancel();
  });

  it('returns MaxItems with a new transaction, AutoAck settles at once', async () => {
    const q = unique('q');
    await fill(q, 'a', 'b', 'c');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 2, WaitTimeout: 30_000, AutoAck: true });
    const r = await d.reader.expectNext();
    expect(r).toMatchObject({ RefRequestId: 'g', RequestTypeData: T.Get, IsError: false, TransactionComplete: false });
    expect(r.TransactionId).toMatch(UUID);
    expect(r.Messages.map((m) => m.Body.toString())).toEqual(['a', 'b']);
    d.req({ RequestID: 'a', RequestTypeData: T.AckAll, RefTransactionId: r.TransactionId });
    expect(await d.reader.expectNext()).toMatchObject({ RefRequestId: 'a', RequestTypeData: T.AckAll, IsError: true, Error: 'cannot ack messages with closed response ' });
    expect(await peekCount(q)).toBe(1);
    d.call.cancel();
  });

  it('waits the whole WaitTimeout (min 1000 ms) when fewer than MaxItems exist; zero messages → closed transaction', async () => {
    const q = unique('q');
    const d = downstream();
    const start = performance.now();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 5, WaitTimeout: 10 });
    const r = await d.reader.expectNext();
    expect(performance.now() - start).toBeGreaterThanOrEqual(950);
    expect(r).toMatchObject({ IsError: false, Messages: [] });
    d.req({ RequestID: 'o', RequestTypeData: T.ActiveOffsets, RefTransactionId: r.TransactionId });
    expect((await d.reader.expectNext()).Error).toBe('cannot get active offsets with closed response ');
    d.call.cancel();
  });
});

describe("QueuesDownstream Gets share the server's 200 pooled clients", () => {
  it('a Get handed the client another Get still waits with, 200 Gets later on any queue, waits for that wait to end', async () => {
    const idle = unique('q');
    const busy = unique('q');
    await fill(busy, ...Array.from({ length: 200 }, (_, i) => `m${i}`));
    const long = downstream();
    const longStart = performance.now();
    long.req({ RequestID: 'long', RequestTypeData: T.Get, Channel: idle, MaxItems: 1, WaitTimeout: 3000 });
    const d = downstream();
    const took: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      d.req({ RequestID: `g${i}`, RequestTypeData: T.Get, Channel: busy, MaxItems: 1, WaitTimeout: 5000, AutoAck: true });
      expect((await d.reader.expectNext()).Messages).toHaveLength(1);
      took.push(performance.now() - start);
    }
    // The first 199 each had a client of their own; the 200th was handed the long Get's client.
    expect(Math.max(...took.slice(0, 199))).toBeLessThan(1000);
    expect(performance.now() - longStart).toBeGreaterThanOrEqual(2900);
    expect(took[199]).toBeGreaterThan(1000);
    await long.reader.expectNext();
    long.call.cancel();
    d.call.cancel();
  });
});

describe('QueuesDownstream Gets waiting at once', () => {
  it('20 concurrent waits print no warning (no "Possible EventTarget memory leak" in a test run)', async () => {
    // Jest's `process` is a copy: Node emits its warnings on the one outside the test's context.
    const nodeProcess = runInThisContext('process') as NodeJS.Process;
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    nodeProcess.on('warning', onWarning);
    try {
      const q = unique('q');
      const streams = Array.from({ length: 20 }, () => downstream());
      streams.forEach((d, i) => d.req({ RequestID: `g${i}`, RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 5000, AutoAck: true }));
      await new Promise((r) => setTimeout(r, 200)); // all 20 are waiting
      await fill(q, ...streams.map((_, i) => `m${i}`));
      for (const d of streams) expect((await d.reader.expectNext()).Messages).toHaveLength(1);
      await new Promise((r) => setImmediate(r));
      for (const d of streams) d.call.cancel();
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      nodeProcess.off('warning', onWarning);
    }
  });
});

describe('QueuesDownstream settlement', () => {
  it('answers nothing on success, and exact texts on errors', async () => {
    const q = unique('q');
    await fill(q, 'a', 'b', 'c');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 3, WaitTimeout: 1000 });
    const get = await d.reader.expectNext();
    const tx = get.TransactionId;
    d.req({ RequestID: 'r1', RequestTypeData: T.AckRange, RefTransactionId: tx, SequenceRange: [1n] });
    d.req({ RequestID: 'r2', RequestTypeData: T.AckRange, RefTransactionId: tx, SequenceRange: [] });
    d.req({ RequestID: 'r3', RequestTypeData: T.AckRange, RefTransactionId: tx, SequenceRange: [2n, 42n] });
    d.req({ RequestID: 'r4', RequestTypeData: T.NAckRange, RefTransactionId: tx, SequenceRange: [] });
    d.req({ RequestID: 'r5', RequestTypeData: T.NAckRange, RefTransactionId: tx, SequenceRange: [43n] });
    d.req({ RequestID: 'r6', RequestTypeData: T.ReQueueRange, RefTransactionId: tx, SequenceRange: [3n], ReQueueChannel: '' });
    d.req({ RequestID: 'r7', RequestTypeData: T.ReQueueRange, RefTransactionId: tx, SequenceRange: [], ReQueueChannel: 'x' });
    d.req({ RequestID: 'r8', RequestTypeData: T.ReQueueRange, RefTransactionId: tx, SequenceRange: [44n], ReQueueChannel: 'x' });
    d.req({ RequestID: 'r9', RequestTypeData: T.ActiveOffsets, RefTransactionId: tx });
    const got: Array<[string, number, string]> = [];
    for (let i = 0; i < 8; i++) {
      const r = await d.reader.expectNext();
      got.push([r.RefRequestId, r.RequestTypeData, r.Error]);
      if (r.RefRequestId !== 'r9') expect(r).toMatchObject({ IsError: true, TransactionId: tx });
      else expect(r.ActiveOffsets).toEqual([3n]);
    }
    expect(got).toEqual([
      ['r2', T.AckRange, 'cannot ack empty list of of offsets'],
      ['r3', T.AckRange, 'invalid ack sequence id 42'],
      ['r4', T.NAckRange, 'cannot nack empty list of of offsets'],
      ['r5', T.NAckRange, 'invalid nack sequence id 43'],
      ['r6', T.ReQueueRange, 'cannot requeue messages with empty channel destination '],
      ['r7', T.ReQueueRange, 'cannot requeue empty list of of offsets'],
      ['r8', T.ReQueueRange, 'invalid ack sequence id 44'],
      ['r9', T.ActiveOffsets, ''],
    ]);
    d.req({ RequestID: 'c1', RequestTypeData: T.AckAll, RefTransactionId: tx });
    d.req({ RequestID: 'c2', RequestTypeData: T.NAckAll, RefTransactionId: tx });
    d.req({ RequestID: 'c3', RequestTypeData: T.ReQueueAll, RefTransactionId: tx, ReQueueChannel: 'x' });
    d.req({ RequestID: 'c4', RequestTypeData: T.ReQueueRange, RefTransactionId: tx, SequenceRange: [3n], ReQueueChannel: 'x' });
    d.req({ RequestID: 'c5', RequestTypeData: T.CloseByClient, RefTransactionId: tx });
    d.req({ RequestID: 'c6', RequestTypeData: T.AckRange, RefTransactionId: tx, SequenceRange: [3n] });
    const closed: Array<[string, number, string]> = [];
    for (let i = 0; i < 4; i++) {
      const r = await d.reader.expectNext();
      closed.push([r.RefRequestId, r.RequestTypeData, r.Error]);
    }
    expect(closed).toEqual([
      ['c2', T.NAckAll, 'cannot nack messages with closed response '],
      ['c3', T.ReQueueAll, 'cannot ack messages with closed response '], // §2.4: ReQueueAll says "ack"
      ['c4', T.ReQueueRange, 'cannot requeue messages with closed response '],
      ['c6', T.AckRange, 'cannot ack messages with closed response '],
    ]);
    expect(await d.reader.next(300)).toBeUndefined(); // CloseByClient on a settled transaction: silence (§6)
    d.call.cancel();
  });

  it('unknown ids and unimplemented types (§6)', async () => {
    const q = unique('q');
    await fill(q, 'a');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
    const tx = (await d.reader.expectNext()).TransactionId;
    d.req({ RequestID: 's1', RequestTypeData: T.TransactionStatus, RefTransactionId: 'nope' });
    d.req({ RequestID: 's2', RequestTypeData: T.AckAll, RefTransactionId: 'nope' });
    for (const [id, type] of [['k9', T.TransactionStatus], ['k0', T.PollRequestTypeUnknown], ['k11', T.CloseByServer], ['k12', 12]] as const) {
      d.req({ RequestID: id, RequestTypeData: type as T, RefTransactionId: tx });
    }
    expect(await d.reader.expectNext()).toMatchObject({ RefRequestId: 's1', RequestTypeData: T.TransactionStatus, IsError: true, Error: 'transaction is completed or transaction id not found', TransactionId: 'nope' });
    expect(await d.reader.expectNext()).toMatchObject({ RefRequestId: 's2', RequestTypeData: T.AckAll, Error: 'transaction is completed or transaction id not found' });
    for (const id of ['k9', 'k0', 'k11', 'k12']) {
      expect(await d.reader.expectNext()).toMatchObject({ RefRequestId: id, RequestTypeData: 0, IsError: true, Error: 'request unknown' });
    }
    d.call.cancel();
  });

  it('NAck requeues with count + 1 and dead-letters after MaxReceiveCount deliveries', async () => {
    const q = unique('q');
    const dlq = unique('dlq');
    await queueApi(b.client).send(qmsg(q, 'a', { Policy: { MaxReceiveCount: 2, MaxReceiveQueue: dlq } }));
    const d = downstream();
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      d.req({ RequestID: `g${i}`, RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
      const r = await d.reader.expectNext();
      counts.push(r.Messages[0]?.Attributes?.ReceiveCount ?? -1);
      d.req({ RequestID: `n${i}`, RequestTypeData: T.NAckAll, RefTransactionId: r.TransactionId });
    }
    expect(counts).toEqual([1, 2]);
    d.req({ RequestID: 'dl', RequestTypeData: T.Get, Channel: dlq, MaxItems: 1, WaitTimeout: 1000, AutoAck: true });
    const dead = await d.reader.expectNext();
    expect(dead.Messages[0]?.Attributes).toMatchObject({ ReRouted: true, ReRoutedFromQueue: q, ReceiveCount: 1, MD5OfBody: '' });
    expect(dead.Messages[0]?.Policy?.MaxReceiveCount).toBe(0);
    d.call.cancel();
  });

  it('ReQueueAll re-sends to another queue without ReRouted', async () => {
    const q = unique('q');
    const other = unique('other');
    await fill(q, 'a');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
    const tx = (await d.reader.expectNext()).TransactionId;
    d.req({ RequestID: 'rq', RequestTypeData: T.ReQueueAll, RefTransactionId: tx, ReQueueChannel: other });
    d.req({ RequestID: 'g2', RequestTypeData: T.Get, Channel: other, MaxItems: 1, WaitTimeout: 1000, AutoAck: true });
    const r = await d.reader.expectNext();
    expect(r.RefRequestId).toBe('g2');
    expect(r.Messages[0]).toMatchObject({ Channel: other });
    expect(r.Messages[0]?.Attributes).toMatchObject({ ReRouted: false, ReceiveCount: 1 });
    d.call.cancel();
  });

  it('CloseByClient and the end of the stream hand messages back without a count increment', async () => {
    const q = unique('q');
    await fill(q, 'a', 'b');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
    const t1 = (await d.reader.expectNext()).TransactionId;
    d.req({ RequestID: 'g2', RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
    await d.reader.expectNext();
    d.req({ RequestID: 'c', RequestTypeData: T.CloseByClient, RefTransactionId: t1 });
    d.call.end(); // half-close is ignored (§5.3): the server does not end the call
    expect(await d.reader.waitEnd(300)).toBe(false);
    d.call.cancel(); // ending the stream closes the second transaction
    const r = await queueApi(b.client).receive({ RequestID: '', ClientID: 'c', Channel: q, MaxNumberOfMessages: 2, WaitTimeSeconds: 2, IsPeak: false });
    expect(r.Messages.map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('an open transaction captures newly arriving messages until it closes, without listing them ([seen] §2.4)', async () => {
    const q = unique('q');
    await fill(q, 'a');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 3, WaitTimeout: 1000 });
    const tx = (await d.reader.expectNext()).TransactionId;
    await fill(q, 'b', 'c', 'd');
    d.req({ RequestID: 'o', RequestTypeData: T.ActiveOffsets, RefTransactionId: tx });
    expect((await d.reader.expectNext()).ActiveOffsets).toEqual([1n]);
    d.req({ RequestID: 'r', RequestTypeData: T.AckRange, RefTransactionId: tx, SequenceRange: [2n] });
    expect(await d.reader.expectNext()).toMatchObject({ IsError: true, Error: 'invalid ack sequence id 2' });
    expect(await peekCount(q)).toBe(1);
    d.req({ RequestID: 'a', RequestTypeData: T.AckAll, RefTransactionId: tx });
    d.req({ RequestID: 'g2', RequestTypeData: T.Get, Channel: q, MaxItems: 10, WaitTimeout: 1000, AutoAck: true });
    const r = await d.reader.expectNext();
    expect(r.Messages.map((m) => m.Body.toString())).toEqual(['b', 'c', 'd']);
    d.call.cancel();
  });

  it('a Get waiting when its stream is cancelled waits on, holding what arrives, until its wait is over (the less forgiving reading of the server)', async () => {
    const q = unique('q');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 10, WaitTimeout: 2000 });
    await new Promise((r) => setTimeout(r, 300)); // the Get is waiting on the empty queue
    d.call.cancel();
    const cancelledAt = Date.now();
    await fill(q, 'late');
    // The server serves a stream's requests one at a time and sees the cancel only after the Get.
    expect(await peekCount(q)).toBe(0);
    let count = 0;
    while ((count = await peekCount(q)) === 0 && Date.now() - cancelledAt < 5000);
    expect(count).toBe(1);
    expect(Date.now() - cancelledAt).toBeGreaterThanOrEqual(1500);
  });

  /**
   * A stream whose open transaction holds a queue's one message, ended while a Get on an empty
   * queue waits (`waitMs`), after `more` requests written behind it. Returns the held queue.
   */
  async function endWithGetOwed(waitMs: number, ...more: Partial<QueuesDownstreamRequest>[]): Promise<string> {
    const q = unique('q');
    await fill(q, 'm');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
    expect((await d.reader.expectNext()).Messages).toHaveLength(1);
    d.req({ RequestID: 'wait', RequestTypeData: T.Get, Channel: unique('empty'), MaxItems: 1, WaitTimeout: waitMs });
    for (const r of more) d.req(r);
    await new Promise((r) => setTimeout(r, 200)); // all read; the Get waits
    d.call.cancel();
    return q;
  }

  it('a stream that ends with two answers owed leaves its transactions open: their messages stay held (§5.3)', async () => {
    const q = await endWithGetOwed(1000, { RequestID: 'status', RequestTypeData: T.TransactionStatus, RefTransactionId: 'x' }); // always answered
    // The Get's answer takes the server's one-slot buffer, the status answer blocks its handler.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await peekCount(q)).toBe(0);
  });

  it('a stream that ends with one answer owed closes its transactions once that request is done', async () => {
    const q = await endWithGetOwed(3000);
    expect(await peekCount(q)).toBe(0); // the Get in hand still waits: nothing is closed yet
    let count = 0;
    const cancelledAt = Date.now();
    while ((count = await peekCount(q)) === 0 && Date.now() - cancelledAt < 5000);
    expect(count).toBe(1);
  });

  it('handles requests one at a time: a pending Get delays the settlement behind it', async () => {
    const q = unique('q');
    await fill(q, 'a');
    const d = downstream();
    d.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q, MaxItems: 1, WaitTimeout: 1000 });
    const tx = (await d.reader.expectNext()).TransactionId;
    d.req({ RequestID: 'wait', RequestTypeData: T.Get, Channel: unique('empty'), MaxItems: 1, WaitTimeout: 1000 });
    d.req({ RequestID: 'bad', RequestTypeData: T.AckRange, RefTransactionId: tx, SequenceRange: [99n] });
    const first = await d.reader.expectNext();
    const second = await d.reader.expectNext();
    expect([first.RefRequestId, second.RefRequestId]).toEqual(['wait', 'bad']);
    d.call.cancel();
  });
});

describe('QueuesUpstream', () => {
  it('answers every request by RefRequestID with results in message order', async () => {
    const q = unique('q');
    const call = b.client.queuesUpstream();
    const reader = new StreamReader(call);
    const send = (r: QueuesUpstreamRequest) => call.write(r);
    send({ RequestID: 'u1', Messages: [qmsg(q, 'a'), qmsg(q, '')] });
    send({ RequestID: '', Messages: [qmsg(q, 'b')] });
    send({ RequestID: 'u3', Messages: [] });
    const byId = new Map<string, QueuesUpstreamResponse>();
    for (let i = 0; i < 3; i++) {
      const r = await reader.expectNext();
      byId.set(r.RefRequestID, r);
    }
    expect(byId.get('u1')).toMatchObject({ IsError: false, Error: '' }); // §6: IsError false though an item failed
    expect(byId.get('u1')?.Results.map((r) => r.IsError)).toEqual([false, true]);
    expect(byId.get('u1')?.Results[1]?.Error).toBe('Error 110: invalid message, cannot be empty');
    expect(byId.get('')?.Results).toHaveLength(1); // §6: empty RequestID → RefRequestID ""
    expect(byId.get('u3')).toMatchObject({ IsError: true, Error: 'no messages to send', Results: [] });
    call.end();
    expect(await reader.waitEnd(300)).toBe(false); // half-close ignored (§5.3)
    call.cancel();
    expect(await peekCount(q)).toBe(2);
  });

  it('stores requests that arrive together last first: the server stores overlapping batches in any order, one batch in its own', async () => {
    const q = unique('q');
    const call = b.client.queuesUpstream();
    const reader = new StreamReader(call);
    call.write({ RequestID: 'first', Messages: [qmsg(q, 'a1'), qmsg(q, 'a2')] });
    call.write({ RequestID: 'second', Messages: [qmsg(q, 'b1'), qmsg(q, 'b2')] });
    for (let i = 0; i < 2; i++) await reader.expectNext();
    const got = await queueApi(b.client).receive({ RequestID: '', ClientID: 'p', Channel: q, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, IsPeak: true });
    expect(got.Messages.map((m) => m.Body.toString())).toEqual(['b1', 'b2', 'a1', 'a2']);
    call.end();
    expect(await reader.waitEnd(300)).toBe(false);
    call.cancel();
    expect(b.emu.panicked).toBeUndefined();
  });
});
