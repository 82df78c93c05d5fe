import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../clock.js';
import { EventReceive } from '../../generated/kubemq.js';
import { fileStore, memoryStore, type Store } from '../../store/index.js';
import { ChannelRegistry } from '../channels/registry.js';
import { ClientRegistry } from './client-registry.js';
import { EVENT_WRITE_BATCH_MS, EventsStoreEngine, StartType, type StoreTarget } from './events-store-engine.js';
import { StanError, type StanRefusal } from './stan.js';

/** The stan refusal `fn` throws (it fails the test when nothing or something else is thrown). */
function refusalOf(fn: () => unknown): StanRefusal {
  try {
    fn();
  } catch (e) {
    if (e instanceof StanError) return e.refusal;
    throw e;
  }
  throw new Error('expected a stan refusal');
}

class Target implements StoreTarget {
  readonly got: EventReceive[] = [];
  room = true;
  private waiters: (() => void)[] = [];
  push(bytes: Buffer): void {
    this.got.push(EventReceive.decode(bytes));
  }
  get hasRoom(): boolean {
    return this.room;
  }
  whenRoom(fn: () => void): void {
    if (this.room) fn();
    else this.waiters.push(fn);
  }
  open(): void {
    this.room = true;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  get seqs(): number[] {
    return this.got.map((e) => Number(e.Sequence));
  }
}

/** Stan's and the server's defaults, as the emulator's. */
const STAN = { dropAfterMs: 2000, ackWaitMs: 30_000, maxInflight: 1024 };

function setup(store: Store = memoryStore(), clock = new ManualClock(), stan: Partial<typeof STAN> = {}) {
  const channels = new ChannelRegistry(() => clock.nowMs());
  const engine = new EventsStoreEngine({ store, clock, channels, ...STAN, ...stan });
  const clients = new ClientRegistry(clock, 300);
  const publish = (channel: string, n: number) => {
    for (let i = 0; i < n; i++) {
      engine.publish({ EventID: `e${i}`, Channel: channel, Metadata: '', Body: Buffer.from(`b${i}`), Tags: { i: String(i) } });
      clock.advance(1000);
    }
  };
  const sub = (clientId: string, channel: string, startType: number, startValue = 0n, group = '') => {
    const t = new Target();
    const lease = clients.register(clientId);
    const unsub = engine.subscribe(lease, { channel, group, startType, startValue }, t);
    return { t, close: () => (unsub(), lease.release(false)) };
  };
  return { clock, engine, clients, publish, sub, store };
}

describe('EventsStoreEngine start positions (broker-behaviour.md §2.2, §6)', () => {
  it('numbers events per channel from 1 with Unix-ns timestamps', () => {
    const { publish, sub, clock } = setup();
    const t0 = clock.nowNs();
    publish('a', 2);
    publish('b', 1);
    const { t } = sub('c1', 'a', StartType.StartFromFirst);
    expect(t.seqs).toEqual([1, 2]);
    expect(t.got[0]!.Timestamp).toBe(t0);
    expect(t.got[1]!.Timestamp).toBe(t0 + 1_000_000_000n);
    expect(t.got[0]!.Channel).toBe('a');
    expect(t.got[0]!.Tags).toEqual({ i: '0' });
    expect(sub('c2', 'b', StartType.StartFromFirst).t.seqs).toEqual([1]);
  });

  it.each([
    ['StartNewOnly', StartType.StartNewOnly, 0n, [6]],
    ['StartFromFirst', StartType.StartFromFirst, 0n, [1, 2, 3, 4, 5, 6]],
    ['StartFromLast', StartType.StartFromLast, 0n, [5, 6]],
    ['StartAtSequence 3', StartType.StartAtSequence, 3n, [3, 4, 5, 6]],
    ['StartAtSequence beyond the last', StartType.StartAtSequence, 99n, [6]],
    ['type 7 (accepted, new only)', 7, 0n, [6]],
  ])('%s', (_name, type, value, expected) => {
    const { publish, sub } = setup();
    publish('ch', 5);
    const { t } = sub('c1', 'ch', type, value);
    publish('ch', 1);
    expect(t.seqs).toEqual(expected);
  });

  it('StartAtTime (ns) and StartAtTimeDelta (s)', () => {
    const { publish, sub, clock } = setup();
    const start = clock.nowNs();
    publish('ch', 5); // at start, +1 s, … +4 s; now = start + 5 s
    expect(sub('c1', 'ch', StartType.StartAtTime, start + 1_500_000_000n).t.seqs).toEqual([3, 4, 5]);
    expect(sub('c2', 'ch', StartType.StartAtTime, start - 1_000_000_000n).t.seqs).toEqual([1, 2, 3, 4, 5]);
    expect(sub('c3', 'ch', StartType.StartAtTimeDelta, 4n).t.seqs).toEqual([3, 4, 5]); // now - 4 s: just after event 2
    // Past int64 nanoseconds the server's product wraps around: 10^10 s lands in the future, no replay.
    expect(sub('c5', 'ch', StartType.StartAtTimeDelta, 10_000_000_000n).t.seqs).toEqual([]);
    const future = sub('c4', 'ch', StartType.StartAtTime, clock.nowNs() + 60_000_000_000n);
    expect(future.t.seqs).toEqual([]);
    publish('ch', 1);
    expect(future.t.seqs).toEqual([6]);
  });

  it('StartAtTime and StartAtTimeDelta start strictly after the time + 1 ms, as the server starts a little after it', () => {
    const { publish, sub, clock } = setup();
    const start = clock.nowNs();
    publish('ch', 3); // at start, +1 s, +2 s; now = start + 3 s
    const ms = 1_000_000n;
    const second = start + 1_000_000_000n;
    expect(sub('c1', 'ch', StartType.StartAtTime, second).t.seqs).toEqual([3]); // an event stored at the time itself is not delivered
    expect(sub('c2', 'ch', StartType.StartAtTime, second - ms).t.seqs).toEqual([3]); // nor one within the next millisecond
    expect(sub('c3', 'ch', StartType.StartAtTime, second - ms - 1n).t.seqs).toEqual([2, 3]);
    expect(sub('c4', 'ch', StartType.StartAtTimeDelta, 2n).t.seqs).toEqual([3]); // now - 2 s is event 2's time
  });

  it('StartFromLast on an empty channel delivers the first new event', () => {
    const { publish, sub } = setup();
    const { t } = sub('c1', 'empty', StartType.StartFromLast);
    publish('empty', 2);
    expect(t.seqs).toEqual([1, 2]);
  });
});

describe('EventsStoreEngine durables', () => {
  it('resumes a (ClientID, channel) durable after the last delivered event and ignores the new start position', () => {
    const { publish, sub } = setup();
    publish('ch', 3);
    const first = sub('c1', 'ch', StartType.StartFromFirst);
    expect(first.t.seqs).toEqual([1, 2, 3]);
    first.close();
    publish('ch', 2);
    const again = sub('c1', 'ch', StartType.StartFromFirst);
    expect(again.t.seqs).toEqual([4, 5]);
  });

  it('shares a durable queue group across ClientIDs, one member per event', () => {
    const { publish, sub } = setup();
    publish('ch', 2);
    const a = sub('c1', 'ch', StartType.StartFromFirst, 0n, 'g');
    const b = sub('c2', 'ch', StartType.StartNewOnly, 0n, 'g'); // joins: start position ignored
    publish('ch', 4);
    expect([...a.t.seqs, ...b.t.seqs].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.t.seqs.length).toBeGreaterThan(0);
    a.close();
    b.close();
    publish('ch', 1);
    const c = sub('c3', 'ch', StartType.StartFromFirst, 0n, 'g');
    expect(c.t.seqs).toEqual([7]);
  });

  it('refuses a colon in a grouped durable, allows it without a group', () => {
    const { sub } = setup();
    expect(refusalOf(() => sub('c1', 'a:b', StartType.StartNewOnly, 0n, 'g'))).toBe('durable-colon');
    expect(() => sub('c2', 'a:b', StartType.StartNewOnly)).not.toThrow();
  });

  it('waits for room, then drops a message a stalled subscriber could not take within 2 s', () => {
    const { publish, sub, clock } = setup();
    const { t } = sub('c1', 'ch', StartType.StartNewOnly);
    t.room = false;
    publish('ch', 1); // advances 1 s
    expect(t.seqs).toEqual([]);
    clock.advance(1000); // 2 s after the stall: event 1 dropped (acked)
    publish('ch', 1);
    t.open();
    expect(t.seqs).toEqual([2]);
  });

  it('keeps events and durable positions across a restart of a file store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-'));
    try {
      const clock = new ManualClock();
      const one = setup(fileStore(dir), clock);
      one.publish('ch', 3);
      const s = one.sub('c1', 'ch', StartType.StartFromFirst);
      expect(s.t.seqs).toEqual([1, 2, 3]);
      s.close();
      void one.engine.close();
      void one.store.close();
      const two = setup(fileStore(dir), clock);
      two.publish('ch', 1);
      expect(two.sub('c1', 'ch', StartType.StartFromFirst).t.seqs).toEqual([4]);
      expect(two.sub('c2', 'ch', StartType.StartFromFirst).t.seqs).toEqual([1, 2, 3, 4]);
      expect(two.engine.lastSequence('ch')).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts but never stores events on channels stan refuses', () => {
    const { engine, publish } = setup();
    publish('a/b', 1);
    publish('a..b', 1);
    expect(engine.lastSequence('a/b')).toBe(0);
    expect(engine.lastSequence('a..b')).toBe(0);
  });

