/// <reference types="jest" />
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../clock.js';
import { DEFAULT_QUEUE_LIMITS } from '../../config.js';
import type { QueueMessage, QueueMessagePolicy } from '../../generated/kubemq.js';
import { silentLogger } from '../../log.js';
import { queueMessageError } from '../../service/queues/validation.js';
import { fileStore, memoryStore } from '../../store/index.js';
import type { Store } from '../../store/store.js';
import { QueueEngine } from './engine.js';
import { newNuid } from './ids.js';

const limits = { ...DEFAULT_QUEUE_LIMITS };
const NS = 1_000_000n;

function engine(store: Store = memoryStore(), clock = new ManualClock(), retentionMs = 0): { e: QueueEngine; clock: ManualClock; store: Store } {
  const e = new QueueEngine({
    retentionMs,
    store,
    clock,
    limits,
    log: silentLogger,
    validate: (m) => queueMessageError(m, limits),
    invalidPublishText: 'stan: invalid publish request',
    persist: true, // the replay tests use a memory store
  });
  return { e, clock, store };
}

function msg(channel: string, body: string, policy?: Partial<QueueMessagePolicy>): QueueMessage {
  return {
    MessageID: newNuid(),
    ClientID: 'c1',
    Channel: channel,
    Metadata: '',
    Body: Buffer.from(body),
    Tags: { k: 'v' },
    Attributes: undefined,
    Policy: policy ? { ExpirationSeconds: 0, DelaySeconds: 0, MaxReceiveCount: 0, MaxReceiveQueue: '', ...policy } : undefined,
  };
}

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('expected a value');
  return v;
}

/** Lets promise callbacks run (the engine resolves consumers from timers and pumps). */
const settle = () => new Promise((r) => setImmediate(r));

function bodies(ms: QueueMessage[]): string[] {
  return ms.map((m) => m.Body.toString());
}

async function receiveNow(e: QueueEngine, clock: ManualClock, channel: string, max = 100, peek = false) {
  const p = e.receive(channel, { max, waitMs: 1000, peek });
  await settle();
  clock.advance(1000);
  return p;
}

describe('QueueEngine send path', () => {
  it('gives sequences, Unix-ns attributes, and the receive-count default', async () => {
    const { e, clock } = engine();
    const now = clock.nowNs();
    const [r1, r2] = e.publish([msg('q', 'a', { ExpirationSeconds: 10 }), msg('q', 'b')]);
    expect(r1).toMatchObject({ IsError: false, SentAt: now, ExpirationAt: now + 10_000n * NS, DelayedTo: 0n });
    expect(r2).toMatchObject({ IsError: false, ExpirationAt: 0n });
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages.map((m) => m.Attributes?.Sequence)).toEqual([1n, 2n]);
    expect(out.messages[1]?.Policy?.MaxReceiveCount).toBe(1024);
    expect(out.messages[0]?.Attributes).toMatchObject({ Timestamp: now, ReceiveCount: 1, MD5OfBody: '', ReRouted: false });
  });

  it('computes ExpirationAt = now + expiration + delay', () => {
    const { e, clock } = engine();
    const now = clock.nowNs();
    const [r] = e.publish([msg('q', 'a', { ExpirationSeconds: 10, DelaySeconds: 5 })]);
    expect(r?.ExpirationAt).toBe(now + 15_000n * NS);
    expect(r?.DelayedTo).toBe(now + 5_000n * NS);
  });

  it('refuses stan-invalid subjects as a publish failure', () => {
    const { e } = engine();
    for (const ch of ['a/b', 'a..b', '.a']) {
      const [r] = e.publish([msg(ch, 'x')]);
      expect(r).toMatchObject({ IsError: true, Error: 'stan: invalid publish request', SentAt: 0n });
    }
  });

  it('resets attributes a client sends', async () => {
    const { e, clock } = engine();
    const m = msg('q', 'a');
    m.Attributes = { Timestamp: 5n, Sequence: 99n, MD5OfBody: 'x', ReceiveCount: 7, ReRouted: true, ReRoutedFromQueue: 'z', ExpirationAt: 1n, DelayedTo: 0n };
    e.publish([m]);
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages[0]?.Attributes).toMatchObject({ Sequence: 1n, ReceiveCount: 1, ReRouted: false, ReRoutedFromQueue: '', ExpirationAt: 0n, MD5OfBody: '' });
  });
});

