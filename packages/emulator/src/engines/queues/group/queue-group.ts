// A queue's durable stan queue group, `_QUEUES_.<q>` (§2.4): its members in stan's order, the
// member each message goes to, and the shadow that keeps what the last member left holding.
import type { StoredMessage } from '../messages.js';
import type { Consumer } from './consumer.js';
import { Member, bySeq } from './member.js';

export class QueueGroup {
  /** In join order, as stan keeps them; picking the first moves it to the end. */
  private readonly list: Member[] = [];
  /**
   * What the last member to leave still held unacked (stan's shadow subscription of a durable
   * group): hidden from everyone until the next member joins and takes all of it.
   */
  private readonly shadow = new Map<number, StoredMessage>();

  get size(): number {
    return this.list.length;
  }

  get members(): readonly Member[] {
    return this.list;
  }

  get shadowSize(): number {
    return this.shadow.size;
  }

  shadowSeqs(): number[] {
    return [...this.shadow.keys()];
  }

  shadowMessages(): IterableIterator<StoredMessage> {
    return this.shadow.values();
  }

  join(c: Consumer): Member {
    const m = new Member(c);
    this.list.push(m);
    return m;
  }

  /** The member of `c`, taken out of the group; undefined when it is not (or no longer) a member. */
  leave(c: Consumer): Member | undefined {
    const i = this.list.findIndex((m) => m.consumer === c);
    if (i < 0) return undefined;
    return this.list.splice(i, 1)[0];
  }

  has(m: Member): boolean {
    return this.list.includes(m);
  }

  /** `next` goes on with `prev`'s subscription (same place, same unacked messages), or joins at the end. */
  replace(prev: Consumer, next: Consumer): void {
    const m = this.list.find((x) => x.consumer === prev);
    if (m) m.consumer = next;
    else this.list.push(new Member(next));
  }

  hasRoom(): boolean {
    for (const m of this.list) if (m.room() > 0) return true;
    return false;
  }

  /**
   * The member the next message goes to, as stan's findBestQueueSub picks it: among those with
   * room (stan: not stalled), the one holding the fewest unacked messages, the earliest on a tie.
   * A forced delivery (`force`) falls back to the first member when none has room. When the
   * chosen one is the first member, it moves to the end (so ties take turns).
   */
  pick(force = false): Member | undefined {
    let best = -1;
    let fewest = Infinity;
    for (let i = 0; i < this.list.length; i++) {
      const m = this.list[i] as Member;
      if (m.room() <= 0) continue;
      const held = m.outstanding();
      if (held < fewest) {
        best = i;
        fewest = held;
        if (held === 0) break; // nobody holds fewer, and the earliest wins a tie
      }
    }
    if (best < 0) {
      if (!force || this.list.length === 0) return undefined;
      best = 0;
    }
    const chosen = this.list[best] as Member;
    if (best === 0 && this.list.length > 1) {
      this.list.shift();
      this.list.push(chosen);
    }
    return chosen;
  }

  keepInShadow(m: StoredMessage): void {
    this.shadow.set(m.seq, m);
  }

  /** Empties the shadow, in sequence order (the order stan redelivers it in). */
  takeShadow(): StoredMessage[] {
    const all = [...this.shadow.values()].sort(bySeq);
    this.shadow.clear();
    return all;
  }
}
