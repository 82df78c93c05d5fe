/// <reference types="jest" />
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../clock.js';
import { DEFAULT_BROKER_QUEUE_LIMITS } from '../../config.js';
import type { QueueMessage, QueueMessagePolicy } from '../../generated/kubemq.js';
import { silentLogger } from '../../log.js';
import { queueMessageError } from '../../service/queues/validation.js';
import { fileStore, memoryStore } from '../../store/index.js';
import type { Store } from '../../store/store.js';
import { QueueEngine } from './engine.js';
import { nuid } from '../ids.js';

const limits = { ...DEFAULT_BROKER_QUEUE_LIMITS };
const NS = 1_000_000n;

function engine(store: Store = memoryStore(), clock = new ManualClock(), retentionMs = 0): { e: QueueEngine; clock: ManualClock; store: Store } {
  const e = new QueueEngine({
    retentionMs,
    store,
    clock,
    limits,
    log: silentLogger,
    validate: (m) => queueMessageError(m, limits),
    persist: true, // the replay tests use a memory store
  });
  return { e, clock, store };
}

function msg(channel: string, body: string, policy?: Partial<QueueMessagePolicy>): QueueMessage {
  return {
    MessageID: nuid(),
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
    expect(r1).toEqual({ stored: true, sentAt: now, expirationAt: now + 10_000n * NS, delayedTo: 0n });
    expect(r2).toEqual({ stored: true, sentAt: now, expirationAt: 0n, delayedTo: 0n });
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages.map((m) => m.Attributes?.Sequence)).toEqual([1n, 2n]);
    expect(out.messages[1]?.Policy?.MaxReceiveCount).toBe(1024);
    expect(out.messages[0]?.Attributes).toMatchObject({ Timestamp: now, ReceiveCount: 1, MD5OfBody: '', ReRouted: false });
  });

  it('computes ExpirationAt = now + expiration + delay', () => {
    const { e, clock } = engine();
    const now = clock.nowNs();
    const [r] = e.publish([msg('q', 'a', { ExpirationSeconds: 10, DelaySeconds: 5 })]);
    expect(r).toEqual({ stored: true, sentAt: now, expirationAt: now + 15_000n * NS, delayedTo: now + 5_000n * NS });
  });

  it('refuses stan-invalid subjects as a publish failure', () => {
    const { e } = engine();
    for (const ch of ['a/b', 'a..b', '.a']) {
      const [r] = e.publish([msg(ch, 'x')]);
      expect(r).toEqual({ stored: false, refusal: { reason: 'invalid-subject' } });
    }
  });

  it('re-sends through the validation it was given, and reports its answer as the refusal', () => {
    const { e } = engine();
    expect(e.send(msg('q', ''))).toEqual({ stored: false, refusal: { reason: 'invalid-message', error: 'Error 110: invalid message, cannot be empty' } });
    expect(e.send(msg('a..b', 'x'))).toEqual({ stored: false, refusal: { reason: 'invalid-subject' } });
    expect(e.send(msg('q', 'x'))).toMatchObject({ stored: true });
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

  it('runs concurrent receives, peeks and AckAlls on one queue side by side (their turns are the service layer\'s: receiver-lanes.ts)', async () => {
    const { e, clock } = engine();
    const done: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => done.push(name));
    const all = Promise.all([
      track('receive 1', e.receive('q', { max: 1, waitMs: 1000, peek: false })),
      track('receive 2', e.receive('q', { max: 1, waitMs: 1000, peek: false })),
      track('peek 1', e.receive('q', { max: 1, waitMs: 1000, peek: true })),
      track('peek 2', e.receive('q', { max: 1, waitMs: 1000, peek: true })),
      track('ackAll 1', e.ackAll('q', 1000)),
      track('ackAll 2', e.ackAll('q', 1000)),
    ]);
    await settle();
    clock.advance(1000);
    await settle();
    expect(done.sort()).toEqual(['ackAll 1', 'ackAll 2', 'peek 1', 'peek 2', 'receive 1', 'receive 2']);
    await all;
  });

  it('concurrent receives share what arrives, taking turns', async () => {
    const { e } = engine();
    const first = e.receive('q', { max: 1, waitMs: 1000, peek: false });
    const second = e.receive('q', { max: 1, waitMs: 1000, peek: false });
    await settle();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    expect(bodies((await first).messages)).toEqual(['a']);
    expect(bodies((await second).messages)).toEqual(['b']);
  });

  it('peek leaves messages and counts unchanged and sees none in flight elsewhere', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const peek1 = await receiveNow(e, clock, 'q', 10, true);
    expect(bodies(peek1.messages)).toEqual(['a', 'b']);
    expect(peek1.messages.map((m) => m.Attributes?.ReceiveCount)).toEqual([1, 1]);
    // The peek left holding a and b: the group's shadow keeps them, and the next member (this Get)
    // takes both; it returns a and holds b hidden past its MaxItems.
    const tx = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false });
    expect(bodies(tx?.messages ?? [])).toEqual(['a']);
    const peek2 = await receiveNow(e, clock, 'q', 10, true);
    expect(bodies(peek2.messages)).toEqual([]);
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

  it('a downstream Get drops expired messages silently after collecting them: they count toward MaxItems', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'old', { ExpirationSeconds: 1 }), msg('q', 'fresh')]);
    clock.advance(2000);
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: true })); // answers at once
    expect(tx.messages).toEqual([]);
    expect(tx.closed).toBe(true);
    expect(e.info('q').Queues[0]?.Messages).toBe(2n); // still stored, acked
    const next = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: true }));
    expect(bodies(next.messages)).toEqual(['fresh']);
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
    if (!sent?.stored) throw new Error('expected the message to be stored');
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
      ExpirationAt: sent.expirationAt,
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
    const got = must(await e.receiveOne('q', 1000));
    expect(got.message.seq).toBe(1);
    expect(e.inFlight('q')).toBe(1);
    e.ack('q', [got.message]);
    got.leave();
    expect(e.inFlight('q')).toBe(0);
  });

  it('receiveOne gives undefined when nothing comes in time', async () => {
    const { e, clock } = engine();
    const p = e.receiveOne('q', 1000);
    clock.advance(1000);
    expect(await p).toBeUndefined();
  });
});