describe('simple receive, peek, AckAll', () => {
  it('returns as soon as max messages are there', async () => {
    const { e } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b'), msg('q', 'c')]);
    const out = await e.receive('q', { max: 2, waitMs: 60_000, peek: false });
    expect(bodies(out.messages)).toEqual(['a', 'b']);
  });

  it('waits the full time when fewer exist, taking what arrives meanwhile', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    let done = false;
    const p = e.receive('q', { max: 5, waitMs: 3000, peek: false }).then((r) => {
      done = true;
      return r;
    });
    await settle();
    clock.advance(2000);
    e.publish([msg('q', 'b')]);
    await settle();
    expect(done).toBe(false);
    clock.advance(1000);
    const out = await p;
    expect(bodies(out.messages)).toEqual(['a', 'b']);
  });

  it('acks on arrival: a second receive gets nothing', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    expect((await receiveNow(e, clock, 'q')).messages).toHaveLength(1);
    expect((await receiveNow(e, clock, 'q')).messages).toHaveLength(0);
  });

  it('runs receives on one queue one at a time', async () => {
    const { e, clock } = engine();
    const first = e.receive('q', { max: 1, waitMs: 1000, peek: false });
    const second = e.receive('q', { max: 1, waitMs: 1000, peek: false });
    await settle();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    expect(bodies((await first).messages)).toEqual(['a']);
    await settle();
    expect(bodies((await second).messages)).toEqual(['b']);
    clock.advance(0);
  });

  it('peek leaves messages and counts unchanged and sees none in flight elsewhere', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const peek1 = await receiveNow(e, clock, 'q', 10, true);
    expect(bodies(peek1.messages)).toEqual(['a', 'b']);
    expect(peek1.messages.map((m) => m.Attributes?.ReceiveCount)).toEqual([1, 1]);
    const tx = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false });
    const peek2 = await receiveNow(e, clock, 'q', 10, true);
    expect(bodies(peek2.messages)).toEqual(['b']);
    tx?.close();
    const out = await receiveNow(e, clock, 'q');
    expect(bodies(out.messages)).toEqual(['a', 'b']);
    expect(out.messages.map((m) => m.Attributes?.ReceiveCount)).toEqual([1, 1]);
  });

  it('a receive whose caller already left takes nothing', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    const ac = new AbortController();
    ac.abort();
    expect((await e.receive('q', { max: 5, waitMs: 1000, peek: false, signal: ac.signal })).messages).toEqual([]);
    expect(await e.get('q', { maxItems: 5, waitMs: 1000, autoAck: true, signal: ac.signal })).toBeUndefined();
    expect(await e.ackAll('q', 1000, ac.signal)).toBe(0);
    expect(await e.receiveOne('q', 1000, ac.signal)).toBeUndefined();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['a']);
  });

  it('AckAll acks whatever arrives and always waits', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    let count: number | undefined;
    const p = e.ackAll('q', 2000).then((n) => (count = n));
    await settle();
    e.publish([msg('q', 'c')]);
    clock.advance(1999);
    await settle();
    expect(count).toBeUndefined();
    clock.advance(1);
    await p;
    expect(count).toBe(3);
    expect((await receiveNow(e, clock, 'q')).messages).toHaveLength(0);
  });
});

