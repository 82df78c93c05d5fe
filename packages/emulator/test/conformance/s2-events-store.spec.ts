// docs/broker-behaviour.md §2.2 Events store (and §0.6, §6 "Events store").
import * as grpc from '@grpc/grpc-js';
import { expectedCapabilities, startKubemq } from '@kubemq/testing';
import { itWhen, probeUntil } from '@kubemq/testing/jest';
import { type EventReceive, Subscribe_EventsStoreType as Start, Subscribe_SubscribeType, type kubemqClient } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, eventsStream, type In, type Inbox, sendEvent, sleep, subscribeEvents, text } from './support/raw.js';
import { PROBE, isProbe, notProbe } from './support/ready.js';
import type { Subscribe } from '@kubemq/emulator/wire';

afterAll(closeAll);

const store = (c: kubemqClient, sub: In<Subscribe>) =>
  subscribeEvents(c, { SubscribeTypeData: Subscribe_SubscribeType.EventsStore, ...sub });

async function publish(c: kubemqClient, channel: string, bodies: string[]): Promise<void> {
  for (const body of bodies) {
    const result = await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(body), Store: true });
    expect(result.Sent).toBe(true);
  }
}
const bodies = (items: EventReceive[]) => items.filter(notProbe).map((e) => text(e.Body));
const seqs = (items: EventReceive[]) => items.filter(notProbe).map((e) => Number(e.Sequence));

/** Subscribes, retrying while the ClientID is still registered from a just-cancelled stream (§2.2, §5.2). */
async function resubscribe(c: kubemqClient, sub: In<Subscribe>): Promise<Inbox<EventReceive>> {
  for (let attempt = 0; ; attempt++) {
    const inbox = store(c, sub);
    const outcome = await Promise.race([inbox.ended, inbox.waitFor(1, 3000).then(() => undefined)]);
    if (outcome === undefined) return inbox;
    if (outcome.details !== 'stan: clientID already registered' || attempt > 20) {
      throw new Error(`subscription ended: ${outcome.code} ${outcome.details}`);
    }
    await sleep(250);
  }
}

/**
 * Waits until the server has let go of a cancelled ClientID (it closes asynchronously, §2.2): an
 * invalid request with it answers `clientID already registered` while it is held (§6), else 102.
 */
async function untilReleased(c: kubemqClient, client: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const end = await store(c, { ClientID: client, Channel: '', EventsStoreTypeData: Start.StartFromFirst }).end();
    if (end.details !== 'stan: clientID already registered') return;
    await sleep(250);
  }
  throw new Error(`ClientID ${client} stayed registered`);
}

/** Waits until a StartNewOnly-style subscription sees a stored probe. */
async function readyStore(c: kubemqClient, inbox: Inbox<EventReceive>, channel: string): Promise<void> {
  await probeUntil(
    () => sendEvent(c, { ClientID: 'prober', Channel: channel, Metadata: PROBE, Body: Buffer.from('p'), Store: true }),
    () => inbox.items.some(isProbe),
    { timeoutMs: 10_000, intervalMs: 150 },
  );
}

/** Five minutes in ns: how far a broker's clock may be from this machine's in these checks. */
const MINUTES_NS = 300_000_000_000n;