describe('queue names that differ only in case (newer stan, §2.4)', () => {
  const refused = (channel: string, existing: string) => ({ stored: false, refusal: { reason: 'channel-case', channel, existing } });

  it('refuses a send to a case variant of an existing queue, in batch order too; the same name is fine', async () => {
    const { e, clock } = engine();
    const [a, b, c] = e.publish([msg('Jobs', 'a'), msg('jobs', 'b'), msg('Jobs', 'c')]);
    expect(a?.stored).toBe(true);
    expect(b).toEqual(refused('jobs', 'Jobs'));
    expect(c?.stored).toBe(true);
    expect(e.send(msg('JOBS', 'd'))).toEqual(refused('JOBS', 'Jobs'));
    expect(bodies((await receiveNow(e, clock, 'Jobs')).messages)).toEqual(['a', 'c']);
    expect(e.info('').Queues.map((q) => q.Name)).toEqual(['Jobs']);
  });

  it("a consumer's queue claims the name; caseConflict names it for the service's Error 121", async () => {
    const { e, clock } = engine();
    await receiveNow(e, clock, 'fresh', 1);
    expect(e.caseConflict('FRESH')).toBe('fresh');
    expect(e.caseConflict('fresh')).toBeUndefined();
    expect(e.publish([msg('Fresh', 'x')])[0]).toEqual(refused('Fresh', 'fresh'));
  });

  it('a delayed send is accepted (it goes to the delay channel) and dropped when re-sent', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    expect(e.publish([msg('Q', 'late', { DelaySeconds: 1 })])[0]?.stored).toBe(true);
    clock.advance(2000);
    await settle();
    expect(e.delayedCount).toBe(0);
    expect(e.info('').Queues.map((q) => [q.Name, q.Messages])).toEqual([['q', 1n]]);
  });

  it('a dead-letter queue that is a case variant loses the message; a requeue to one fails with the refusal', async () => {
    const { e, clock } = engine();
    e.publish([msg('dlq', 'x'), msg('q', 'a', { MaxReceiveCount: 1, MaxReceiveQueue: 'DLQ' }), msg('q', 'b')]);
    must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false })).nackAll();
    expect(e.waiting('q')).toBe(1);
    expect(bodies((await receiveNow(e, clock, 'dlq')).messages)).toEqual(['x']);
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false }));
    expect(tx.requeueAll('DLQ')).toEqual({ code: 'requeue-failed', seq: 2, refusal: { reason: 'channel-case', channel: 'DLQ', existing: 'dlq' } });
  });

  it('knows the queues a store brings back', () => {
    const store = memoryStore();
    const { e } = engine(store);
    e.publish([msg('Kept', 'a')]);
    e.close();
    expect(engine(store).e.caseConflict('kept')).toBe('Kept');
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

/** A transaction's ActiveOffsets in sequence order (the broker lists them in no set order). */
function offsets(tx: { activeOffsets(): bigint[] | { code: string } }): bigint[] | { code: string } {
  const listed = tx.activeOffsets();
  return Array.isArray(listed) ? [...listed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : listed;
}

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

  it('an open transaction captures later messages: hidden, not listed, not acked by AckAll, back on close ([seen] §2.4)', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    const p = e.get('q', { maxItems: 3, waitMs: 1000, autoAck: false });
    clock.advance(1000);
    const tx = must(await p);
    expect(bodies(tx.messages)).toEqual(['a']);
    e.publish([msg('q', 'b'), msg('q', 'c'), msg('q', 'd')]);
    expect(tx.activeOffsets()).toEqual([1n]); // b and c captured (room MaxItems − held = 2), not listed
    expect(tx.ackRange([2n])).toEqual({ code: 'invalid-sequence', seq: 2n });
    expect(tx.nackRange([3n])).toEqual({ code: 'invalid-sequence', seq: 3n });
    expect(tx.requeueRange([3n], 'other')).toEqual({ code: 'invalid-sequence', seq: 3n });
    const peek = await receiveNow(e, clock, 'q', 10, true);
    expect(bodies(peek.messages)).toEqual(['d']);
    expect(tx.ackAll()).toBeUndefined();
    const out = await receiveNow(e, clock, 'q');
    expect(bodies(out.messages)).toEqual(['b', 'c', 'd']);
    expect(out.messages.map((m) => m.Attributes?.ReceiveCount)).toEqual([1, 1, 1]);
  });

  it('a transaction captures into the room its settled messages free (room = MaxItems − messages it holds)', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const tx = must(await e.get('q', { maxItems: 2, waitMs: 1000, autoAck: false })); // full: no room
    e.publish([msg('q', 'c'), msg('q', 'd')]);
    expect(e.waiting('q')).toBe(2);
    expect(tx.ackRange([1n])).toBeUndefined(); // a acked: room for one
    expect(e.waiting('q')).toBe(1); // c captured
    expect(tx.activeOffsets()).toEqual([2n]);
    expect(bodies((await receiveNow(e, clock, 'q', 10, true)).messages)).toEqual(['d']);
    expect(tx.ackRange([2n])).toBeUndefined(); // none of its own left: closed, c back
    expect(tx.closed).toBe(true);
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['c', 'd']);
  });

  it('a Get that collected only expired messages answers at once with none and stays open, capturing ([seen] §6)', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'A', { ExpirationSeconds: 1 })]);
    clock.advance(2200);
    e.publish([msg('q', 'B')]);
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 2000, autoAck: false })); // no clock advance: at once
    expect(tx.messages).toEqual([]);
    expect(tx.closed).toBe(false);
    expect(tx.activeOffsets()).toEqual([]);
    expect((await receiveNow(e, clock, 'q', 10, true)).messages).toEqual([]); // B captured, hidden
    tx.close();
    expect(bodies((await receiveNow(e, clock, 'q', 10, true)).messages)).toEqual(['B']);
  });

  it('a Get of 2 over 2 expired messages answers at once, with none', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'x', { ExpirationSeconds: 1 }), msg('q', 'y', { ExpirationSeconds: 1 }), msg('q', 'z')]);
    clock.advance(1500);
    const tx = must(await e.get('q', { maxItems: 2, waitMs: 60_000, autoAck: false }));
    expect(tx.messages).toEqual([]);
    expect(tx.activeOffsets()).toEqual([]);
    tx.close();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['z']);
  });

  it('gives each message to the consumer holding the fewest unacked messages, the earliest on a tie (stan queue group)', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a')]);
    const first = e.get('q', { maxItems: 3, waitMs: 1000, autoAck: false });
    clock.advance(1000);
    const tx = must(await first); // holds a, captures while it holds fewer than 3
    const second = e.get('q', { maxItems: 3, waitMs: 1000, autoAck: false });
    e.publish([msg('q', 'b')]); // tx holds 1, the new Get 0: the Get
    e.publish([msg('q', 'c')]); // 1 and 1: the transaction, the earlier member
    e.publish([msg('q', 'd')]); // 2 and 1: the Get
    clock.advance(1000);
    const tx2 = must(await second);
    expect(bodies(tx2.messages)).toEqual(['b', 'd']);
    expect(tx.activeOffsets()).toEqual([1n]);
    tx.close();
    tx2.close();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ranges apply item by item and stop at an unknown or repeated sequence', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b'), msg('q', 'c')]);
    const tx = must(await e.get('q', { maxItems: 3, waitMs: 1000, autoAck: false }));
    expect(tx.ackRange([])).toEqual({ code: 'empty-list' });
    expect(tx.ackRange([1n, 9n, 2n])).toEqual({ code: 'invalid-sequence', seq: 9n });
    expect(offsets(tx)).toEqual([2n, 3n]);
    expect(tx.nackRange([2n, 2n])).toEqual({ code: 'invalid-sequence', seq: 2n }); // settled once, then unknown
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

  it('a requeue the send path refuses stops there and says why; the messages before it are moved', async () => {
    const { e } = engine();
    e.publish([msg('q', 'a'), msg('q', 'b')]);
    const tx = must(await e.get('q', { maxItems: 2, waitMs: 1000, autoAck: false }));
    expect(tx.requeueRange([1n], 'a..b')).toEqual({ code: 'requeue-failed', seq: 1, refusal: { reason: 'invalid-subject' } });
    expect(offsets(tx)).toEqual([1n, 2n]);
    // Both are refused; which one first depends on the (random) map order.
    expect(tx.requeueAll('x y')).toEqual({ code: 'requeue-failed', seq: expect.any(Number), refusal: { reason: 'invalid-message', error: 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot' } });
    expect(tx.requeueRange([2n, 1n], 'other')).toBeUndefined();
    expect(tx.closed).toBe(true);
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

/**
 * What the queue's durable stan group does with the messages of a member that leaves holding them
 * (kubemq-io/broker server/stan/server/server.go: subStore.Remove, performAckExpirationRedelivery,
 * processSub with a shadow): never back to the waiting queue.
 */
describe('a member that leaves holding messages', () => {
  /** A transaction holding `bodies` (a Get that filled up), left open. */
  async function holding(e: QueueEngine, ...names: string[]) {
    e.publish(names.map((b) => msg('q', b)));
    return must(await e.get('q', { maxItems: names.length, waitMs: 1000, autoAck: false }));
  }

  /** A Get whose wait ran out with fewer than `maxItems`: its transaction stays open, capturing. */
  async function waitedOut(e: QueueEngine, clock: ManualClock, channel: string, maxItems: number) {
    const p = e.get(channel, { maxItems, waitMs: 1000, autoAck: false });
    await settle();
    clock.advance(1000);
    return must(await p);
  }

  it('hands them to the remaining member, hidden, and redelivers them 100 ms later, count unchanged', async () => {
    const { e, clock } = engine();
    const tx = await holding(e, 'a');
    let got: QueueMessage[] | undefined;
    const waiting = e.get('q', { maxItems: 1, waitMs: 10_000, autoAck: true }).then((t) => (got = t?.messages));
    await settle();
    tx.close();
    await settle();
    expect(got).toBeUndefined(); // not at once, although the waiting Get has room
    expect(e.waiting('q')).toBe(0);
    expect(e.inFlight('q')).toBe(1); // unacked on the waiting Get's subscription
    clock.advance(99);
    await settle();
    expect(got).toBeUndefined();
    clock.advance(1);
    await waiting;
    expect(got?.map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount])).toEqual([['a', 1]]);
  });

  it('gives each to the member stan picks when the timer fires: the one holding fewest', async () => {
    const { e, clock } = engine();
    const tx = await holding(e, 'a');
    let got: QueueMessage[] | undefined;
    void e.get('q', { maxItems: 1, waitMs: 10_000, autoAck: true }).then((t) => (got = t?.messages));
    await settle();
    tx.close(); // a goes to the waiting Get, which now holds it unacked
    const peek = e.receive('q', { max: 5, waitMs: 1000, peek: true }); // joins meanwhile, holding nothing
    await settle();
    clock.advance(100);
    clock.advance(900);
    expect(bodies((await peek).messages)).toEqual(['a']);
    expect(got).toBeUndefined();
  });

  it('handed-over messages fill the receiver\'s in-flight room until they are redelivered', async () => {
    const { e, clock } = engine();
    const first = await holding(e, 'a');
    e.publish([msg('q', 'b')]);
    const second = await waitedOut(e, clock, 'q', 2); // holds b, room for one more
    const receive = e.receive('q', { max: 5, waitMs: 50, peek: false }); // a member holding nothing
    await settle();
    first.close(); // a handed to the first member left, the transaction: its room is full now
    e.publish([msg('q', 'c')]); // so c goes to the receive
    clock.advance(50);
    expect(bodies((await receive).messages)).toEqual(['c']); // a stayed hidden
    clock.advance(50); // a redelivered: the transaction, the only member, captures it
    second.close();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['a', 'b']);
  });

  it('the last member to leave leaves them to the shadow: the next member takes them all, past its MaxItems', async () => {
    const { e, clock } = engine();
    const tx = await holding(e, 'a', 'b', 'c');
    tx.close();
    expect(e.waiting('q')).toBe(0);
    const next = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false })); // at once
    expect(bodies(next.messages)).toEqual(['a']);
    expect(e.inFlight('q')).toBe(3); // b and c held hidden by its subscription
    expect((await receiveNow(e, clock, 'q', 10, true)).messages).toEqual([]);
    expect(next.activeOffsets()).toEqual([1n]);
    expect(next.ackAll()).toBeUndefined(); // a acked; b and c go back with the subscription
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['b', 'c']);
  });

  it('a stream-v1 receive stays a member until its stream ends, holding what is pushed to it', async () => {
    const { e, clock } = engine();
    const tx = await holding(e, 'a');
    e.publish([msg('q', 'd')]);
    const stream = must(await e.receiveOne('q', 1000)); // d
    tx.close(); // a goes to the stream's subscription, the only member left
    clock.advance(100); // redelivered to it, past its MaxInflight of 1: held, hidden
    expect((await receiveNow(e, clock, 'q', 10, true)).messages).toEqual([]);
    e.ack('q', [stream.message]);
    stream.leave();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['a']);
  });

  it('a member that leaves before its timer fires takes the handed-over messages along; stopping leaves no timer', async () => {
    const { e, clock } = engine();
    const first = await holding(e, 'a');
    e.publish([msg('q', 'b')]);
    const second = await waitedOut(e, clock, 'q', 5);
    first.close();
    expect(clock.pendingTimers).toBe(1); // the second transaction's redelivery timer
    second.close(); // the last member: a and b go to the shadow
    expect(clock.pendingTimers).toBe(0);
    const third = await holding(e, 'c');
    void e.receive('q', { max: 5, waitMs: 1000, peek: true });
    third.close();
    expect(clock.pendingTimers).toBe(2); // the peek's wait, its redelivery timer
    e.close();
    expect(clock.pendingTimers).toBe(0); // the peek's call ends with the stop
  });

  it('a kill strands what was handed to a live member; what the shadow keeps survives it', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    const first = await holding(e, 'a');
    await holding(e, 'b'); // left open, full
    first.close(); // a handed to the open transaction: held by it at the kill
    e.publish([msg('p', 'x')]);
    must(await e.get('p', { maxItems: 1, waitMs: 1000, autoAck: false }))?.close(); // x in p's shadow
    const { e: restarted } = engine(store, clock);
    expect(restarted.strandedCount('q')).toBe(2);
    expect((await receiveNow(restarted, clock, 'q')).messages).toEqual([]);
    expect(restarted.strandedCount('p')).toBe(0);
    expect(bodies((await receiveNow(restarted, clock, 'p')).messages)).toEqual(['x']);
  });
});

