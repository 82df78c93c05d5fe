// The messages this client's consumers of a queue have already handled, so a redelivery of one
// (the broker delivers a stored message again, same sequence and store time, when an ack did not
// reach it, or when a stream closed or broke before the ack) is acked again instead of being
// handled twice. Bounded: the oldest entries go first; a redelivery comes within seconds.
import { Deferred, type ClientInternals } from '@kubemq/core/internal';
import type { PolledQueueMessage } from '../../types.js';

/** Entries kept per queue: several batches of the largest size the broker allows, per consumer. */
const DEFAULT_CAPACITY = 8192;

/**
 * What a consumer may do with a message it polled: `mine` (handle it, then `handled()` or
 * `release()`), `handled` (handled before: ack it again), or a promise that settles when another
 * handler of the same stored message ends (then claim again). A copy still being handled is
 * never acked: that handler may yet fail, and its own settlement may be lost with its stream.
 */
export type Claim = 'mine' | 'handled' | Promise<void>;

export class ProcessedMemory {
  /** By message identity: `true` once handled, else the wake-up of those waiting for its handler. */
  private readonly entries = new Map<string, true | Deferred<void>>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  has(message: PolledQueueMessage): boolean {
    return this.entries.get(identity(message)) === true;
  }

  /** Takes the message for handling (see {@link Claim}; the same stored message can also arrive twice in one batch). */
  claim(message: PolledQueueMessage): Claim {
    const key = identity(message);
    const entry = this.entries.get(key);
    if (entry === true) return 'handled';
    if (entry) return entry.promise;
    this.entries.set(key, new Deferred<void>());
    if (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, true | Deferred<void>];
      this.entries.delete(oldest);
      if (entry !== true) entry.resolve(); // whoever waits for it handles it (twice rather than never)
    }
    return 'mine';
  }

  /** Its handler succeeded: copies that arrive from now on are acked without handling. */
  handled(message: PolledQueueMessage): void {
    this.#end(message, true);
  }

  /** Gives a claim back (its handler failed, so the message was not handled). */
  release(message: PolledQueueMessage): void {
    this.#end(message, false);
  }

  get size(): number {
    return this.entries.size;
  }

  #end(message: PolledQueueMessage, handled: boolean): void {
    const key = identity(message);
    const entry = this.entries.get(key);
    if (handled) this.entries.set(key, true);
    else this.entries.delete(key);
    if (entry && entry !== true) entry.resolve();
  }
}

/**
 * A stored message is its queue position and store time; the id guards against a broker whose
 * store was wiped, where sequences start over. A negative settlement stores a new copy (a new
 * sequence), so a nacked message is handled again, as it should be.
 */
function identity(m: PolledQueueMessage): string {
  return `${m.sequence}:${m.timestampNanos}:${m.id}`;
}

interface Shared {
  memory: ProcessedMemory;
  users: number;
}

const memories = new WeakMap<ClientInternals, Map<string, Shared>>();

/**
 * The memory shared by every running consumer of `channel` on one client; `release()` when the
 * consumer stops (the memory goes with the last one).
 */
export function acquireProcessedMemory(internals: ClientInternals, channel: string): { memory: ProcessedMemory; release(): void } {
  let perChannel = memories.get(internals);
  if (!perChannel) memories.set(internals, (perChannel = new Map()));
  let shared = perChannel.get(channel);
  if (!shared) perChannel.set(channel, (shared = { memory: new ProcessedMemory(), users: 0 }));
  shared.users++;
  const held = shared;
  const channels = perChannel;
  let released = false;
  return {
    memory: held.memory,
    release: () => {
      if (released) return;
      released = true;
      if (--held.users === 0 && channels.get(channel) === held) channels.delete(channel);
    },
  };
}