describe('§2.2 Events store: publishing and start positions [seen]', () => {
  const channel = ch('s22.positions');
  const c = connect();
  /** Just before the first event was stored, on the broker's clock (which may differ from this machine's). */
  let beforeFirstNs = 0n;
  beforeAll(async () => {
    await publish(c, channel, ['e1', 'e2', 'e3', 'e4', 'e5']);
    const first = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    beforeFirstNs = ((await first.waitFor(1))[0]?.Timestamp ?? 0n) - 1n;
    first.cancel();
  });

  it('§2.2 StartFromFirst → sequences 1..5; Timestamp is Unix ns', async () => {
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    const got = await sub.waitFor(5);
    expect(seqs(got)).toEqual([1, 2, 3, 4, 5]);
    expect(bodies(got)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    // Unix ns: within minutes of this machine's clock (a broker's clock may be off by seconds;
    // ms or µs would be off by a factor of a thousand).
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    for (const e of got) {
      expect(e.Timestamp).toBeGreaterThan(beforeFirstNs);
      expect(e.Timestamp).toBeGreaterThan(nowNs - MINUTES_NS);
      expect(e.Timestamp).toBeLessThan(nowNs + MINUTES_NS);
      expect(e.Channel).toBe(channel);
    }
    expect(got.map((e) => e.Timestamp)).toEqual([...got.map((e) => e.Timestamp)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    sub.cancel();
  });

  it('§2.2 StartAtSequence 3 → 3, 4, 5', async () => {
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartAtSequence, EventsStoreTypeValue: 3 });
    expect(seqs(await sub.waitFor(3))).toEqual([3, 4, 5]);
    await sleep(200);
    expect(sub.items).toHaveLength(3);
    sub.cancel();
  });

  it('§2.2 StartFromLast → the last stored event (5), then new ones', async () => {
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromLast });
    expect(seqs(await sub.waitFor(1))).toEqual([5]);
    await sleep(200);
    expect(sub.items).toHaveLength(1);
    sub.cancel();
  });

  it('§2.2 StartAtTime (Unix ns before the first send) → all 5', async () => {
    // A second before the first event: the server starts a little after the time it is given (§2.2),
    // so a time just before the event could leave it out.
    const wellBeforeNs = beforeFirstNs - 1_000_000_000n;
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartAtTime, EventsStoreTypeValue: wellBeforeNs });
    expect(seqs(await sub.waitFor(5))).toEqual([1, 2, 3, 4, 5]);
    sub.cancel();
  });

  it('§2.2 StartAtTimeDelta 60 (seconds) → all 5', async () => {
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartAtTimeDelta, EventsStoreTypeValue: 60 });
    expect(seqs(await sub.waitFor(5))).toEqual([1, 2, 3, 4, 5]);
    sub.cancel();
  });

  it('§6 StartAtSequence beyond the last stored (99) → no error; delivery starts with the next new event', async () => {
    const ch2 = ch('s6.beyond');
    await publish(c, ch2, ['a1', 'a2', 'a3', 'a4', 'a5']);
    const sub = store(c, { ClientID: cid(), Channel: ch2, EventsStoreTypeData: Start.StartAtSequence, EventsStoreTypeValue: 99 });
    await sleep(300);
    expect(sub.items).toHaveLength(0);
    expect(sub.done).toBeUndefined();
    await probeUntil(
      () => publish(c, ch2, ['new']),
      () => sub.items.length > 0,
      { timeoutMs: 10_000, intervalMs: 300 },
    );
    expect(Number(sub.items[0]?.Sequence)).toBeGreaterThanOrEqual(6);
    sub.cancel();
  });

  it('§6 StartAtTime in the future delivers nothing stored', async () => {
    const futureNs = beforeFirstNs + 24n * 3_600_000_000_000n; // a day after the first event, on the broker's clock
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartAtTime, EventsStoreTypeValue: futureNs });
    await sleep(400);
    expect(sub.items).toHaveLength(0);
    sub.cancel();
  });

  it('§6 StartAtTime given in seconds instead of ns replays everything (a silent unit bug)', async () => {
    const seconds = BigInt(Math.floor(Date.now() / 1000));
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartAtTime, EventsStoreTypeValue: seconds });
    expect(seqs(await sub.waitFor(5))).toEqual([1, 2, 3, 4, 5]);
    sub.cancel();
  });

  it('§2.2 StartNewOnly delivers only events stored after it subscribed', async () => {
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartNewOnly });
    await readyStore(c, sub, channel);
    await publish(c, channel, ['fresh']);
    expect(bodies(await sub.waitFor(1, 5000, notProbe))).toEqual(['fresh']);
    expect(sub.items.filter(notProbe).every((e) => e.Sequence > 5n)).toBe(true);
    sub.cancel();
  });

  it('§2.2 sequences are per channel and start at 1', async () => {
    const other = ch('s22.perchannel');
    await publish(c, other, ['x']);
    const sub = store(c, { ClientID: cid(), Channel: other, EventsStoreTypeData: Start.StartFromFirst });
    expect(seqs(await sub.waitFor(1))).toEqual([1]);
    sub.cancel();
  });
});

