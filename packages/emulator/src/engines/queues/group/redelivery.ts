// What a queue's durable group does with the messages of a member that leaves holding them
// unacked (a closed transaction, a peek or receive that ends, an aborted Get, a stream-v1 stream
// that ends), from kubemq-io/broker server/stan/server/server.go:
// - other members remain (subStore.Remove): the messages are handed to them round robin, from
//   the first member, as unacked with their ack wait already over, and each receiving member's
//   redelivery timer is set to fire in 100 ms. Until then they are hidden, and they fill the
//   receiving member's in-flight room. When it fires (performAckExpirationRedelivery), each goes
//   to the member stan picks then, forced: past that member's room.
// - it was the last member: the durable group keeps it as its shadow, with the messages. The next
//   member to join takes the shadow over (processSub) and gets them all at once, forced, before
//   any new message (performDurableRedelivery).
// A member takes a message forced on it while its consumer still wants one, and otherwise holds
// it hidden until it leaves (Member.overflow, the engine's `force`), as the server's consumers
// do with what their subscription pushes past their limit (kubemq-community pkg/client/queue.go).
import type { Clock, TimerHandle } from '../../../clock.js';
import type { StoredMessage } from '../messages.js';
import type { QueueState } from '../queue-state.js';
import { bySeq, type Member } from './member.js';

/** How soon messages handed over by a leaving member are redelivered (stan's `fireIn`). */
const HANDOVER_REDELIVERY_MS = 100;

/** Where a forced delivery sends each message. */
export interface ForcedRoute {
  /** Every message to this member (a joiner taking the shadow over). Otherwise stan's pick, per message. */
  to?: Member;
  /** The member whose handed-over messages these are: each leaves it when it goes, unless it left already. */
  from?: Member;
}

/** The delivery the engine does for the group: one message at a time, past the members' room. */
export interface RedeliveryHost {
  force(q: QueueState, msgs: readonly StoredMessage[], route: ForcedRoute): void;
}

export class Redelivery {
  private readonly timers = new Map<Member, TimerHandle>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly host: RedeliveryHost,
  ) {}

  /**
   * A member left `q`'s group holding `held` unacked. `member` is its place in the group (its own
   * handed-over and overflow messages go too), or undefined when it had left already.
   */
  left(q: QueueState, member: Member | undefined, held: readonly StoredMessage[]): void {
    const msgs = [...held];
    if (member) {
      this.cancel(member);
      msgs.push(...member.drain());
    }
    if (msgs.length === 0) return;
    msgs.sort(bySeq);
    const members = q.group.members;
    if (members.length === 0) {
      this.keepInShadow(q, msgs);
      return;
    }
    const receivers = new Set<Member>();
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as StoredMessage;
      const to = members[i % members.length] as Member;
      q.hold(m, to);
      to.handedOver.set(m.seq, m);
      receivers.add(to);
    }
    for (const to of receivers) this.schedule(q, to);
  }

  /** A member joined: it takes over the shadow, if the group has one. */
  joined(q: QueueState, member: Member): void {
    if (q.group.shadowSize === 0) return;
    this.host.force(q, q.group.takeShadow(), { to: member });
  }

  /** The engine stops: no timer stays set, none is set again. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** Sets (or pushes back, as stan resets it) the member's redelivery timer. */
  private schedule(q: QueueState, member: Member): void {
    if (this.stopped) return;
    this.cancel(member);
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(member);
      this.host.force(q, member.handedOverInOrder(), { from: member });
    }, HANDOVER_REDELIVERY_MS);
    this.timers.set(member, timer);
  }

  private cancel(member: Member): void {
    const t = this.timers.get(member);
    if (t === undefined) return;
    this.clock.clearTimeout(t);
    this.timers.delete(member);
  }

  /** No member left: hidden in the shadow. Its Release record lets a restart rebuild the shadow. */
  private keepInShadow(q: QueueState, msgs: readonly StoredMessage[]): void {
    const released: number[] = [];
    for (const m of msgs) {
      if (q.inflight.delete(m.seq)) released.push(m.seq);
      q.group.keepInShadow(m);
    }
    q.log.released(released);
  }
}