describe('expiration', () => {
  it('drops expired messages on delivery and counts them for simple receive', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'old', { ExpirationSeconds: 1 }), msg('q', 'fresh')]);
    clock.advance(1001);
    const out = await receiveNow(e, clock, 'q');
    expect(bodies(out.messages)).toEqual(['fresh']);
    expect(out.expired).toBe(1);
  });

  it('peek of an expired message drops it and counts it', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'old', { ExpirationSeconds: 1 })]);
    clock.advance(1001);
    expect((await receiveNow(e, clock, 'q', 10, true)).expired).toBe(1);
    expect(e.waiting('q')).toBe(0);
  });

  it('downstream drops expired messages silently', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'old', { ExpirationSeconds: 1 }), msg('q', 'fresh')]);
    clock.advance(2000);
    const tx = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: true });
    expect(bodies(tx?.messages ?? [])).toEqual(['fresh']);
  });
});

describe('receive counts and dead-letter', () => {
  it('nack re-publishes a copy at the tail with a new sequence and count + 1', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const tx = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false });
    expect(tx?.nackAll()).toBeUndefined();
    const out = await receiveNow(e, clock, 'q');
    expect(bodies(out.messages)).toEqual(['b', 'a']);
    expect(out.messages[1]?.Attributes).toMatchObject({ Sequence: 3n, ReceiveCount: 2 });
  });

  it('delivers MaxReceiveCount times, then dead-letters ([seen] counts 1, 2 for a limit of 2)', async () => {
    const { e, clock } = engine();
    const [sent] = e.publish([msg('q', 'a', { MaxReceiveCount: 2, MaxReceiveQueue: 'dlq', ExpirationSeconds: 3600 })]);
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const tx = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false });
      counts.push(tx?.messages[0]?.Attributes?.ReceiveCount ?? -1);
      tx?.nackAll();
    }
    expect(counts).toEqual([1, 2]);
    expect(e.waiting('q')).toBe(0);
    const out = await receiveNow(e, clock, 'dlq');
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0]?.Channel).toBe('dlq');
    expect(out.messages[0]?.Attributes).toMatchObject({
      ReceiveCount: 1,
      ReRouted: true,
      ReRoutedFromQueue: 'q',
      MD5OfBody: '',
      ExpirationAt: sent?.ExpirationAt,
    });
    expect(out.messages[0]?.Policy).toEqual({ ExpirationSeconds: 0, DelaySeconds: 0, MaxReceiveCount: 0, MaxReceiveQueue: '' });
  });

  it('drops the message silently without a DLQ', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a', { MaxReceiveCount: 1 })]);
    const tx = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false });
    tx?.nackAll();
    expect(e.waiting('q')).toBe(0);
    expect((await receiveNow(e, clock, 'q')).messages).toHaveLength(0);
  });

  it('a stream-v1 style receive holds one message until settled', async () => {
    const { e } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const m = await e.receiveOne('q', 1000);
    expect(m?.seq).toBe(1);
    expect(e.inFlight('q')).toBe(1);
    e.ack('q', [must(m)]);
    expect(e.inFlight('q')).toBe(0);
  });

  it('receiveOne gives undefined when nothing comes in time', async () => {
    const { e, clock } = engine();
    const p = e.receiveOne('q', 1000);
    clock.advance(1000);
    expect(await p).toBeUndefined();
  });
});

describe('delay', () => {
  it('keeps delayed messages invisible until the scan re-sends them with a new sequence and DelayedTo 0', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'late', { DelaySeconds: 2 }), msg('q', 'now')]);
    expect(e.delayedCount).toBe(1);
    const first = await receiveNow(e, clock, 'q');
    expect(bodies(first.messages)).toEqual(['now']);
    clock.advance(1000); // 2000 ms after the send + scan granularity
    await settle();
    const out = await receiveNow(e, clock, 'q');
    expect(bodies(out.messages)).toEqual(['late']);
    expect(out.messages[0]?.Attributes).toMatchObject({ Sequence: 2n, DelayedTo: 0n });
    expect(e.delayedCount).toBe(0);
  });
});

