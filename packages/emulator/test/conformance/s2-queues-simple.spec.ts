// docs/broker-behaviour.md §2.4 Queues: send, delay, expiration, receive, peek, AckAll, DLQ (simple API).
import * as grpc from '@grpc/grpc-js';
import { QueuesDownstreamRequestType as DT } from '@kubemq/emulator/wire';
import { ownBroker } from '@kubemq/testing/jest';
import { ch, cid } from './support/naming.js';
import { ackAllQueue, closeAll, connect, downstream, grpcError, receiveQueue, sendQueueBatch, sendQueueMessage, sleep, text } from './support/raw.js';

afterAll(closeAll);
const NUID = /^[0-9A-Za-z]{22}$/;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

describe('§2.4 Queues: send', () => {
  it('§2.4 SendQueueMessage generates a MessageID; SentAt is Unix ns; errors go in the result', async () => {
    const before = nowNs();
    const r = await sendQueueMessage(connect(), { ClientID: cid(), Channel: ch('s24.send'), Body: Buffer.from('x') });
    expect(r.MessageID).toMatch(NUID);
    expect(r.IsError).toBe(false);
    // Unix ns, within minutes of this machine's clock (the broker's may be off by seconds).
    expect(r.SentAt).toBeGreaterThanOrEqual(before - 300_000_000_000n);
    expect(r.SentAt).toBeLessThanOrEqual(nowNs() + 300_000_000_000n);
  });

  it('§6 a send that fails validation still returns a generated MessageID, with SentAt 0 and IsError', async () => {
    const r = await sendQueueMessage(connect(), { ClientID: cid(), Channel: '', Body: Buffer.from('x') });
    expect(r).toMatchObject({ IsError: true, SentAt: 0n });
    expect(r.MessageID).toMatch(NUID);
    expect(r.Error).toBe('Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot');
  });

  it('§2.4 SendQueueMessagesBatch: an empty batch is gRPC UNKNOWN `empty messages batch`', async () => {
    const err = await grpcError(sendQueueBatch(connect(), { BatchID: 'b0', Messages: [] }));
    expect(err.code).toBe(grpc.status.UNKNOWN);
    expect(err.details).toBe('empty messages batch');
  });

  it('§2.4 [seen] batch results are per message, in order; HaveErrors stays false for validation errors', async () => {
    const channel = ch('s24.batch');
    const r = await sendQueueBatch(connect(), {
      BatchID: 'b1',
      Messages: [
        { MessageID: 'ok-1', ClientID: cid(), Channel: channel, Body: Buffer.from('1') },
        { MessageID: 'bad-120', ClientID: cid(), Channel: 'a b', Body: Buffer.from('2') },
        { MessageID: 'bad-110', ClientID: cid(), Channel: channel },
        { MessageID: 'bad-135', ClientID: cid(), Channel: channel, Body: Buffer.from('4'), Policy: { DelaySeconds: 43201 } },
        { MessageID: 'ok-2', ClientID: cid(), Channel: channel, Body: Buffer.from('5') },
      ],
    });
    expect(r.BatchID).toBe('b1');
    expect(r.HaveErrors).toBe(false);
    expect(r.Results.map((x) => [x.MessageID, x.IsError, x.Error.slice(0, 9)])).toEqual([
      ['ok-1', false, ''],
      ['bad-120', true, 'Error 120'],
      ['bad-110', true, 'Error 110'],
      ['bad-135', true, 'Error 135'],
      ['ok-2', false, ''],
    ]);
  });

  it('§2.4 Attributes are reset on send; Policy.MaxReceiveCount 0 becomes 1024', async () => {
    const c = connect();
    const channel = ch('s24.attrs');
    await sendQueueMessage(c, {
      ClientID: cid(),
      Channel: channel,
      Body: Buffer.from('x'),
      Attributes: { Sequence: 999, ReceiveCount: 50, ReRouted: true, ReRoutedFromQueue: 'fake', MD5OfBody: 'abc', DelayedTo: 5 },
    });
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    const m = r.Messages[0];
    expect(m?.Attributes).toMatchObject({ ReceiveCount: 1, ReRouted: false, ReRoutedFromQueue: '', MD5OfBody: '', DelayedTo: 0n });
    expect(m?.Attributes?.Sequence).not.toBe(999n);
    expect(m?.Policy?.MaxReceiveCount).toBe(1024);
  });
});

