// The messages this client's consumers of a queue have already handled, so a redelivery of one
// (the broker delivers a stored message again, same sequence and store time, when an ack did not
// reach it, or when a stream closed or broke before the ack) is acked again instead of being
// handled twice. Bounded: the oldest entries go first; a redelivery comes within seconds.
import type { ClientInternals } from '@kubemq/core/internal';
import type { PolledQueueMessage } from '../../types.js';

/** Entries kept per queue: several batches of the largest size the broker allows, per consumer. */
const DEFAULT_CAPACITY = 8192;

export class ProcessedMemory {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  has(message: PolledQueueMessage): boolean {
    return this.keys.has(identity(message));
  }

  /**
   * Takes the message for handling: false when it was taken before (handled, or being handled:
   * the same stored message can also arrive twice in one batch).
   */
  claim(message: PolledQueueMessage): boolean {
    const key = identity(message);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }

  /** Gives a claim back (its handler failed, so the message was not handled). */
  release(message: PolledQueueMessage): void {
    this.keys.delete(identity(message));
  }

  get size(): number {
    return this.keys.size;
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