describe('downstream transactions', () => {
  it('Get returns at MaxItems, or only after the full wait', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const full = await e.get('q', { maxItems: 2, waitMs: 60_000, autoAck: true });
    expect(bodies(full?.messages ?? [])).toEqual(['a', 'b']);
    e.publish([msg('q', 'c')]);
    let done = false;
    const p = e.get('q', { maxItems: 5, waitMs: 1500, autoAck: true }).then((t) => ((done = true), t));
    clock.advance(1499);
    await settle();
    expect(done).toBe(false);
    clock.advance(1);
    expect(bodies((await p)?.messages ?? [])).toEqual(['c']);
  });

  it('AutoAck and empty Gets are closed at once', async () => {
    const { e, clock } = engine();
    const pEmpty = e.get('q', { maxItems: 5, waitMs: 1000, autoAck: false });
    clock.advance(1000);
    const empty = await pEmpty;
    expect(empty?.messages).toEqual([]);
    expect(empty?.closed).toBe(true);
    expect(empty?.ackAll()).toEqual({ code: 'closed' });
    e.publish([msg('q', 'a')]);
    const auto = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: true });
    expect(auto?.closed).toBe(true);
    expect((await receiveNow(e, clock, 'q')).messages).toHaveLength(0);
  });

  it('an open transaction captures later messages: hidden, listed, not acked by AckAll, back on close ([seen] §2.4)', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    const p = e.get('q', { maxItems: 3, waitMs: 1000, autoAck: false });
    clock.advance(1000);
    const tx = must(await p);
    expect(bodies(tx.messages)).toEqual(['a']);
    e.publish([msg('q', 'b'), msg('q', 'c'), msg('q', 'd')]);
    expect(tx.activeOffsets()).toEqual([1n, 2n, 3n]); // room for MaxItems − received = 2
    const peek = await receiveNow(e, clock, 'q', 10, true);
    expect(bodies(peek.messages)).toEqual(['d']);
    expect(tx.ackAll()).toBeUndefined();
    const out = await receiveNow(e, clock, 'q');
    expect(bodies(out.messages)).toEqual(['b', 'c', 'd']);
    expect(out.messages.map((m) => m.Attributes?.ReceiveCount)).toEqual([1, 1, 1]);
  });

  it('ranges apply item by item and stop at an unknown sequence', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b'), msg('q', 'c')]);
    const tx = must(await e.get('q', { maxItems: 3, waitMs: 1000, autoAck: false }));
    expect(tx.ackRange([])).toEqual({ code: 'empty-list' });
    expect(tx.ackRange([1n, 9n, 2n])).toEqual({ code: 'invalid-sequence', seq: 9n });
    expect(tx.activeOffsets()).toEqual([2n, 3n]);
    expect(tx.nackRange([2n])).toBeUndefined();
    expect(tx.nackRange([7n])).toEqual({ code: 'invalid-sequence', seq: 7n });
    expect(tx.activeOffsets()).toEqual([3n]);
    expect(tx.ackRange([3n])).toBeUndefined();
    expect(tx.closed).toBe(true); // every message settled
    expect(tx.activeOffsets()).toEqual({ code: 'closed' });
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages.map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount])).toEqual([['b', 2]]);
  });

  it('requeue re-sends through the send path: ReRouted lost, expiration restarts', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a', { ExpirationSeconds: 100 }), msg('q', 'b')]);
    const tx = must(await e.get('q', { maxItems: 2, waitMs: 1000, autoAck: false }));
    clock.advance(5000);
    expect(tx.requeueRange([1n], '')).toEqual({ code: 'empty-channel' });
    expect(tx.requeueRange([], 'other')).toEqual({ code: 'empty-list' });
    expect(tx.requeueRange([5n], 'other')).toEqual({ code: 'invalid-sequence', seq: 5n });
    expect(tx.requeueRange([1n], 'other')).toBeUndefined();
    expect(tx.requeueAll('other')).toBeUndefined();
    expect(tx.requeueAll('other')).toEqual({ code: 'closed' });
    const out = await receiveNow(e, clock, 'other');
    expect(bodies(out.messages)).toEqual(['a', 'b']);
    expect(out.messages[0]?.Attributes).toMatchObject({ ReRouted: false, ReceiveCount: 1, ExpirationAt: clock.nowNs() - 1000n * NS + 100_000n * NS });
    expect(e.waiting('q') + e.inFlight('q')).toBe(0);
  });

  it('close hands unsettled messages back without a count increment', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false }));
    tx.close();
    tx.close();
    expect(tx.nackAll()).toEqual({ code: 'closed' });
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages[0]?.Attributes).toMatchObject({ Sequence: 1n, ReceiveCount: 1 });
  });

  it('an aborted Get hands its messages back', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    const ac = new AbortController();
    const p = e.get('q', { maxItems: 5, waitMs: 10_000, autoAck: false, signal: ac.signal });
    await settle();
    ac.abort();
    expect(await p).toBeUndefined();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['a']);
  });
});