describe('§2.4 Queues: delay and expiration', () => {
  it('§2.4 ExpirationAt = now + Expiration + Delay seconds; DelayedTo = now + Delay', async () => {
    const r = await sendQueueMessage(connect(), {
      ClientID: cid(),
      Channel: ch('s24.expat'),
      Body: Buffer.from('x'),
      Policy: { ExpirationSeconds: 100, DelaySeconds: 20 },
    });
    // Against SentAt, the broker's own clock (stamped a moment after the two are computed).
    expect(r.ExpirationAt - r.SentAt).toBeGreaterThan(119_000_000_000n);
    expect(r.ExpirationAt - r.SentAt).toBeLessThanOrEqual(120_000_000_000n);
    expect(r.DelayedTo - r.SentAt).toBeGreaterThan(19_000_000_000n);
    expect(r.DelayedTo - r.SentAt).toBeLessThanOrEqual(20_000_000_000n);
  });

  it('§2.4 [seen] a delayed message is not received before the delay and is after it, with DelayedTo 0 and a new sequence', async () => {
    const c = connect();
    const channel = ch('s24.delay');
    const sent = await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('later'), Policy: { DelaySeconds: 2 } });
    expect(sent.IsError).toBe(false);
    const early = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(early.Messages).toHaveLength(0);
    await sleep(1500);
    const late = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    expect(late.Messages.map((m) => text(m.Body))).toEqual(['later']);
    expect(late.Messages[0]?.Attributes?.DelayedTo).toBe(0n);
    expect(late.Messages[0]?.Attributes?.Sequence).toBeGreaterThan(0n);
  });

  it('§2.4 an expired message is dropped when delivery is attempted; simple receive counts it in MessagesExpired', async () => {
    const c = connect();
    const channel = ch('s24.expire');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('short'), Policy: { ExpirationSeconds: 1 } });
    await sleep(1600);
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(r.Messages).toHaveLength(0);
    expect(r.MessagesExpired).toBe(1);
  });

  it('§6 peek of an expired message drops it and counts it in MessagesExpired', async () => {
    const c = connect();
    const channel = ch('s6.peekexp');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('short'), Policy: { ExpirationSeconds: 1 } });
    await sleep(1600);
    const peek = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: true });
    expect(peek).toMatchObject({ IsPeak: true, MessagesExpired: 1 });
    expect(peek.Messages).toHaveLength(0);
  });
});

// The server's delay scan reads `_QUEUE_DELAY_` through a subscription that stan lets hold 1024
// unacked messages, and keeps what it read in a map keyed by MessageID. Both tests leave
// delayed messages holding the scan for a while, so they run on a broker of their own.
describe('§2.4 Queues: the delay scan (own broker)', () => {
  const own = ownBroker('its delayed messages would hold up those of the other tests');
  let c: ReturnType<typeof connect>;

  beforeAll(() => {
    if (own.available) c = connect(own.broker.address);
  });

  own.it('§2.4 it holds 1024 delayed messages at once: a shorter delay sent after them waits until they are re-sent', async () => {
    const held = ch('s24.delay.held');
    const batch = await sendQueueBatch(c, {
      BatchID: 'delay-window',
      Messages: Array.from({ length: 1024 }, (_, i) => ({ ClientID: cid(), Channel: held, Body: Buffer.from(`h${i}`), Policy: { DelaySeconds: 6 } })),
    });
    expect(batch.Results.filter((r) => r.IsError)).toEqual([]);
    const heldUntil = batch.Results[0]?.DelayedTo ?? 0n;
    const channel = ch('s24.delay.behind');
    const sent = await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('short'), Policy: { DelaySeconds: 1 } });
    expect(sent.IsError).toBe(false);
    const due = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 3 });
    expect(due.Messages).toHaveLength(0); // due 2 s ago, still behind the 1024
    const late = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 10 });
    expect(late.Messages.map((m) => text(m.Body))).toEqual(['short']);
    expect(late.Messages[0]?.Attributes?.Timestamp).toBeGreaterThan(heldUntil); // re-sent only after the first of them was
  }, 30_000);

  own.it('§2.4 it keeps one delayed message per MessageID: the one read last wins, the other does not come when due', async () => {
    const channel = ch('s24.delay.sameid');
    const id = `same-${cid()}`;
    await sendQueueMessage(c, { MessageID: id, ClientID: cid(), Channel: channel, Body: Buffer.from('first'), Policy: { DelaySeconds: 1 } });
    await sendQueueMessage(c, { MessageID: id, ClientID: cid(), Channel: channel, Body: Buffer.from('second'), Policy: { DelaySeconds: 2 } });
    await sleep(3_000);
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 });
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['second']);
  }, 30_000);

  // Last here: the message holds one of the scan's 1024 places for 12 h.
  own.it('§2.4 the longest delay, 43200 s, is accepted (inclusive; 43201 is Error 135, §3)', async () => {
    const r = await sendQueueMessage(c, { ClientID: cid(), Channel: ch('s24.delay.max'), Body: Buffer.from('x'), Policy: { DelaySeconds: 43200 } });
    expect(r).toMatchObject({ IsError: false, Error: '' });
    expect(r.DelayedTo - r.SentAt).toBeGreaterThan(43_199_000_000_000n);
    expect(r.DelayedTo - r.SentAt).toBeLessThanOrEqual(43_200_000_000_000n);
  });
});

