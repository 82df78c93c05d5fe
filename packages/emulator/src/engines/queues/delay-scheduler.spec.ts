/// <reference types="jest" />
import { ManualClock } from '../../clock.js';
import type { QueueMessage } from '../../generated/kubemq.js';
import { memoryStore } from '../../store/index.js';
import type { Store } from '../../store/store.js';
import { DelayScheduler } from './delay-scheduler.js';

const NS_PER_MS = 1_000_000n;

function delayed(clock: ManualClock, id: string, body: string, delayMs: number): QueueMessage {
  return {
    MessageID: id,
    ClientID: 'c1',
    Channel: 'q',
    Metadata: '',
    Body: Buffer.from(body),
    Tags: {},
    Attributes: { Timestamp: 0n, Sequence: 0n, MD5OfBody: '', ReceiveCount: 0, ReRouted: false, ReRoutedFromQueue: '', ExpirationAt: 0n, DelayedTo: clock.nowNs() + BigInt(delayMs) * NS_PER_MS },
    Policy: { ExpirationSeconds: 0, DelaySeconds: Math.ceil(delayMs / 1000), MaxReceiveCount: 0, MaxReceiveQueue: '' },
  };
}

function scheduler(opts: { inFlightLimit?: number; ackWaitMs?: number; retentionMs?: number; store?: Store; clock?: ManualClock } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const resent: string[] = [];
  const s = new DelayScheduler({
    store: opts.store ?? memoryStore(),
    clock,
    intervalMs: 500,
    inFlightLimit: opts.inFlightLimit ?? 1024,
    ackWaitMs: opts.ackWaitMs ?? 86_400_000,
    retentionMs: opts.retentionMs ?? 0,
    logSwitch: { writing: true },
    resend: (m) => resent.push(m.Body.toString()),
  });
  return { s, clock, resent };
}

describe('DelayScheduler', () => {
  it('re-sends each message at the first scan after its delay, with its attributes cleared', () => {
    const { s, clock, resent } = scheduler();
    const m = delayed(clock, 'a', 'a', 1200);
    s.put([m]);
    clock.advance(1000);
    expect(resent).toEqual([]);
    clock.advance(500);
    expect(resent).toEqual(['a']);
    expect(m.Attributes).toBeUndefined();
    expect(m.Policy?.DelaySeconds).toBe(0);
    expect(s.size).toBe(0);
  });

  it('holds at most its in-flight limit: a short delay sent after them waits for a held one to be re-sent', () => {
    const { s, clock, resent } = scheduler({ inFlightLimit: 2 });
    s.put([delayed(clock, 'a', 'a', 10_000), delayed(clock, 'b', 'b', 20_000)]);
    s.put([delayed(clock, 'c', 'c', 1000)]);
    clock.advance(9_500);
    expect(resent).toEqual([]);
    clock.advance(1000); // a is re-sent, which lets the scan read c; c goes at the next scan
    expect(resent).toEqual(['a']);
    clock.advance(500);
    expect(resent).toEqual(['a', 'c']);
    clock.advance(10_000);
    expect(resent).toEqual(['a', 'c', 'b']);
  });

  it('keeps one message per MessageID: a displaced one comes back only after the ack wait, taking its slot meanwhile', () => {
    const { s, clock, resent } = scheduler({ inFlightLimit: 2, ackWaitMs: 60_000 });
    s.put([delayed(clock, 'same', 'first', 1000), delayed(clock, 'same', 'second', 2000), delayed(clock, 'other', 'third', 1000)]);
    clock.advance(2_000);
    expect(resent).toEqual([]); // third is due, but first's slot is still taken
    clock.advance(500);
    expect(resent).toEqual(['second']);
    clock.advance(500);
    expect(resent).toEqual(['second', 'third']);
    expect(s.size).toBe(1);
    clock.advance(57_000); // 60 s after first was read: read again, re-sent at the next scan
    expect(resent).toEqual(['second', 'third']);
    clock.advance(500);
    expect(resent).toEqual(['second', 'third', 'first']);
    expect(s.size).toBe(0);
  });

  it("with the defaults, retention deletes a displaced message before its ack wait ends: it never comes", () => {
    const day = 86_400_000;
    const { s, clock, resent } = scheduler({ ackWaitMs: day, retentionMs: day });
    s.put([delayed(clock, 'same', 'first', 1000), delayed(clock, 'same', 'second', 2000)]);
    clock.advance(day + 60_000);
    expect(resent).toEqual(['second']);
    expect(s.size).toBe(0);
  });

  it('retention deletes a message the scan had no room to read in time', () => {
    const { s, clock, resent } = scheduler({ inFlightLimit: 1, retentionMs: 10_000 });
    s.put([delayed(clock, 'a', 'a', 20_000), delayed(clock, 'b', 'b', 1000)]);
    clock.advance(30_000);
    expect(resent).toEqual(['a']);
    expect(s.size).toBe(0);
  });

  it('with an ack wait shorter than the poll, two displacing each other each go out once', () => {
    const { s, clock, resent } = scheduler({ ackWaitMs: 1 });
    s.put([delayed(clock, 'same', 'first', 3000), delayed(clock, 'same', 'second', 3000)]);
    clock.advance(10_000);
    expect([...resent].sort()).toEqual(['first', 'second']);
    expect(s.size).toBe(0);
  });

  it('after a restart reads the messages not yet re-sent in send order, under the same limit and map', () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const before = scheduler({ store, clock, inFlightLimit: 2 });
    before.s.put([delayed(clock, 'a', 'a', 1000), delayed(clock, 'x', 'x1', 30_000), delayed(clock, 'x', 'x2', 30_000), delayed(clock, 'b', 'b', 1000)]);
    clock.advance(1_500);
    expect(before.resent).toEqual(['a']);
    before.s.stop();
    const after = scheduler({ store, clock, inFlightLimit: 2, ackWaitMs: 60_000 });
    after.s.replay();
    expect(after.s.size).toBe(3);
    clock.advance(1_000); // x1 is displaced by x2 again and keeps its slot: b, due, waits for x2
    expect(after.resent).toEqual([]);
    clock.advance(28_000);
    expect(after.resent).toEqual(['x2']);
    clock.advance(500);
    expect(after.resent).toEqual(['x2', 'b']);
    clock.advance(30_500); // 60 s after the restart read x1: read again
    expect(after.resent).toEqual(['x2', 'b']);
    clock.advance(500);
    expect(after.resent).toEqual(['x2', 'b', 'x1']);
  });
});
