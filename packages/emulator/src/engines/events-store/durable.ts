// A durable subscription of the events store and its live subscribers, delivered as the server
// delivers them (broker-behaviour.md §2.2): through stan, which sends each subscription at most
// `maxInflight` unacknowledged events and sends one again when its ack wait ends, and through the
// server's handler, which takes the events one at a time, waits up to 2 s for room in the
// subscriber's buffer, drops the event when there is none, and acknowledges it either way.
//
// Stan's rules, as its server applies them:
// - a group's next event goes to the member with the fewest unacknowledged events that is under
//   the limit, the first in the member list on a tie; the first member, when chosen, moves to the
//   end of the list, and a member that leaves gives its place to the last one;
// - an event unacknowledged after the ack wait is sent again, and again after each further wait,
//   whatever the limit: to the same subscription, or, in a group, to the member chosen as above;
//   an acknowledgement from any member settles it;
// - an event that retention removed is not sent again, but a copy already sent still arrives.
// What stan has sent and the handler has not taken waits in the subscription's inbox: a NATS
// subscription without pending limits. An event sent again waits there a second time, behind
// later ones, so the subscriber gets it twice.
// When a subscriber leaves, its handler returns at once for every event in that inbox and stan's
// client acknowledges each before the server closes the subscription: all of them are lost, none
// goes to the group's other members or to the durable's next subscriber.
// A group member still subscribed when the broker is killed comes back at the restart as a dead
// member (stan's recoverOneSub and postRecoveryProcessing: its client is recovered as connected
// and dropped only after 120 missed daily heartbeats): it is dealt events as any member, nobody
// takes or acknowledges them, and each goes to the member then chosen when its ack wait ends.
import type { Clock, TimerHandle } from '../../clock.js';
import { Ring } from '../ring.js';

/** The events a durable reads: a stored channel. */
export interface DurableSource {
  readonly name: string;
  /** The sequence of the oldest stored event. */
  readonly first: number;
  /** The last sequence stored (delivered only once stored). */
  readonly lastStored: number;
  at(seq: number): SentEvent | undefined;
}

/** A stored event, as stan sends it: the copy keeps its data when retention removes the event. */
export interface SentEvent {
  readonly seq: number;
  readonly bytes: Buffer;
}

/** A subscriber stream, as the durable sees it (a StreamSink in production). */
export interface StoreTarget {
  push(bytes: Buffer): void;
  readonly hasRoom: boolean;
  whenRoom(fn: () => void): void;
}

export interface StanDelivery {
  clock: Clock;
  /** Stan's ack wait for the server's subscriptions (its default, 30 s). */
  ackWaitMs: number;
  /** Stan's in-flight limit for them (its default, 1024). */
  maxInflight: number;
  /** How long the handler waits for room before it drops an event (the server's 2 s). */
  dropAfterMs: number;
  /** The durable's position or its unacknowledged events changed (to be persisted). */
  changed(d: Durable): void;
  /** An event was handed to a subscriber. */
  delivered(channel: string, bytes: number): void;
}

/** Stan sends again what is due within this much of its timer. */
const DUE_SLACK_MS = 15;

/** One live subscription: stan's view (unacknowledged events) and the server handler's (its inbox). */
export class Member {
  /** What stan sent and the handler has not taken, in arrival order; an event sent again is in it again. */
  readonly inbox = new Ring<SentEvent>();
  /** Sent and unacknowledged: sequence → when stan sends it again. */
  readonly unacked = new Map<number, number>();
  ackTimer: TimerHandle | undefined;
  ackTimerAt = 0;
  /** Non-zero while the handler waits for room with the inbox's first event (the wait's id). */
  waiting = 0;
  dropTimer: TimerHandle | undefined;
  active = true;
  constructor(
    /** Undefined for a dead member: stan's inbox for it has no reader. */
    readonly target: StoreTarget | undefined,
    readonly maxInflight: number,
    readonly ackWaitMs: number,
  ) {}
}

let waitIds = 0;

export class Durable {
  /** The live members, in stan's order. */
  readonly members: Member[] = [];
  /** Unacknowledged events from before a restart, sent first to the next member; in sequence order. */
  held: number[] = [];
  /** Events dropped because a subscriber had no room for 2 s. */
  dropped = 0;
  private pumping = false;
  private again = false;