describe('§2.4 Queues: ReceiveQueueMessages', () => {
  it('§2.4 simple receive acks on arrival (at-most-once): a second receive gets nothing', async () => {
    const c = connect();
    const channel = ch('s24.recv');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('once') });
    const first = await receiveQueue(c, { RequestID: 'rq1', ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(first).toMatchObject({ RequestID: 'rq1', MessagesReceived: 1, IsPeak: false, IsError: false });
    expect(text(first.Messages[0]?.Body)).toBe('once');
    const second = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(second.Messages).toHaveLength(0);
  });

  it('§2.4 receive returns at once when MaxNumberOfMessages is reached', async () => {
    const c = connect();
    const channel = ch('s24.recvmax');
    for (const b of ['a', 'b']) await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(b) });
    const started = performance.now();
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 2, WaitTimeSeconds: 5 });
    expect(r.Messages.map((m) => text(m.Body))).toEqual(['a', 'b']);
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('§2.4 receive waits the full WaitTimeSeconds when fewer messages exist', async () => {
    const c = connect();
    const channel = ch('s24.recvwait');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('only') });
    const started = performance.now();
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 5, WaitTimeSeconds: 2 });
    expect(r.Messages).toHaveLength(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('§2.4 WaitTimeSeconds 0 waits the 1 s default', async () => {
    const started = performance.now();
    const r = await receiveQueue(connect(), { ClientID: cid(), Channel: ch('s24.wait0'), MaxNumberOfMessages: 1, WaitTimeSeconds: 0 });
    expect(r.Messages).toHaveLength(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('§2.4/§6 peek does not remove, and leaves ReceiveCount unchanged', async () => {
    const c = connect();
    const channel = ch('s24.peek');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('peeked') });
    for (let i = 0; i < 2; i++) {
      const p = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: true });
      expect(p.IsPeak).toBe(true);
      expect(p.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['peeked', 1]]);
    }
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(r.Messages.map((m) => [text(m.Body), m.Attributes?.ReceiveCount])).toEqual([['peeked', 1]]);
  });

  it('§2.4 peek sees only messages not in flight elsewhere', async () => {
    const c = connect();
    const channel = ch('s24.peekflight');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('held') });
    const d = downstream(c);
    const got = await d.request({ RequestID: 'g', ClientID: cid(), RequestTypeData: DT.Get, Channel: channel, MaxItems: 1, WaitTimeout: 1000 });
    expect(got.Messages).toHaveLength(1);
    const p = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: true });
    expect(p.Messages).toHaveLength(0);
    d.cancel();
  });
});