describe('§2.2 Events store: durables by ClientID (§0.6)', () => {
  it('§2.2 re-subscribing with the same ClientID and channel resumes after the last delivered and ignores the start position', async () => {
    const c = connect();
    const channel = ch('s22.resume');
    const client = cid('durable');
    await publish(c, channel, ['r1', 'r2', 'r3']);
    const first = store(c, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    expect(bodies(await first.waitFor(3))).toEqual(['r1', 'r2', 'r3']);
    first.cancel();
    await first.ended;
    await untilReleased(c, client);
    await publish(c, channel, ['r4', 'r5']);
    // The ClientID can stay registered briefly after a cancel (§2.2): retry while it says so.
    const second = await resubscribe(c, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    const got = await second.waitFor(2);
    expect(bodies(got)).toEqual(['r4', 'r5']);
    second.cancel();
  });

  it('§0.6 a second live subscription with the same ClientID ends with INTERNAL `stan: clientID already registered`', async () => {
    const c = connect();
    const channel = ch('s22.dup');
    const client = cid('dup');
    await publish(c, channel, ['d1']);
    const first = store(c, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    await first.waitFor(1);
    const second = store(c, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    const end = await second.end();
    expect(end).toEqual({ code: grpc.status.INTERNAL, details: 'stan: clientID already registered' });
    expect(first.done).toBeUndefined();
    first.cancel();
  });

  it('§6 while a ClientID is live, even an invalid request with it (empty channel, StartAtSequence 0, another channel) gets `clientID already registered`', async () => {
    const c = connect();
    const channel = ch('s6.dupfirst');
    const client = cid('dup6');
    await publish(c, channel, ['d1']);
    const first = store(c, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    await first.waitFor(1);
    for (const sub of [
      { Channel: '', EventsStoreTypeData: Start.StartFromFirst },
      { Channel: channel, EventsStoreTypeData: Start.StartAtSequence, EventsStoreTypeValue: 0 },
      { Channel: ch('s6.other'), EventsStoreTypeData: Start.StartFromFirst },
    ]) {
      const end = await store(c, { ClientID: client, ...sub }).end();
      expect(end).toEqual({ code: grpc.status.INTERNAL, details: 'stan: clientID already registered' });
    }
    first.cancel();
  });

  it('§0.6 the ClientID must match ^[a-zA-Z0-9_-]+$', async () => {
    const end = await store(connect(), { ClientID: 'bad.client id', Channel: ch('s22.badid'), EventsStoreTypeData: Start.StartFromFirst }).end();
    expect(end).toEqual({
      code: grpc.status.INTERNAL,
      details: 'stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed',
    });
  });

  it('§2.2 a Group is a durable queue group shared across ClientIDs', async () => {
    const c = connect();
    const channel = ch('s22.qgroup');
    await publish(c, channel, ['g1', 'g2', 'g3', 'g4']);
    const a = store(c, { ClientID: cid('ga'), Channel: channel, Group: 'grp', EventsStoreTypeData: Start.StartFromFirst });
    const b = store(c, { ClientID: cid('gb'), Channel: channel, Group: 'grp', EventsStoreTypeData: Start.StartFromFirst });
    await probeUntil(
      () => undefined,
      () => a.items.length + b.items.length >= 4,
      { timeoutMs: 5000, intervalMs: 50 },
    );
    await sleep(200);
    expect([...bodies(a.items), ...bodies(b.items)].sort()).toEqual(['g1', 'g2', 'g3', 'g4']);
    a.cancel();
    b.cancel();
  });

  it("§2.2 a `:` in the group gives `stan: durable name of a durable queue subscriber can't contain the character ':'`", async () => {
    const end = await store(connect(), {
      ClientID: cid(),
      Channel: ch('s22.colon'),
      Group: 'a:b',
      EventsStoreTypeData: Start.StartFromFirst,
    }).end();
    expect(end).toEqual({
      code: grpc.status.INTERNAL,
      details: "stan: durable name of a durable queue subscriber can't contain the character ':'",
    });
  });

  it('§6 a `:` in an events-store channel is accepted without a group', async () => {
    const c = connect();
    const channel = `${ch('s6.colon')}:x`;
    await publish(c, channel, ['c1']);
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    expect(bodies(await sub.waitFor(1))).toEqual(['c1']);
    sub.cancel();
  });

  it('§2.2 Sent:true comes back before persistence: a channel stan rejects (`/`, `..`) still says Sent', async () => {
    const c = connect();
    for (const channel of [`${ch('s22.slash')}/x`, `${ch('s22.dots')}..x`]) {
      const result = await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x'), Store: true });
      expect(result.Sent).toBe(true);
    }
  });
});

describe('§2.2 Events store: durables survive restarts', () => {
  itWhen('restart', expectedCapabilities())('§2.2 stored events and a durable position survive a broker restart', async () => {
    await using broker = await startKubemq();
    const c = connect(broker.address);
    const channel = ch('s22.restart');
    const client = cid('restart');
    await publish(c, channel, ['p1', 'p2']);
    const first = store(c, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    await first.waitFor(2);
    first.cancel();
    await first.ended;
    await sleep(500);
    await broker.restart();
    const c2 = connect(broker.address);
    await publish(c2, channel, ['p3']);
    const replay = store(c2, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    expect(bodies(await replay.waitFor(3, 10_000))).toEqual(['p1', 'p2', 'p3']);
    const resumed = store(c2, { ClientID: client, Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    expect(bodies(await resumed.waitFor(1, 10_000))).toEqual(['p3']);
    replay.cancel();
    resumed.cancel();
  });

  // Sent:true comes before the event is persisted (§2.2), so a SIGKILL right after it may lose the
  // event; that loss is occasional and is not asserted. A graceful stop loses none of them.
  itWhen('restart', expectedCapabilities())(
    '§2.2 every event acknowledged right before a graceful stop (SIGTERM) is replayed after the restart, in order, and sequences go on',
    async () => {
      await using broker = await startKubemq();
      const channel = ch('s22.term');
      const sent = Array.from({ length: 100 }, (_, i) => `t${i + 1}`);
      const stream = eventsStream(connect(broker.address));
      for (const body of sent) stream.write({ ClientID: cid(), Channel: channel, Body: Buffer.from(body), Store: true });
      const results = await stream.waitFor(sent.length, 10_000);
      expect(results.every((r) => r.Sent)).toBe(true);
      stream.close();
      await broker.restart(); // SIGTERM as soon as the last Sent:true is in, then start on the same store
      const c = connect(broker.address);
      await publish(c, channel, ['after']);
      const replay = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
      const all = await replay.waitFor(sent.length + 1, 10_000);
      expect(bodies(all)).toEqual([...sent, 'after']);
      expect(seqs(all)).toEqual(Array.from({ length: sent.length + 1 }, (_, i) => i + 1));
      replay.cancel();
    },
    90_000,
  );
});

// A group member subscribed at a SIGKILL comes back with the restart (stan recovers its client as
// connected and drops it only after 120 missed daily heartbeats): stan deals it events as any
// member, nobody takes them, and each reaches a live member when its 30 s ack wait ends. From the
// server's source (stan recoverOneSub, findBestQueueSub, performAckExpirationRedelivery).
describe('§2.2 Events store: a group member stranded by a kill', () => {
  itWhen('kill', expectedCapabilities())(
    '§2.2 after a SIGKILL, events the dead member is dealt reach a new member of the group only after the ack wait, behind later ones (own broker)',
    async () => {
      await using broker = await startKubemq();
      const channel = ch('s22.kill.group');
      const c = connect(broker.address);
      const dead = store(c, { ClientID: cid('dead'), Channel: channel, Group: 'grp', EventsStoreTypeData: Start.StartNewOnly });
      await probeUntil(
        () => publish(c, channel, ['probe']),
        () => dead.items.length > 0,
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      await sleep(300); // its acknowledgements are stored
      await broker.kill();
      await broker.restart();
      const c2 = connect(broker.address);
      const live = store(c2, { ClientID: cid('live'), Channel: channel, Group: 'grp', EventsStoreTypeData: Start.StartNewOnly });
      const arrived = new Map<string, number>();
      live.call.on('data', (e: EventReceive) => arrived.set(text(e.Body), Date.now()));
      await sleep(1500); // the subscription is in place
      const sent = new Map<string, number>();
      for (let i = 1; i <= 6; i++) {
        sent.set(`e${i}`, Date.now());
        await publish(c2, channel, [`e${i}`]);
        await sleep(150); // the live member has taken and acknowledged what it got
      }
      await sleep(3000);
      const early = bodies(live.items).filter((b) => b !== 'probe');
      // The dead member is first on a tie: it takes at least the first one.
      expect(early).not.toContain('e1');
      expect(early.length).toBeLessThan(6);
      await probeUntil(
        () => undefined,
        () => sent.size === [...arrived.keys()].filter((b) => sent.has(b)).length,
        { timeoutMs: 45_000, intervalMs: 250 },
      );
      const all = bodies(live.items).filter((b) => b !== 'probe');
      expect([...new Set(all)].sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
      expect(all.slice(0, early.length)).toEqual(early); // the late ones come behind later events
      for (const body of sent.keys()) {
        if (early.includes(body)) continue;
        expect(arrived.get(body)! - sent.get(body)!).toBeGreaterThan(20_000); // the 30 s ack wait
      }
      live.cancel();
    },
    90_000,
  );
});

// The server acknowledges an event to stan only once the subscriber's buffer took it (or it was
// dropped after 2 s), one at a time; stan sends again what is unacknowledged after its 30 s ack
// wait. A subscriber that reads nothing for longer gets the events it had not taken twice.
describe('§2.2 Events store: a stalled subscriber past the ack wait', () => {
  it('§2.2 1100 stored events, a subscriber that reads nothing for 35 s: it gets hundreds of them a second time, after later ones', async () => {
    const c = connect();
    const channel = ch('s22.ackwait');
    const count = 1100;
    const stream = eventsStream(c);
    const body = Buffer.alloc(2048, 7);
    for (let i = 0; i < count; i++) stream.write({ ClientID: cid(), Channel: channel, Body: body, Store: true });
    expect((await stream.waitFor(count, 20_000)).every((r) => r.Sent)).toBe(true);
    stream.close();
    const sub = store(c, { ClientID: cid(), Channel: channel, EventsStoreTypeData: Start.StartFromFirst });
    sub.call.pause();
    await sleep(35_000);
    sub.call.resume();
    let seen = -1;
    while (seen !== sub.items.length) {
      seen = sub.items.length;
      await sleep(1500);
    }
    sub.cancel();
    const got = seqs(sub.items);
    const twice = got.filter((seq, i) => got.indexOf(seq) !== i);
    expect(twice.length).toBeGreaterThan(100);
    // A copy comes after later events: the sequences go back.
    expect(got.some((seq, i) => i > 0 && seq < got[i - 1]!)).toBe(true);
    // Nothing is lost beyond the one event per 2 s that the stalled buffer dropped.
    expect(count - new Set(got).size).toBeLessThanOrEqual(25);
  }, 90_000);
});