  constructor(
    readonly key: string,
    readonly source: DurableSource,
    /** The next sequence stan sends (its last sent + 1). */
    public nextSeq: number,
    readonly grouped: boolean,
    private readonly stan: StanDelivery,
  ) {}

  /** Every unacknowledged event, held or with a member, in sequence order (what a restart sends again). */
  get pending(): number[] {
    const all = new Set(this.held);
    for (const m of this.members) for (const seq of m.unacked.keys()) all.add(seq);
    return [...all].sort((a, b) => a - b);
  }

  /** Adds a live subscriber; what the durable holds is sent to it before anything new. */
  join(target: StoreTarget): Member {
    const m = new Member(target, this.stan.maxInflight, this.stan.ackWaitMs);
    this.members.push(m);
    const held = this.held;
    this.held = [];
    const now = this.stan.clock.nowMs();
    for (const seq of held) {
      const event = this.source.at(seq);
      if (event) this.send(m, event, now + m.ackWaitMs);
    }
    this.pump();
    return m;
  }

  /**
   * Brings back a group member that was subscribed when the broker was killed, with what it had
   * unacknowledged. Stan's startup redelivery sends each again to the same member, due one ack
   * wait from now (performAckExpirationRedelivery with isStartup); later waits pick a member.
   */
  recoverDead(unacked: readonly number[], maxInflight: number, ackWaitMs: number): Member {
    const m = new Member(undefined, maxInflight, ackWaitMs);
    this.members.push(m);
    const dueAt = this.stan.clock.nowMs() + ackWaitMs;
    for (const seq of unacked) m.unacked.set(seq, dueAt);
    if (m.unacked.size > 0) this.armAckTimer(m, ackWaitMs);
    return m;
  }

  /** The members that are still live (a graceful stop closes them; the dead stay). */
  get liveMembers(): Member[] {
    return this.members.filter((m) => m.target !== undefined);
  }

  /**
   * Removes a subscriber that went away. Its inbox holds everything stan sent it unacknowledged
   * (the event its handler was waiting with first): once the stream's context is done the handler
   * returns at once for each, and stan's client acknowledges it, while the server's close waits
   * for the handler's lock. So all of it is lost, counted as the 2-s drops are (§2.2).
   */
  leave(m: Member): void {
    if (!m.active) return;
    this.stop(m);
    while (m.inbox.size > 0) {
      this.dropped++;
      this.ack(m, m.inbox.shift()!.seq);
    }
    const members = this.members;
    const i = members.indexOf(m);
    if (i >= 0) {
      const last = members.pop()!;
      if (i < members.length) members[i] = last;
    }
    if (members.length > 0) this.pump(); // an ack may have freed another member's in-flight room
  }

  /** Stops every timer (the broker closes, or the channel is deleted). */
  close(): void {
    for (const m of this.members) this.stop(m);
  }

  /** Sends what stan can and lets every handler take what it can. */
  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.dispatch();
        for (const m of this.members.slice()) this.handle(m); // a push may end a member's stream
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private dispatch(): void {
    const source = this.source;
    if (this.nextSeq < source.first) this.nextSeq = source.first; // removed by retention
    while (this.nextSeq <= source.lastStored) {
      const m = this.chooseMember(false);
      if (!m) break;
      const event = source.at(this.nextSeq++)!;
      this.send(m, event, this.stan.clock.nowMs() + m.ackWaitMs);
      this.stan.changed(this);
    }
  }

  /** Stan's pick among the members (see the top of the file); `forced` (a re-send) falls back to the first. */
  private chooseMember(forced: boolean): Member | undefined {
    const members = this.members;
    let best: Member | undefined;
    for (const m of members) {
      if (m.unacked.size < m.maxInflight && (!best || m.unacked.size < best.unacked.size)) best = m;
    }
    if (!best && forced) best = members[0];
    if (best && members.length > 1 && best === members[0]) members.push(members.shift()!);
    return best;
  }