describe('§2.4 Queues: AckAllQueueMessages', () => {
  it('§2.4 AckAll acks what is waiting, reports AffectedMessages, and always blocks WaitTimeSeconds', async () => {
    const c = connect();
    const channel = ch('s24.ackall');
    for (const b of ['1', '2', '3']) await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(b) });
    const started = performance.now();
    const r = await ackAllQueue(c, { RequestID: 'aa', ClientID: cid(), Channel: channel, WaitTimeSeconds: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(r).toMatchObject({ RequestID: 'aa', AffectedMessages: 3n, IsError: false });
    const after = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(after.Messages).toHaveLength(0);
  });

  it('§2.4 AckAll WaitTimeSeconds 0 blocks the 1 s default', async () => {
    const started = performance.now();
    const r = await ackAllQueue(connect(), { ClientID: cid(), Channel: ch('s24.ackall0'), WaitTimeSeconds: 0 });
    expect(r.AffectedMessages).toBe(0n);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('§2.4 Queues: ReceiveCount and dead-letter', () => {
  const nackAll = async (channel: string) => {
    const d = downstream(connect());
    const got = await d.request({ RequestID: 'g', ClientID: cid(), RequestTypeData: DT.Get, Channel: channel, MaxItems: 1, WaitTimeout: 1000 });
    if (got.Messages.length > 0) d.write({ RequestID: 'n', ClientID: cid(), RequestTypeData: DT.NAckAll, RefTransactionId: got.TransactionId });
    await sleep(150);
    d.cancel();
    return got.Messages;
  };

  it('§2.4/§6 [seen] with MaxReceiveCount 2 a message is delivered twice (counts 1, 2), then lands in the DLQ re-routed', async () => {
    const c = connect();
    const channel = ch('s24.dlq');
    const dlq = ch('s24.dlq.dead');
    await sendQueueMessage(c, {
      ClientID: cid(),
      Channel: channel,
      Body: Buffer.from('poison'),
      Policy: { MaxReceiveCount: 2, MaxReceiveQueue: dlq, ExpirationSeconds: 600 },
    });
    const first = await nackAll(channel);
    const second = await nackAll(channel);
    expect([first[0]?.Attributes?.ReceiveCount, second[0]?.Attributes?.ReceiveCount]).toEqual([1, 2]);
    expect(second[0]?.Attributes?.Sequence).not.toBe(first[0]?.Attributes?.Sequence);
    const none = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    expect(none.Messages).toHaveLength(0);
    const dead = await receiveQueue(c, { ClientID: cid(), Channel: dlq, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 });
    const m = dead.Messages[0];
    expect(text(m?.Body)).toBe('poison');
    expect(m?.Attributes).toMatchObject({ ReRouted: true, ReRoutedFromQueue: channel, ReceiveCount: 1, MD5OfBody: '' });
    expect(m?.Attributes?.ExpirationAt).toBeGreaterThan(0n);
    expect(m?.Policy).toMatchObject({ MaxReceiveCount: 0, MaxReceiveQueue: '', DelaySeconds: 0 });
  });

  it('§2.4 without a dead-letter queue the message is silently dropped after MaxReceiveCount deliveries', async () => {
    const c = connect();
    const channel = ch('s24.drop');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('gone'), Policy: { MaxReceiveCount: 1 } });
    const first = await nackAll(channel);
    expect(first).toHaveLength(1);
    const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: true });
    expect(r.Messages).toHaveLength(0);
  });
});

describe('§2.4 Queues: concurrent simple receives', () => {
  // On a queue the server has not served yet, each of two calls arriving together connects a
  // pooled client of its own, so they run side by side; later calls share the one kept.
  it('§2.4/§6 [seen] concurrent simple receives on a fresh queue run at the same time: two 1 s receives on an empty queue both return after about 1 s', async () => {
    const c = connect();
    const channel = ch('s24.concurrent');
    const started = performance.now();
    const ends = await Promise.all(
      [0, 1].map(() => receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }).then(() => performance.now() - started)),
    );
    for (const end of ends) expect(end).toBeGreaterThanOrEqual(950); // each waited its full second
    expect(Math.max(...ends)).toBeLessThan(1900); // side by side: one after the other would take 2 s
  });

  /** Ends (ms from the start) of `calls`, started together on a queue the server has served once. */
  async function endsAfterFirstUse(channel: string, calls: ((c: ReturnType<typeof connect>) => Promise<unknown>)[]): Promise<number[]> {
    const c = connect();
    await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    const started = performance.now();
    return Promise.all(calls.map((call) => call(c).then(() => performance.now() - started)));
  }

  it('§2.4 once a queue has been served, its simple receives take turns: two 1 s receives end after about 1 s and 2 s', async () => {
    const channel = ch('s24.turns');
    const receive = (c: ReturnType<typeof connect>) => receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    const ends = (await endsAfterFirstUse(channel, [receive, receive])).sort((a, b) => a - b);
    expect(ends[0]).toBeGreaterThanOrEqual(950);
    expect(ends[0]).toBeLessThan(1900);
    expect(ends[1]).toBeGreaterThanOrEqual(1900); // the second waited for the first
  });

  it('§2.4 an AckAll holds the queue for its whole wait: a receive sent with it ends after both waits', async () => {
    const channel = ch('s24.turns.ackall');
    const [purgeEnd, receiveEnd] = await endsAfterFirstUse(channel, [
      (c) => ackAllQueue(c, { ClientID: cid(), Channel: channel, WaitTimeSeconds: 2 }),
      // Sent a little later, so the AckAll is surely first in line.
      (c) => sleep(200).then(() => receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 })),
    ]);
    expect(purgeEnd).toBeGreaterThanOrEqual(1900);
    expect(receiveEnd).toBeGreaterThanOrEqual(2900);
  });
});