  it('refuses a channel that differs only in case from an existing one: a publish is dropped, a subscription refused (newer stan)', () => {
    const { engine, publish, sub } = setup();
    publish('orders', 1);
    expect(engine.publish({ EventID: 'x', Channel: 'Orders', Metadata: '', Body: Buffer.from('x'), Tags: {} })).toBe('orders');
    expect(engine.lastSequence('Orders')).toBe(0);
    expect(engine.channelNames()).not.toContain('Orders');
    let refused: StanError | undefined;
    try {
      sub('c1', 'ORDERS', StartType.StartFromFirst);
    } catch (e) {
      refused = e as StanError;
    }
    expect(refused).toMatchObject({ refusal: 'channel-case', channel: '_EVENTS_STORE_.ORDERS', existing: '_EVENTS_STORE_.orders' });
    // The same name is fine, and the first subscriber's channel claims its lower-case name too.
    expect(sub('c2', 'orders', StartType.StartFromFirst).t.seqs).toEqual([1]);
    sub('c3', 'Fresh', StartType.StartNewOnly);
    expect(refusalOf(() => sub('c4', 'fresh', StartType.StartNewOnly))).toBe('channel-case');
    // A durable refused for its ':' still creates its channel, as stan creates it before the durable.
    expect(refusalOf(() => sub('c5', 'x:y', StartType.StartNewOnly, 0n, 'g'))).toBe('durable-colon');
    expect(engine.caseConflict('X:Y')).toBe('x:y');
  });