  /** Stan sends `event` to `m`, to be acknowledged by `dueAt`. */
  private send(m: Member, event: SentEvent, dueAt: number): void {
    m.unacked.delete(event.seq); // re-inserted: the map stays roughly in order of when each is due
    m.unacked.set(event.seq, dueAt);
    if (m.target) m.inbox.push(event);
    this.armAckTimer(m, Math.max(0, dueAt - this.stan.clock.nowMs()));
  }

  /** The server's handler: one event at a time, waiting for room, acknowledging each. */
  private handle(m: Member): void {
    const target = m.target;
    if (!target) return; // dead: nobody takes or acknowledges what it is sent
    while (m.active && m.waiting === 0 && m.inbox.size > 0) {
      const event = m.inbox.peek()!;
      if (!target.hasRoom) return this.waitForRoom(target, m, event.seq);
      m.inbox.shift();
      target.push(event.bytes);
      this.stan.delivered(this.source.name, event.bytes.length);
      this.ack(m, event.seq);
    }
  }

  private waitForRoom(target: StoreTarget, m: Member, seq: number): void {
    const id = ++waitIds;
    m.waiting = id;
    target.whenRoom(() => {
      if (m.waiting !== id) return;
      this.endWait(m);
      this.pump();
    });
    m.dropTimer = this.stan.clock.setTimeout(() => {
      m.dropTimer = undefined;
      if (m.waiting !== id) return;
      // §2.2: no room within 2 s: the handler drops the event, and stan counts it as acknowledged.
      m.waiting = 0;
      m.inbox.shift();
      this.dropped++;
      this.ack(m, seq);
      this.pump();
    }, this.stan.dropAfterMs);
  }

  private endWait(m: Member): void {
    m.waiting = 0;
    if (m.dropTimer) this.stan.clock.clearTimeout(m.dropTimer);
    m.dropTimer = undefined;
  }

  /** An acknowledgement settles the event wherever stan has it pending (a re-send may have moved it). */
  private ack(m: Member, seq: number): void {
    let holder: Member | undefined = m.unacked.has(seq) ? m : undefined;
    if (!holder && this.grouped) holder = this.members.find((o) => o.unacked.has(seq));
    if (!holder) return;
    holder.unacked.delete(seq);
    this.stan.changed(this);
    if (this.nextSeq <= this.source.lastStored) this.again = true;
  }

  /** Sets `m`'s ack timer to fire in `inMs`, unless it fires sooner. */
  private armAckTimer(m: Member, inMs: number): void {
    const at = this.stan.clock.nowMs() + inMs;
    if (m.ackTimer) {
      if (m.ackTimerAt <= at) return;
      this.stan.clock.clearTimeout(m.ackTimer);
    }
    m.ackTimerAt = at;
    m.ackTimer = this.stan.clock.setTimeout(() => this.onAckWait(m), inMs);
  }

  /** Stan sends again, in order of when they were due, the events whose ack wait ended. */
  private onAckWait(m: Member): void {
    m.ackTimer = undefined;
    if (!m.active) return;
    const now = this.stan.clock.nowMs();
    const due = [...m.unacked].filter(([, at]) => at <= now + DUE_SLACK_MS).sort(([sa, a], [sb, b]) => a - b || sa - sb);
    for (const [seq, dueAt] of due) {
      if (!m.unacked.has(seq)) continue;
      const event = this.source.at(seq);
      if (!event) {
        // Removed by retention: stan acknowledges it rather than send it again.
        m.unacked.delete(seq);
        this.stan.changed(this);
        continue;
      }
      const to = this.grouped ? this.chooseMember(true)! : m;
      if (to !== m) m.unacked.delete(seq);
      // Still pending with its member: its next ack wait counts from when this one was due.
      this.send(to, event, to === m ? dueAt + m.ackWaitMs : now + to.ackWaitMs);
    }
    let next = Infinity;
    for (const at of m.unacked.values()) next = Math.min(next, at);
    if (next !== Infinity) this.armAckTimer(m, Math.max(0, next - now));
    this.pump();
  }

  private stop(m: Member): void {
    m.active = false;
    this.endWait(m);
    if (m.ackTimer) this.stan.clock.clearTimeout(m.ackTimer);
    m.ackTimer = undefined;
  }
}