describe('QueuesInfo', () => {
  it('lists queues with stored messages under the cutset-trimmed name, filtered, with totals', async () => {
    const { e, clock } = engine();
    e.publish([msg('alpha', 'x'), msg('alpha', 'y'), msg('QA_S', 'z')]);
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

  it('lists a queue its first consumer created, nothing ever stored, as metrics.go does: first = last = 0, Sent 1', async () => {
    const { e, clock } = engine();
    expect(e.info('fresh').TotalQueue).toBe(0); // never used: no channel
    const two = [e.receive('fresh', { max: 1, waitMs: 1000, peek: true }), e.get('fresh', { maxItems: 1, waitMs: 1000, autoAck: false })];
    await settle();
    const empty = { Name: 'fresh', Messages: 0n, Bytes: 0n, FirstSequence: 0n, LastSequence: 0n, Sent: 1n, Waiting: 0n };
    // Each subscription's LastSent (0) counts 0 - 0 + 1 toward Delivered.
    expect(e.info('fresh')).toEqual({ TotalQueue: 1, Sent: 1n, Delivered: 2n, Waiting: 0n, Queues: [{ ...empty, Delivered: 2n, Subscribers: 2n }] });
    clock.advance(1000);
    await Promise.all(two);
    // Gone: the durable group's shadow is the one subscription left.
    expect(e.info('fresh')).toEqual({ TotalQueue: 1, Sent: 1n, Delivered: 1n, Waiting: 0n, Queues: [{ ...empty, Delivered: 1n, Subscribers: 1n }] });
    e.publish([msg('fresh', 'a')]);
    expect(e.info('fresh').Queues[0]).toMatchObject({ Messages: 1n, FirstSequence: 1n, LastSequence: 1n, Sent: 1n, Delivered: 0n, Waiting: 1n, Subscribers: 1n });
  });

  it.each([
    ['a peek', (e: QueueEngine) => e.receive('fresh', { max: 1, waitMs: 1000, peek: true })],
    ['a receive', (e: QueueEngine) => e.receive('fresh', { max: 1, waitMs: 1000, peek: false })],
    ['an AckAll', (e: QueueEngine) => e.ackAll('fresh', 1000)],
    ['a Get', (e: QueueEngine) => e.get('fresh', { maxItems: 1, waitMs: 1000, autoAck: true })],
    ['a stream-v1 receive', (e: QueueEngine) => e.receiveOne('fresh', 1000)],
  ])('%s on a never-used queue makes it listed', async (_name, consume) => {
    const { e, clock } = engine();
    const done = consume(e);
    await settle();
    clock.advance(1000);
    await done;
    expect(e.info('fresh').Queues.map((q) => [q.Name, q.Sent, q.Subscribers])).toEqual([['fresh', 1n, 1n]]);
  });
});

describe('retention (STORE_MAX_RETENTION)', () => {
  it('removes stored messages older than the retention, consumed or not, and moves FirstSequence', async () => {
    const { e, clock } = engine(memoryStore(), new ManualClock(), 60_000);
    e.publish([msg('q', 'old'), msg('q', 'acked-old')]);
    await e.receive('q', { max: 1, waitMs: 1000, peek: false }); // 'old' acked, 'acked-old' waits
    clock.advance(30_000);
    e.publish([msg('q', 'new')]);
    clock.advance(30_000); // the sweep at 60 s: the two of t=0 are not older than 60 s yet
    expect(e.info('q').Queues[0]).toMatchObject({ Messages: 3n, FirstSequence: 1n });
    clock.advance(1000); // swept every second, as stan does: at 61 s they go
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
    const e = new QueueEngine({ store, clock, limits, log: silentLogger, validate: () => undefined });
    e.publish([msg('q', 'a'), msg('q', 'b', { DelaySeconds: 1 })]);
    await receiveNow(e, clock, 'q');
    expect(store.names()).toEqual([]);
    expect(e.info('q').Queues[0]?.Messages).toBe(1n);
    e.close();
  });

  /**
   * Queue q: a acked by a simple receive, b nacked, c held by an open Get, d held by a stream-v1
   * receive; queue p: e and f held by a peek still waiting. Then the engine stops: killed (just
   * dropped, as a SIGKILL leaves it: its own clock, so no timer of it ever fires again) or
   * closed gracefully.
   */
  async function scenario(store: Store, stop: 'kill' | 'graceful') {
    const { e } = engine(store, new ManualClock());
    e.publish([msg('q', 'a'), msg('q', 'b'), msg('q', 'c'), msg('q', 'd'), msg('p', 'e'), msg('p', 'f')]);
    e.publish([msg('q', 'later', { DelaySeconds: 60 })]);
    await e.receive('q', { max: 1, waitMs: 1000, peek: false }); // a: acked
    const tx = must(await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false })); // b: nacked
    tx.nackAll();
    const held = await e.get('q', { maxItems: 1, waitMs: 1000, autoAck: false }); // c: held by an open transaction
    expect(held?.messages[0]?.Body.toString()).toBe('c');
    expect((await e.receiveOne('q', 1000))?.message.msg.Body.toString()).toBe('d');
    void e.receive('p', { max: 5, waitMs: 60_000, peek: true }); // e, f: held by a waiting peek
    await settle();
    expect(e.inFlight('q') + e.inFlight('p')).toBe(4);
    if (stop === 'graceful') e.close();
  }

  /** After a kill, what was held is stranded: never delivered again, still stored. */
  async function checkKilled(store: Store, clock: ManualClock) {
    const { e } = engine(store, clock);
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages.map((m) => [m.Body.toString(), m.Attributes?.Sequence, m.Attributes?.ReceiveCount])).toEqual([['b', 5n, 2]]);
    expect(e.strandedCount('q')).toBe(2);
    expect((await receiveNow(e, clock, 'p', 10, true)).messages).toEqual([]);
    expect(e.strandedCount('p')).toBe(2);
    expect(e.info('q').Queues[0]).toMatchObject({ Messages: 5n, LastSequence: 5n });
    expect(e.info('p').Queues[0]).toMatchObject({ Messages: 2n, Waiting: 2n });
    expect(e.delayedCount).toBe(1);
    clock.advance(61_000);
    await settle();
    expect(bodies((await receiveNow(e, clock, 'q')).messages)).toEqual(['later']);
    e.close();
  }

  it('replays from a memory store: nothing acked comes back, messages held at a kill are stranded', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    await scenario(store, 'kill');
    await checkKilled(store, clock);
    const { e } = engine(store, clock); // a graceful restart does not bring them back either
    expect(e.strandedCount('q') + e.strandedCount('p')).toBe(4);
    expect((await receiveNow(e, clock, 'q')).messages).toEqual([]);
  });

  it.each(['kill', 'graceful'] as const)('a queue only consumed from is still listed after a restart (%s), with one record', async (stop) => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    for (let i = 0; i < 2; i++) await receiveNow(e, clock, 'fresh', 1);
    expect(store.log('queue/fresh').replay()).toHaveLength(1); // the first consumer's Subscribed record
    if (stop === 'graceful') e.close();
    const { e: again } = engine(store, new ManualClock());
    const line = { Name: 'fresh', Messages: 0n, Bytes: 0n, FirstSequence: 0n, LastSequence: 0n, Sent: 1n, Delivered: 1n, Waiting: 0n, Subscribers: 1n };
    expect(again.info('')).toEqual({ TotalQueue: 1, Sent: 1n, Delivered: 1n, Waiting: 0n, Queues: [line] });
    again.close();
  });

  it('replays after a graceful close: what a consumer whose call ends at the stop held waits again, what members still there held is stranded', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    await scenario(store, 'graceful');
    const { e } = engine(store, clock);
    // c and d: the open transaction and the stream-v1 receive were still members (the service
    // ends their streams before it closes the engine, which returns them: see queues-graceful-stop.spec.ts).
    const out = await receiveNow(e, clock, 'q');
    expect(out.messages.map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount])).toEqual([['b', 2]]);
    expect(e.strandedCount('q')).toBe(2);
    // e and f: the waiting peek's call ended with the stop, count unchanged.
    const back = await receiveNow(e, clock, 'p');
    expect(back.messages.map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount])).toEqual([
      ['e', 1],
      ['f', 1],
    ]);
    expect(e.strandedCount('p')).toBe(0);
  });

  it('a graceful close strands what a Get still waiting holds, with what a peek ending at the stop dealt out to it (§5.3)', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    e.publish([msg('q', 'a'), msg('q', 'b'), msg('p', 'x')]);
    const peekQ = e.receive('q', { max: 5, waitMs: 60_000, peek: true }); // a, b
    const peekP = e.receive('p', { max: 5, waitMs: 60_000, peek: true }); // x
    const get = e.get('q', { maxItems: 5, waitMs: 60_000, autoAck: false }); // nothing yet
    await settle();
    e.close();
    expect(bodies((await peekQ).messages)).toEqual(['a', 'b']); // ended: a and b dealt out to the Get
    expect(bodies((await peekP).messages)).toEqual(['x']); // ended: x to p's shadow
    const { e: restarted } = engine(store, clock);
    expect(restarted.strandedCount('q')).toBe(2);
    expect((await receiveNow(restarted, clock, 'q')).messages).toEqual([]);
    expect(bodies((await receiveNow(restarted, clock, 'p')).messages)).toEqual(['x']);
    clock.advance(60_000); // the Get's wait ends after the close: nothing more is written
    expect(must(await get).messages).toEqual([]);
    expect(engine(store, clock).e.strandedCount('q')).toBe(2);
  });

  it('finishGetsWithin ends the Gets whose wait would end by then, as run out; longer ones and receives wait on', async () => {
    const { e, clock } = engine();
    e.publish([msg('q', 'a'), msg('r', 'b'), msg('s', 'c')]);
    const soon = e.get('q', { maxItems: 5, waitMs: 1000, autoAck: false });
    const later = e.get('r', { maxItems: 5, waitMs: 1001, autoAck: false });
    const peek = e.receive('s', { max: 5, waitMs: 10, peek: true });
    let ended = 0;
    void later.then(() => ended++);
    void peek.then(() => ended++);
    await settle();
    e.finishGetsWithin(1000);
    expect(bodies(must(await soon).messages)).toEqual(['a']);
    await settle();
    expect(ended).toBe(0);
    clock.advance(1001);
    expect(bodies(must(await later).messages)).toEqual(['b']);
    expect(bodies((await peek).messages)).toEqual(['c']);
  });

  it('replays from a file store, ignoring a torn final record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queues-engine-'));
    try {
      const clock = new ManualClock();
      const s1 = fileStore(dir);
      await scenario(s1, 'kill');
      await s1.close();
      for (const f of readdirSync(dir)) {
        if (f.startsWith('queue_q-')) appendFileSync(join(dir, f), Buffer.from([200, 0, 0, 0, 1, 2, 3])); // a half-written frame
      }
      const s2 = fileStore(dir);
      await checkKilled(s2, clock);
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps held and stranded messages stranded through a compaction', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    e.publish([msg('k', 'kept')]);
    must(await e.get('k', { maxItems: 1, waitMs: 1000, autoAck: false })); // held at the kill below
    const { e: afterKill } = engine(store, clock);
    expect(afterKill.strandedCount('k')).toBe(1);
    const n = 21_000; // enough settled messages to compact the log
    afterKill.publish(Array.from({ length: n }, (_, i) => msg('k', `m${i}`)));
    const open = must(await afterKill.get('k', { maxItems: 1, waitMs: 1000, autoAck: false })); // held at the next kill
    expect(bodies(open.messages)).toEqual(['m0']);
    await afterKill.get('k', { maxItems: n - 1, waitMs: 1000, autoAck: true });
    expect(store.log('queue/k').replay().length).toBeLessThan(10); // compacted
    const { e: again } = engine(store, clock);
    expect(again.strandedCount('k')).toBe(2);
    expect(again.waiting('k')).toBe(0);
  });

  it('compacts a log with many settled messages and keeps the counters', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    const n = 25_000;
    for (let i = 0; i < n; i += 1000) e.publish(Array.from({ length: 1000 }, (_, j) => msg('big', `m${i + j}`)));
    for (let i = 0; i < n - 10; i += 1000) await e.get('big', { maxItems: Math.min(1000, n - 10 - i), waitMs: 1000, autoAck: true });
    // Without compaction the log would hold 25,000 message records plus the acks; it was
    // rewritten once 20,000 were settled (5,000 live left), then each of the 5 Gets after it
    // wrote its subscription's Joined and Left, a Hold (what it took) and an Ack (auto-ack).
    const records = store.log('queue/big').replay().length;
    expect(records).toBe(1 + 5000 + 5 * 4);
    const { e: e2 } = engine(store, clock);
    expect(e2.waiting('big')).toBe(10);
    expect(e2.info('big').Queues[0]).toMatchObject({ Messages: BigInt(n), LastSequence: BigInt(n) });
    e.publish([msg('big', 'next')]);
  });
});

