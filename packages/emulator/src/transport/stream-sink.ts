// Writes a subscription's messages to its gRPC stream with backpressure.
// Model (broker-behaviour.md §2.1): the server pushes into a per-subscription buffer of GRPC_SUB_BUFF_SIZE
// messages that the stream drains. When the buffer is full, the next message waits up to 2 s
// for room and is then dropped (still acked for events store, §2.2); later messages queue behind it,
// pending in the server's NATS subscription up to NATS's default limits (§5.4), beyond which a new
// message is dropped at once.
//
// The queue holds, in order: the buffer (`capacity` messages), the one message the subscription's
// handler is waiting with, and the messages pending behind it.
import type { Clock, TimerHandle } from '../clock.js';
import { NATS_PENDING_BYTES_LIMIT } from '../engines/nats-delivery.js';
import { Ring } from '../engines/ring.js';

/** The part of a grpc-js writable server stream the sink needs. */
export interface WritableCall<T> {
  write(msg: T): boolean;
  once(event: 'drain', fn: () => void): unknown;
}

/** NATS's default pending-messages limit per subscription: a new message beyond it is dropped. */
export const NATS_PENDING_MESSAGES_LIMIT = 65536;

export class StreamSink<T> {
  private readonly queue: T[] = [];
  private head = 0;
  private writable = true;
  private closed = false;
  private dropTimer: TimerHandle | undefined;
  private waitingHeadSince = 0;
  private roomWaiters: (() => void)[] = [];
  /** The sizes of the pending messages (those behind the one the handler waits with), oldest first. */
  private readonly pendingSizes = new Ring<number>();
  private pendingBytes = 0;
  /** Messages dropped because the consumer was too slow. */
  dropped = 0;

  /**
   * @param sizeOf the size NATS counts for a message (its data); asked only of messages that would
   *   be pending, so a subscriber that keeps up costs nothing.
   */
  constructor(
    private readonly call: WritableCall<T>,
    private readonly capacity: number,
    private readonly dropAfterMs: number,
    private readonly clock: Clock,
    private readonly sizeOf: (msg: T) => number,
  ) {}

  /** Messages accepted but not yet handed to the stream. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** True when a push would not have to wait (used by pull-style senders such as the events-store replay). */
  get hasRoom(): boolean {
    return this.buffered < this.capacity;
  }

  /** Queues a message; it is dropped if it has to wait for room longer than the drop window. */
  push(msg: T): void {
    if (this.closed) return;
    if (this.writable && this.buffered === 0) {
      this.writable = this.call.write(msg);
      if (!this.writable) this.call.once('drain', this.onDrain);
      return;
    }
    if (this.buffered > this.capacity && !this.admitPending(msg)) {
      this.dropped++;
      return;
    }
    this.queue.push(msg);
    if (this.buffered === this.capacity + 1) this.startDropTimer();
  }

  /** Calls `fn` once there is room in the buffer (at once if there is). */
  whenRoom(fn: () => void): void {
    if (this.closed) return;
    if (this.hasRoom) fn();
    else this.roomWaiters.push(fn);
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.roomWaiters = [];
    this.pendingSizes.clear();
    this.pendingBytes = 0;
    if (this.dropTimer) this.clock.clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
  }

  /** Counts a message in NATS's pending limits; false when it is over them (dropped, as NATS does). */
  private admitPending(msg: T): boolean {
    if (this.pendingSizes.size >= NATS_PENDING_MESSAGES_LIMIT) return false;
    const size = this.sizeOf(msg);
    if (this.pendingBytes + size > NATS_PENDING_BYTES_LIMIT) return false;
    this.pendingSizes.push(size);
    this.pendingBytes += size;
    return true;
  }

  /** Stops counting the messages that moved up out of pending (the handler took them). */
  private releasePending(): void {
    const pending = Math.max(0, this.buffered - this.capacity - 1);
    while (this.pendingSizes.size > pending) this.pendingBytes -= this.pendingSizes.shift()!;
  }

  private readonly onDrain = (): void => {
    if (this.closed) return;
    this.writable = true;
    while (this.writable && this.head < this.queue.length) {
      const msg = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as T;
      this.writable = this.call.write(msg);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (!this.writable) this.call.once('drain', this.onDrain);
    this.releasePending();
    if (this.buffered <= this.capacity && this.dropTimer) {
      this.clock.clearTimeout(this.dropTimer);
      this.dropTimer = undefined;
    } else if (this.buffered > this.capacity) {
      // The waiting head got room; the next waiting message starts its own wait.
      this.startDropTimer();
    }
    if (this.hasRoom && this.roomWaiters.length > 0) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
  };

  private startDropTimer(): void {
    if (this.dropTimer) this.clock.clearTimeout(this.dropTimer);
    this.waitingHeadSince = this.clock.nowMs();
    this.dropTimer = this.clock.setTimeout(this.onDropTimer, this.dropAfterMs);
  }

  private readonly onDropTimer = (): void => {
    this.dropTimer = undefined;
    if (this.closed || this.buffered <= this.capacity) return;
    if (this.clock.nowMs() - this.waitingHeadSince < this.dropAfterMs) {
      this.dropTimer = this.clock.setTimeout(this.onDropTimer, this.dropAfterMs - (this.clock.nowMs() - this.waitingHeadSince));
      return;
    }
    // §2.1: the first message waiting beyond the buffer waited 2 s: drop it.
    this.queue.splice(this.head + this.capacity, 1);
    this.dropped++;
    this.releasePending();
    if (this.buffered > this.capacity) this.startDropTimer();
  };
}