describe('QueuesInfo', () => {
  it('lists queues with stored messages under the cutset-trimmed name, filtered, with totals', async () => {
    const { e, clock } = engine();
    e.publish([msg('alpha', 'x'), msg('alpha', 'y'), msg('QA_S', 'z')]);
    void e.receiveOne('never-sent', 1); // a queue without messages is not listed
    clock.advance(1);
    await receiveNow(e, clock, 'alpha', 1);
    const all = e.info('');
    expect(all.Queues.map((q) => q.Name)).toEqual(['A', 'alpha']);
    const alpha = must(all.Queues.find((q) => q.Name === 'alpha'));
    expect(alpha).toMatchObject({ Messages: 2n, FirstSequence: 1n, LastSequence: 2n, Sent: 2n, Delivered: 1n, Waiting: 1n, Subscribers: 1n });
    expect(alpha.Bytes > 0n).toBe(true);
    const qa = must(all.Queues.find((q) => q.Name === 'A'));
    expect(qa).toMatchObject({ Sent: 1n, Waiting: 1n, Delivered: 0n, Subscribers: 0n });
    const one = e.info('A;nope');
    expect(one).toMatchObject({ TotalQueue: 1, Sent: 1n, Waiting: 1n, Delivered: 0n });
    expect(e.info('QA_S').TotalQueue).toBe(0);
  });
});

describe('retention (STORE_MAX_RETENTION)', () => {
  it('removes stored messages older than the retention, consumed or not, and moves FirstSequence', async () => {
    const { e, clock } = engine(memoryStore(), new ManualClock(), 60_000);
    e.publish([msg('q', 'old'), msg('q', 'acked-old')]);
    await e.receive('q', { max: 1, waitMs: 1000, peek: false }); // 'old' acked, 'acked-old' waits
    clock.advance(30_000);
    e.publish([msg('q', 'new')]);
    clock.advance(31_000); // the sweep ran at 60 s (nothing older than 0 s yet)
    expect(e.info('q').Queues[0]).toMatchObject({ Messages: 3n, FirstSequence: 1n });
    e.applyRetention(); // 61 s: the two messages of t=0 go
    expect(e.info('q').Queues[0]).toMatchObject({ Messages: 1n, FirstSequence: 3n, LastSequence: 3n });
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['new']);
    clock.advance(120_000); // the periodic sweep removes the rest: the queue is no longer listed
    expect(e.info('q').TotalQueue).toBe(0);
    e.publish([msg('q', 'next')]);
    expect(e.info('q').Queues[0]).toMatchObject({ FirstSequence: 4n, LastSequence: 4n, Messages: 1n });
    e.close();
  });

  it('trims again at start: a restart does not bring back what retention removed', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock, 10_000);
    e.publish([msg('q', 'a')]);
    e.close();
    clock.advance(10_001);
    const { e: e2 } = engine(store, clock, 10_000);
    expect(e2.info('q').TotalQueue).toBe(0);
    expect((await receiveNow(e2, clock, 'q')).messages).toEqual([]);
    e2.close();
  });

  it('drops a message handed back after retention removed it', async () => {
    const { e, clock } = engine(memoryStore(), new ManualClock(), 10_000);
    e.publish([msg('q', 'a')]);
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false }));
    clock.advance(10_001);
    e.applyRetention();
    tx.close();
    expect((await receiveNow(e, clock, 'q')).messages).toEqual([]);
    e.close();
  });
});