/**
 * A Get's subscription stranded by a kill (or by a stop that finds the Get still waiting) is
 * recovered by the server as a member of the queue's group (kubemq-io/broker
 * server/stan/server/server.go recoverOneSub, performRedeliveryOnStartup, findBestQueueSub):
 * MaxInflight = MaxItems, never acking. It takes messages while it has room, as stan picks.
 */
describe('a stranded Get subscription after a restart (§5.3)', () => {
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  /** A Get without AutoAck whose wait ran out: its transaction is left open (and a kill strands it). */
  async function openGet(e: QueueEngine, clock: ManualClock, channel: string, maxItems: number): Promise<string[]> {
    const p = e.get(channel, { maxItems, waitMs: 1000, autoAck: false });
    await settle();
    clock.advance(1000);
    return bodies(must(await p).messages);
  }

  async function getAll(e: QueueEngine, clock: ManualClock, channel: string): Promise<string[]> {
    const p = e.get(channel, { maxItems: 100, waitMs: 1000, autoAck: true });
    await settle();
    clock.advance(1000);
    return bodies((await p)?.messages ?? []);
  }

  it('[seen] a Get of 5 that took 5 of 10 has no room: the other 5 come, the 5 never, not after a graceful restart', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    e.publish(names('m', 10).map((b) => msg('q', b)));
    must(await e.get('q', { maxItems: 5, waitMs: 1000, autoAck: false })); // left open: killed with it
    const { e: restarted } = engine(store, clock);
    expect(await getAll(restarted, clock, 'q')).toEqual(names('m', 10).slice(5));
    restarted.close();
    const { e: again } = engine(store, clock);
    expect(again.strandedCount('q')).toBe(5);
    again.publish([msg('q', 'next')]);
    expect(await getAll(again, clock, 'q')).toEqual(['next']);
  });

  it('takes what is sent while no consumer is there, up to MaxItems less what it holds; the rest waits', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    e.publish(names('a', 3).map((b) => msg('q', b)));
    expect(await openGet(e, clock, 'q', 10)).toEqual(names('a', 3)); // open, capturing: killed with it
    const { e: restarted } = engine(store, clock);
    restarted.publish(names('b', 4).map((b) => msg('q', b))); // all 4 to the stranded subscription (3 + 4 of 10)
    expect(await getAll(restarted, clock, 'q')).toEqual([]);
    expect(restarted.strandedCount('q')).toBe(7);
    restarted.publish(names('c', 5).map((b) => msg('q', b))); // c0..c2 fill it; c3, c4 wait
    expect(await getAll(restarted, clock, 'q')).toEqual(['c3', 'c4']);
    expect(restarted.strandedCount('q')).toBe(10);
    // QueuesInfo counts what it holds as waiting, as it counts stranded messages.
    expect(restarted.info('q').Queues[0]).toMatchObject({ Messages: 12n, Waiting: 10n, Subscribers: 1n });
    const { e: again } = engine(store, clock); // full: a further restart gives it no more
    again.publish([msg('q', 'd')]);
    expect(await getAll(again, clock, 'q')).toEqual(['d']);
  });

  it('competes with a live Get by stan’s rule: the fewest unacked, the earlier member on a tie', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    e.publish(names('a', 3).map((b) => msg('q', b)));
    expect(await openGet(e, clock, 'q', 10)).toHaveLength(3); // holds 3 at the kill
    const { e: restarted } = engine(store, clock);
    const live = restarted.get('q', { maxItems: 10, waitMs: 1000, autoAck: true });
    await settle();
    // The live Get holds 0, 1, 2: it takes b0..b2; at 3 each the stranded member, first in the
    // group, takes b3 and moves to the end; then the live Get holds fewer again.
    restarted.publish(names('b', 5).map((b) => msg('q', b)));
    clock.advance(1000);
    expect(bodies(must(await live).messages)).toEqual(['b0', 'b1', 'b2', 'b4']);
    expect(restarted.strandedCount('q')).toBe(4);
  });

  it('a Get still waiting at a graceful stop comes back holding nothing, with its whole MaxItems of room', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    void e.get('q', { maxItems: 3, waitMs: 60_000, autoAck: false });
    await settle();
    e.close();
    const { e: restarted } = engine(store, clock);
    restarted.publish(names('m', 5).map((b) => msg('q', b)));
    expect(await getAll(restarted, clock, 'q')).toEqual(['m3', 'm4']);
    restarted.close();
    const { e: again } = engine(store, clock);
    expect(again.strandedCount('q')).toBe(3);
  });

  it('at startup it takes messages that were waiting, once retention removed some of what it held', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock, 60_000);
    e.publish([msg('q', 'a')]);
    const p = e.get('q', { maxItems: 2, waitMs: 1000, autoAck: false });
    await settle();
    clock.advance(30_000);
    must(await p); // a; open with room for one more
    e.publish([msg('q', 'b'), msg('q', 'c'), msg('q', 'd')]); // b captured; c, d wait
    clock.advance(31_000); // a is past the retention at the restart, the others are not
    const { e: restarted } = engine(store, clock, 60_000);
    expect(restarted.strandedCount('q')).toBe(2); // b, and c taken at startup
    expect(await getAll(restarted, clock, 'q')).toEqual(['d']);
    restarted.close();
  });

  it('keeps its subscription and what it holds through a compaction of the log', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const { e } = engine(store, clock);
    e.publish([msg('k', 'kept')]);
    expect(await openGet(e, clock, 'k', 3)).toEqual(['kept']);
    const { e: restarted } = engine(store, clock); // stranded: holds 1 of 3
    for (let i = 0; i < 7000; i++) {
      // A live Get holds fewer: it takes each one. Each ack and each Get's two records count toward compaction.
      const p = restarted.get('k', { maxItems: 1, waitMs: 1000, autoAck: true });
      restarted.publish([msg('k', `m${i}`)]);
      expect(bodies(must(await p).messages)).toEqual([`m${i}`]);
    }
    expect(store.log('queue/k').replay().length).toBeLessThan(7000); // compacted: 5 records a Get without
    const { e: again } = engine(store, clock);
    again.publish(names('n', 3).map((b) => msg('k', b)));
    expect(await getAll(again, clock, 'k')).toEqual(['n2']);
    expect(again.strandedCount('k')).toBe(3);
  });
});