  it('frees a lower-case name when its channel is deleted, and knows the names a file store brings back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-'));
    try {
      const clock = new ManualClock();
      const one = setup(fileStore(dir), clock);
      one.publish('Orders', 1);
      one.publish('kept', 1);
      expect(one.engine.deleteChannel('Orders')).toBe(true);
      expect(one.engine.caseConflict('orders')).toBeUndefined();
      void one.engine.close();
      void one.store.close();
      const two = setup(fileStore(dir), clock);
      expect(two.engine.caseConflict('KEPT')).toBe('kept');
      two.publish('KEPT', 1);
      expect(two.engine.lastSequence('KEPT')).toBe(0);
      expect(two.engine.lastSequence('kept')).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deletes a channel with its durables', () => {
    const { engine, publish, sub } = setup();
    publish('ch', 2);
    sub('c1', 'ch', StartType.StartFromFirst).close();
    expect(engine.deleteChannel('ch')).toBe(true);
    expect(engine.channelNames()).not.toContain('ch');
    publish('ch', 1);
    expect(sub('c1', 'ch', StartType.StartFromFirst).t.seqs).toEqual([1]);
  });
});

describe("EventsStoreEngine delivers through stan (§2.2): in-flight limit, ack wait, groups", () => {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  /** Publishes `n` events at once and lets the write batch store them. */
  const burst = (engine: EventsStoreEngine, clock: ManualClock, channel: string, n: number) => {
    for (let i = 0; i < n; i++) engine.publish({ EventID: `e${i}`, Channel: channel, Metadata: '', Body: Buffer.from('b'), Tags: {} });
    clock.advance(EVENT_WRITE_BATCH_MS);
  };

  it('sends again what a stalled subscriber has not taken after the ack wait, behind later events, and again after each wait', () => {
    const { engine, clock, sub } = setup(memoryStore(), new ManualClock(), { dropAfterMs: 1_000_000 });
    const { t } = sub('c1', 'ch', StartType.StartNewOnly);
    t.room = false;
    burst(engine, clock, 'ch', 10);
    clock.advance(60_000); // two ack waits
    t.open();
    expect(t.seqs).toEqual([...range(1, 10), ...range(1, 10), ...range(1, 10)]);
    clock.advance(60_000); // all taken and acknowledged: nothing more
    expect(t.seqs).toHaveLength(30);
  });

  it('sends a subscriber at most maxInflight unacknowledged events: only those come again', () => {
    const { engine, clock, sub } = setup(memoryStore(), new ManualClock(), { dropAfterMs: 1_000_000, maxInflight: 3 });
    const { t } = sub('c1', 'ch', StartType.StartNewOnly);
    t.room = false;
    burst(engine, clock, 'ch', 5);
    clock.advance(30_000);
    t.open();
    expect(t.seqs).toEqual([1, 2, 3, 1, 2, 3, 4, 5]);
  });

  it('a slow subscriber dropping one event per 2 s gets the rest twice once they outlast the ack wait', () => {
    const { engine, clock, sub } = setup(memoryStore(), new ManualClock(), { dropAfterMs: 1999 });
    const { t } = sub('c1', 'ch', StartType.StartNewOnly);
    t.room = false;
    burst(engine, clock, 'ch', 40);
    clock.advance(29_990); // 1..15 dropped, one per 2 s, acknowledged all the same
    clock.advance(1_000); // the ack wait ends for 16..40: sent again
    t.open();
    expect(t.seqs).toEqual([...range(16, 40), ...range(16, 40)]);
  });

  it("a group sends each event to the member with the fewest unacknowledged; a leaving member's inbox is lost, to the others too", () => {
    const { engine, clock, sub } = setup();
    const a = sub('c1', 'ch', StartType.StartNewOnly, 0n, 'g');
    const b = sub('c2', 'ch', StartType.StartNewOnly, 0n, 'g');
    a.t.room = false;
    burst(engine, clock, 'ch', 6);
    // Stan sends the whole batch before an acknowledgement comes back: in turn, on equal counts.
    expect(a.t.seqs).toEqual([]); // it holds 1, 3 and 5, waiting for room
    expect(b.t.seqs).toEqual([2, 4, 6]);
    burst(engine, clock, 'ch', 2);
    expect(b.t.seqs).toEqual([2, 4, 6, 7, 8]); // b has none unacknowledged, a has three
    // As a's stream ends its handler returns at once for 1 (which it waited with), 3 and 5, and
    // stan's client acknowledges each: never sent again, though b has room and the ack wait passes.
    a.close();
    clock.advance(60_000);
    expect(b.t.seqs).toEqual([2, 4, 6, 7, 8]);
    burst(engine, clock, 'ch', 1);
    expect(b.t.seqs).toEqual([2, 4, 6, 7, 8, 9]);
  });

  it("a subscriber that leaves loses what stan had sent it: the durable's next subscriber starts after it", () => {
    const { engine, clock, sub } = setup();
    const c1 = sub('c1', 'ch', StartType.StartNewOnly);
    c1.t.room = false;
    burst(engine, clock, 'ch', 3); // 1 waits for room, 2 and 3 in the inbox behind it
    c1.close();
    clock.advance(1000); // the ClientID is free again
    burst(engine, clock, 'ch', 2);
    expect(sub('c1', 'ch', StartType.StartFromFirst).t.seqs).toEqual([4, 5]);
  });

  it('keeps the members subscribed at a kill as dead members: what they held and are dealt reaches a live one only as ack waits end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-'));
    try {
      const clock = new ManualClock();
      const first = setup(fileStore(dir), clock);
      const a = first.sub('c1', 'ch', StartType.StartNewOnly, 0n, 'g');
      const b = first.sub('c2', 'ch', StartType.StartNewOnly, 0n, 'g');
      a.t.room = false;
      burst(first.engine, clock, 'ch', 6);
      expect(b.t.seqs).toEqual([2, 4, 6]);
      clock.advance(100); // the durable's record is written
      void first.store.close(); // a kill -9: the engine is not closed, nobody leaves
      const again = setup(fileStore(dir), clock);
      const c = again.sub('c3', 'ch', StartType.StartNewOnly, 0n, 'g');
      burst(again.engine, clock, 'ch', 1);
      burst(again.engine, clock, 'ch', 1);
      // stan's pick: b (dead, none unacknowledged, before c) takes 7; c takes 8. a keeps 1, 3, 5.
      expect(c.t.seqs).toEqual([8]);
      clock.advance(30_000 - 2 * EVENT_WRITE_BATCH_MS - 1);
      expect(c.t.seqs).toEqual([8]);
      // One ack wait after the restart a's events are sent again, each to the member picked then,
      // before c acknowledges any: 1 to c, 3 to b, 5 back to a. Each of those waits once more.
      clock.advance(1);
      expect(c.t.seqs).toEqual([8, 1]);
      clock.advance(120_000);
      expect(c.t.seqs).toEqual([8, 1, 7, 5, 3]); // all of it, late and out of order
      void again.engine.close();
      void again.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a graceful stop closes the members; a kill leaves a dead one, which stays across later restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-'));
    try {
      const clock = new ManualClock();
      // A graceful stop: the member is closed, so after the restart a new one gets every event.
      const one = setup(fileStore(dir), clock);
      one.sub('c1', 'ch', StartType.StartNewOnly, 0n, 'g');
      await one.engine.close();
      await one.store.close();
      const two = setup(fileStore(dir), clock);
      const live = two.sub('c2', 'ch', StartType.StartNewOnly, 0n, 'g');
      burst(two.engine, clock, 'ch', 2);
      expect(live.t.seqs).toEqual([1, 2]);
      clock.advance(100); // its position is written
      void two.store.close(); // a kill with c2 subscribed
      // Graceful, then killed again: c2 comes back dead each time.
      const three = setup(fileStore(dir), clock);
      await three.engine.close();
      await three.store.close();
      const four = setup(fileStore(dir), clock);
      void four.store.close();
      const five = setup(fileStore(dir), clock);
      const next = five.sub('c3', 'ch', StartType.StartNewOnly, 0n, 'g');
      // Sent before c3 acknowledges any: 3 to the dead c2 (first on a tie), 4 to c3, 5 to c2 again.
      burst(five.engine, clock, 'ch', 3);
      expect(next.t.seqs).toEqual([4]);
      clock.advance(30_000); // 3 to c3; 5 stays with c2, which holds no more than c3 then
      expect(next.t.seqs).toEqual([4, 3]);
      clock.advance(30_000);
      expect(next.t.seqs).toEqual([4, 3, 5]);
      await five.engine.close();
      await five.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a dead member alone in its group is dealt new events up to its in-flight limit, sent again to it until a live member comes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-'));
    try {
      const clock = new ManualClock();
      const one = setup(fileStore(dir), clock, { maxInflight: 3 });
      one.sub('c1', 'ch', StartType.StartNewOnly, 0n, 'g');
      void one.store.close(); // kill
      const two = setup(fileStore(dir), clock, { maxInflight: 3 });
      burst(two.engine, clock, 'ch', 5); // the dead c1 takes 1..3; 4 and 5 wait for room
      clock.advance(40_000); // 1..3 sent again to c1, the only member
      const live = two.sub('c2', 'ch', StartType.StartNewOnly, 0n, 'g');
      expect(live.t.seqs).toEqual([4, 5]);
      // c1's second wait ends: 1 and 2 go to c2, then c1 holds fewer than c2 and keeps 3 a wait more.
      clock.advance(30_000);
      expect(live.t.seqs).toEqual([4, 5, 1, 2]);
      clock.advance(30_000);
      expect(live.t.seqs).toEqual([4, 5, 1, 2, 3]);
      void two.engine.close();
      void two.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a member that leaves the middle of a group gives its place to the last one', () => {
    const { engine, clock, sub } = setup();
    const members = ['c1', 'c2', 'c3', 'c4'].map((id) => sub(id, 'ch', StartType.StartNewOnly, 0n, 'g'));
    for (const m of members) m.t.room = false; // nobody acknowledges: each takes one in turn
    burst(engine, clock, 'ch', 4); // order after each pick: [c2,c3,c4,c1] … back to [c1,c2,c3,c4]
    members[1]!.close(); // [c1,c4,c3]; its event 2 is lost with it
    burst(engine, clock, 'ch', 3);
    for (const m of members) m.t.open();
    expect(members.map((m) => m.t.seqs)).toEqual([[1, 5], [], [3, 7], [4, 6]]);
  });

  it('leaves no timer behind once the broker closes', async () => {
    const { engine, clock, sub } = setup();
    sub('c1', 'ch', StartType.StartNewOnly).t.room = false;
    burst(engine, clock, 'ch', 3);
    await engine.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('EventsStoreEngine retention (STORE_MAX_RETENTION, §4)', () => {
  it('removes old events, keeps sequences going, and survives a restart when emptied', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ret-'));
    try {
      const clock = new ManualClock();
      const channels = new ChannelRegistry(() => clock.nowMs());
      const clients = new ClientRegistry(clock, 0);
      const make = (store: Store) => new EventsStoreEngine({ store, clock, channels, ...STAN, retentionMs: 10_000 });
      const store1 = fileStore(dir);
      const engine = make(store1);
      const pub = (e: EventsStoreEngine, body: string) => e.publish({ EventID: body, Channel: 'ch', Metadata: '', Body: Buffer.from(body), Tags: {} });
      pub(engine, 'old1');
      pub(engine, 'old2');
      clock.advance(10_000); // sweep at 10 s: nothing older than 10 s yet
      const t0 = new Target();
      engine.subscribe(clients.register('z'), { channel: 'ch', group: '', startType: StartType.StartFromFirst, startValue: 0n }, t0);
      expect(t0.seqs).toEqual([1, 2]);
      clock.advance(1000); // swept every second, as stan does: gone at 11 s
      pub(engine, 'young');
      clock.advance(5000);
      const t = new Target();
      engine.subscribe(clients.register('a'), { channel: 'ch', group: '', startType: StartType.StartFromFirst, startValue: 0n }, t);
      expect(t.seqs).toEqual([3]);
      clock.advance(11_000); // everything expired
      const u = new Target();
      engine.subscribe(clients.register('b'), { channel: 'ch', group: '', startType: StartType.StartFromFirst, startValue: 0n }, u);
      expect(u.seqs).toEqual([]);
      void engine.close();
      void store1.close();
      const store2 = fileStore(dir);
      const again = make(store2);
      pub(again, 'next');
      clock.advance(EVENT_WRITE_BATCH_MS);
      expect(again.lastSequence('ch')).toBe(4);
      const v = new Target();
      again.subscribe(clients.register('c'), { channel: 'ch', group: '', startType: StartType.StartFromFirst, startValue: 0n }, v);
      expect(v.seqs).toEqual([4]);
      void again.close();
      void store2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('EventsStoreEngine acknowledges before the event is durable (§2.2)', () => {
  const event = (body: string) => ({ EventID: body, Channel: 'ch', Metadata: '', Body: Buffer.from(body), Tags: {} });
  const bodiesOf = (t: Target) => t.got.map((e) => Buffer.from(e.Body).toString());

  /** The process dies: the engine's memory is gone, only what reached the files is left. */
  function afterKill(dir: string, clock: ManualClock, old: { store: Store }) {
    void old.store.close(); // closes the files; nothing is written on the way
    return setup(fileStore(dir), clock);
  }

  it('a SIGKILL between the acknowledgement and the next write batch loses the event', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-ack-'));
    try {
      const clock = new ManualClock();
      const one = setup(fileStore(dir), clock);
      one.engine.publish(event('kept'));
      clock.advance(EVENT_WRITE_BATCH_MS);
      one.engine.publish(event('acked')); // returned: the service answers Sent:true now
      const live = one.sub('c1', 'ch', StartType.StartFromFirst);
      expect(bodiesOf(live.t)).toEqual(['kept']); // not delivered before it is written, as stan stores then delivers
      clock.advance(EVENT_WRITE_BATCH_MS - 1);
      expect(bodiesOf(live.t)).toEqual(['kept']);
      live.close();
      const two = afterKill(dir, clock, one);
      expect(bodiesOf(two.sub('c2', 'ch', StartType.StartFromFirst).t)).toEqual(['kept']);
      two.engine.publish(event('next')); // the lost event's sequence goes to the next one, as on the server
      clock.advance(EVENT_WRITE_BATCH_MS);
      const replay = two.sub('c3', 'ch', StartType.StartFromFirst).t;
      expect(bodiesOf(replay)).toEqual(['kept', 'next']);
      expect(replay.seqs).toEqual([1, 2]);
      void two.engine.close();
      void two.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the next write batch stores and delivers every acknowledged event, in order, and a kill after it loses nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-ack-'));
    try {
      const clock = new ManualClock();
      const one = setup(fileStore(dir), clock);
      const live = one.sub('c1', 'ch', StartType.StartNewOnly);
      for (const b of ['a', 'b', 'c']) one.engine.publish(event(b));
      expect(live.t.seqs).toEqual([]);
      clock.advance(EVENT_WRITE_BATCH_MS);
      expect(live.t.seqs).toEqual([1, 2, 3]);
      live.close();
      const two = afterKill(dir, clock, one);
      expect(bodiesOf(two.sub('c2', 'ch', StartType.StartFromFirst).t)).toEqual(['a', 'b', 'c']);
      void two.engine.close();
      void two.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a graceful close writes every acknowledged event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-ack-'));
    try {
      const clock = new ManualClock();
      const one = setup(fileStore(dir), clock);
      for (const b of ['a', 'b', 'c']) one.engine.publish(event(b));
      await one.engine.close();
      await one.store.close();
      const two = setup(fileStore(dir), clock);
      const replay = two.sub('c1', 'ch', StartType.StartFromFirst).t;
      expect(bodiesOf(replay)).toEqual(['a', 'b', 'c']);
      expect(replay.seqs).toEqual([1, 2, 3]);
      await two.engine.close();
      await two.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('start positions count an acknowledged event that is not written yet; it is delivered once written', () => {
    const { engine, clock, sub } = setup();
    engine.publish(event('a'));
    engine.publish(event('b'));
    clock.advance(EVENT_WRITE_BATCH_MS);
    engine.publish(event('c')); // acknowledged, not written
    const last = sub('c1', 'ch', StartType.StartFromLast).t;
    const beyond = sub('c2', 'ch', StartType.StartAtSequence, 99n).t;
    const newOnly = sub('c3', 'ch', StartType.StartNewOnly).t;
    expect([last.seqs, beyond.seqs, newOnly.seqs]).toEqual([[], [], []]);
    clock.advance(EVENT_WRITE_BATCH_MS);
    expect([last.seqs, beyond.seqs, newOnly.seqs]).toEqual([[3], [], []]);
    engine.publish(event('d'));
    clock.advance(EVENT_WRITE_BATCH_MS);
    expect([last.seqs, beyond.seqs, newOnly.seqs]).toEqual([[3, 4], [4], [4]]);
  });

  it('deleting a channel drops its unwritten events', () => {
    const { engine, clock, sub } = setup();
    engine.publish(event('gone'));
    expect(engine.deleteChannel('ch')).toBe(true);
    clock.advance(EVENT_WRITE_BATCH_MS);
    engine.publish(event('new'));
    clock.advance(EVENT_WRITE_BATCH_MS);
    const { t } = sub('c1', 'ch', StartType.StartFromFirst);
    expect(bodiesOf(t)).toEqual(['new']);
    expect(t.seqs).toEqual([1]);
  });
});

describe('ClientRegistry (stan client ids)', () => {
  it('refuses a second live registration, and briefly after release', () => {
    const clock = new ManualClock();
    const reg = new ClientRegistry(clock, 300);
    const lease = reg.register('c1');
    expect(refusalOf(() => reg.register('c1'))).toBe('client-id-registered');
    lease.release(true);
    expect(refusalOf(() => reg.register('c1'))).toBe('client-id-registered');
    clock.advance(300);
    expect(() => reg.register('c1').release(false)).not.toThrow();
    expect(() => reg.register('c1')).not.toThrow();
  });

  it('checks the charset', () => {
    const reg = new ClientRegistry(new ManualClock(), 0);
    expect(refusalOf(() => reg.register('a.b'))).toBe('invalid-client-id');
    expect(refusalOf(() => reg.register('a b'))).toBe('invalid-client-id');
    expect(() => reg.register('ok_Id-9')).not.toThrow();
  });
});
