// Writes a subscription's messages to its gRPC stream with backpressure.
// Model (broker-behaviour.md §2.1): the server's handler takes each message from a per-subscription
// buffer of GRPC_SUB_BUFF_SIZE messages and sends it with grpc-go, whose Send blocks while the
// stream's write quota (64 KiB of messages the transport has not yet put out to the client, flow
// control permitting) is used up; a message is admitted while any quota is left, whatever its size.
// So a stalled client holds, on the server: what the quota admitted, the one message blocked in
// Send, the buffer, and the message the subscription's handler waits with, which is dropped after
// 2 s (still acked for events store, §2.2); later messages queue behind it, pending in the server's
// NATS subscription up to NATS's default limits (§5.4), beyond which a new message is dropped at once.
//
// grpc-js hands a message to the http2 stream only after the previous one left, and completes a
// write once its last byte is on the socket (which needs room in the client's flow-control
// window), so the quota here is the bytes whose writes have not completed. grpc-go gives quota
// back as each frame goes out, so here a message partly through the window still counts whole:
// never more is admitted than on the server.
//
// The queue holds, in order: the message blocked in Send, the buffer (`capacity` messages), the
// one message the subscription's handler is waiting with, and the messages pending behind it.
import type { Clock, TimerHandle } from '../clock.js';
import { NATS_PENDING_BYTES_LIMIT } from '../engines/nats-delivery.js';
import { Ring } from '../engines/ring.js';

/** The part of a grpc-js writable server stream the sink needs. */
export interface WritableCall<T> {
  /** `done` is called once the message left for the client (or the stream failed). */
  write(msg: T, done: (err?: Error | null) => void): unknown;
}

/** NATS's default pending-messages limit per subscription: a new message beyond it is dropped. */
export const NATS_PENDING_MESSAGES_LIMIT = 65536;

/** grpc-go's write quota per server stream (`defaultWriteQuota`), in bytes. */
export const GRPC_WRITE_QUOTA = 64 * 1024;

/** The gRPC frame header grpc-go counts in the quota with each message. */
const GRPC_MESSAGE_HEADER = 5;

export class StreamSink<T> {
  private readonly queue: T[] = [];
  private head = 0;
  /** Bytes written to the call whose writes have not completed. */
  private unsent = 0;
  private flushing = false;
  private closed = false;
  private dropTimer: TimerHandle | undefined;
  private waitingHeadSince = 0;
  private roomWaiters: (() => void)[] = [];
  /** The sizes of the pending messages (those behind the one the handler waits with), oldest first. */
  private readonly pendingSizes = new Ring<number>();
  private pendingBytes = 0;
  /** Messages dropped because the consumer was too slow. */
  dropped = 0;

  /** The message blocked in Send and the buffer: room for a push means fewer than these. */
  private readonly held: number;

  /** @param sizeOf a message's encoded size (what NATS's pending limit and the write quota count). */
  constructor(
    private readonly call: WritableCall<T>,
    capacity: number,
    private readonly dropAfterMs: number,
    private readonly clock: Clock,
    private readonly sizeOf: (msg: T) => number,
  ) {
    this.held = capacity + 1;
  }

  /** Messages accepted but not yet handed to the stream. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** True when a push would not have to wait (used by pull-style senders such as the events-store replay). */
  get hasRoom(): boolean {
    return this.buffered < this.held;
  }

  /** Queues a message; it is dropped if it has to wait for room longer than the drop window. */
  push(msg: T): void {
    if (this.closed) return;
    if (this.buffered === 0 && this.unsent < GRPC_WRITE_QUOTA) {
      this.write(msg);
      return;
    }
    if (this.buffered > this.held && !this.admitPending(msg)) {
      this.dropped++;
      return;
    }
    this.queue.push(msg);
    if (this.buffered === this.held + 1) this.startDropTimer();
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
    const pending = Math.max(0, this.buffered - this.held - 1);
    while (this.pendingSizes.size > pending) this.pendingBytes -= this.pendingSizes.shift()!;
  }

  private write(msg: T): void {
    const size = this.sizeOf(msg) + GRPC_MESSAGE_HEADER;
    this.unsent += size;
    this.call.write(msg, () => this.onWritten(size));
  }

  /** A write completed: its bytes are quota again, which lets the messages waiting for it go. */
  private onWritten(size: number): void {
    this.unsent -= size;
    if (this.closed || this.flushing) return;
    this.flushing = true;
    try {
      // Completions during the writes (synchronous callbacks) are taken up by this loop.
      while (this.buffered > 0 && this.unsent < GRPC_WRITE_QUOTA) this.flush();
    } finally {
      this.flushing = false;
    }
  }

  /** Sends what the quota admits; the caller checks that it admits at least one. */
  private flush(): void {
    while (this.unsent < GRPC_WRITE_QUOTA && this.head < this.queue.length) {
      const msg = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as T;
      this.write(msg);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.releasePending();
    if (this.buffered <= this.held && this.dropTimer) {
      this.clock.clearTimeout(this.dropTimer);
      this.dropTimer = undefined;
    } else if (this.buffered > this.held) {
      // The waiting head got room; the next waiting message starts its own wait.
      this.startDropTimer();
    }
    if (this.hasRoom && this.roomWaiters.length > 0) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  private startDropTimer(): void {
    if (this.dropTimer) this.clock.clearTimeout(this.dropTimer);
    this.waitingHeadSince = this.clock.nowMs();
    this.dropTimer = this.clock.setTimeout(this.onDropTimer, this.dropAfterMs);
  }

  private readonly onDropTimer = (): void => {
    this.dropTimer = undefined;
    if (this.closed || this.buffered <= this.held) return;
    if (this.clock.nowMs() - this.waitingHeadSince < this.dropAfterMs) {
      this.dropTimer = this.clock.setTimeout(this.onDropTimer, this.dropAfterMs - (this.clock.nowMs() - this.waitingHeadSince));
      return;
    }
    // §2.1: the first message waiting beyond the buffer waited 2 s: drop it.
    this.queue.splice(this.head + this.held, 1);
    this.dropped++;
    this.releasePending();
    if (this.buffered > this.held) this.startDropTimer();
  };
}