describe('persistence', () => {
  it('writes nothing to a store that is not durable unless asked to', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const e = new QueueEngine({ store, clock, limits, log: silentLogger, validate: () => undefined, invalidPublishText: 'x' });
    e.publish([msg('q', 'a'), msg('q', 'b', { DelaySeconds: 1 })]);
    await receiveNow(e, clock, 'q');
    expect(store.names()).toEqual([]);
    expect(e.info('q').Queues[0]?.Messages).toBe(1n);
    e.close();
  });

  async function scenario(store: Store, clock: ManualClock) {
    const { e } = engine(store, clock);
    e.publish([msg('q', 'a'), msg('q', 'b'), msg('q', 'c'), msg('q', 'd')]);
    e.publish([msg('q', 'later', { DelaySeconds: 60 })]);
    await e.receive('q', { max: 1, waitMs: 1000, peek: false }); // a: acked
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false })); // b: nacked
    tx.nackAll();
    const held = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false }); // c: in flight at "kill"
    expect(held?.messages[0]?.Body.toString()).toBe('c');
    e.close();
  }

  async function check(store: Store, clock: ManualClock) {
    const { e } = engine(store, clock);
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages.map((m) => [m.Body.toString(), m.Attributes?.Sequence, m.Attributes?.ReceiveCount])).toEqual([
      ['c', 3n, 1],
      ['d', 4n, 1],
      ['b', 5n, 2],
    ]);
    expect(e.info('q').Queues[0]).toMatchObject({ Messages: 5n, LastSequence: 5n });
    expect(e.delayedCount).toBe(1);
    clock.advance(61_000);
    await settle();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['later']);
    e.close();
  }

  it('replays from a memory store: nothing acked comes back, in-flight messages are visible again', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    await scenario(store, clock);
    await check(store, clock);
  });

  it('replays from a file store, ignoring a torn final record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queues-engine-'));
    try {
      const clock = new ManualClock();
      const s1 = fileStore(dir);
      await scenario(s1, clock);
      await s1.close();
      for (const f of readdirSync(dir)) {
        if (f.startsWith('queue_q-')) appendFileSync(join(dir, f), Buffer.from([200, 0, 0, 0, 1, 2, 3])); // a half-written frame
      }
      const s2 = fileStore(dir);
      await check(s2, clock);
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compacts a log with many settled messages and keeps the counters', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    const n = 25_000;
    for (let i = 0; i < n; i += 1000) e.publish(Array.from({ length: 1000 }, (_, j) => msg('big', `m${i + j}`)));
    for (let i = 0; i < n - 10; i += 1000) await e.get('big', { maxItems: Math.min(1000, n - 10 - i), waitMs: 1000, autoAck: true });
    // Without compaction the log would hold 25,000 message records plus the acks; it was
    // rewritten once 20,000 were settled (5,000 live left), then 5 ack records followed.
    const records = store.log('queue/big').replay().length;
    expect(records).toBe(1 + 5000 + 5);
    const { e: e2 } = engine(store, clock);
    expect(e2.waiting('big')).toBe(10);
    expect(e2.info('big').Queues[0]).toMatchObject({ Messages: BigInt(n), LastSequence: BigInt(n) });
    e.publish([msg('big', 'next')]);
  });
});
