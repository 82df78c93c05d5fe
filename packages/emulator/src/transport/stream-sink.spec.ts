import { ManualClock } from '../clock.js';
import { GRPC_WRITE_QUOTA, NATS_PENDING_MESSAGES_LIMIT, StreamSink } from './stream-sink.js';

const MiB = 1024 * 1024;

/**
 * A fake grpc-js stream: a write completes when the test says so (the client's window took it), or
 * at once in `flowing` mode.
 */
class FakeCall {
  written: number[] = [];
  private readonly waiting: (() => void)[] = [];
  constructor(public flowing = false) {}
  write(msg: number, done: () => void): boolean {
    this.written.push(msg);
    if (this.flowing) done();
    else this.waiting.push(done);
    return true;
  }
  /** Completes the oldest `n` writes (all by default). */
  complete(n = Infinity): void {
    for (let i = 0; i < n && this.waiting.length > 0; i++) this.waiting.shift()!();
  }
  /** Lets the client take everything from now on. */
  flow(): void {
    this.flowing = true;
    while (this.waiting.length > 0) this.complete();
  }
}

/** Messages of 64 KiB - 5 bytes: each one uses up grpc-go's whole write quota. */
const WHOLE_QUOTA = GRPC_WRITE_QUOTA - 5;

describe('StreamSink', () => {
  it('writes straight through while the stream keeps up', () => {
    const call = new FakeCall(true);
    const sink = new StreamSink<number>(call, 3, 2000, new ManualClock(), () => 1000);
    for (let i = 0; i < 10; i++) sink.push(i);
    expect(call.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  describe("grpc-go's write quota (64 KiB of unsent messages per stream)", () => {
    it('writes while any quota is left, whatever the size of the message', () => {
      const call = new FakeCall();
      const sink = new StreamSink<number>(call, 3, 2000, new ManualClock(), (n) => n);
      sink.push(30_000);
      sink.push(30_000);
      sink.push(100_000); // 60 010 bytes unsent: still under the quota
      sink.push(1);
      expect(call.written).toEqual([30_000, 30_000, 100_000]);
      expect(sink.buffered).toBe(1);
    });

    it('admits small messages up to the quota: 64 of 1 KiB + 5 bytes of frame header each', () => {
      const call = new FakeCall();
      const sink = new StreamSink<number>(call, 100, 2000, new ManualClock(), () => 1024);
      for (let i = 0; i < 200; i++) sink.push(i);
      expect(call.written).toHaveLength(Math.ceil(GRPC_WRITE_QUOTA / 1029));
      expect(sink.dropped).toBe(0);
    });

    it('gives the quota back as writes complete, and sends what waited in order', () => {
      const call = new FakeCall();
      const sink = new StreamSink<number>(call, 3, 2000, new ManualClock(), () => WHOLE_QUOTA);
      for (let i = 0; i < 4; i++) sink.push(i);
      expect(call.written).toEqual([0]);
      call.complete(1);
      expect(call.written).toEqual([0, 1]);
      call.flow();
      expect(call.written).toEqual([0, 1, 2, 3]);
      expect(sink.buffered).toBe(0);
    });
  });

  it('holds the message blocked in Send and the buffer; the next one waits', () => {
    const call = new FakeCall();
    const sink = new StreamSink<number>(call, 3, 2000, new ManualClock(), () => WHOLE_QUOTA);
    for (let i = 0; i < 5; i++) sink.push(i); // 0 written; 1 in Send; 2,3,4 buffered
    expect(call.written).toEqual([0]);
    expect(sink.buffered).toBe(4);
    expect(sink.hasRoom).toBe(false);
    call.complete(1);
    expect(sink.hasRoom).toBe(true);
  });

  it('drops a message that waited 2 s beyond a full buffer (broker-behaviour.md §2.1), one per window', () => {
    const clock = new ManualClock();
    const call = new FakeCall();
    const sink = new StreamSink<number>(call, 2, 2000, clock, () => WHOLE_QUOTA);
    for (let i = 0; i < 7; i++) sink.push(i); // 0 written; 1 in Send; 2,3 buffered; 4,5,6 waiting
    clock.advance(1999);
    expect(sink.dropped).toBe(0);
    clock.advance(1);
    expect(sink.dropped).toBe(1); // 4 dropped
    clock.advance(2000);
    expect(sink.dropped).toBe(2); // 5 dropped
    call.flow();
    expect(call.written).toEqual([0, 1, 2, 3, 6]);
  });

  it('does not restart the wait of the waiting message when a write completes without freeing quota', () => {
    const clock = new ManualClock();
    const call = new FakeCall();
    const sink = new StreamSink<number>(call, 1, 2000, clock, (n) => n);
    sink.push(10);
    sink.push(70_000); // both written: 70 020 bytes unsent
    for (const n of [1, 2, 3]) sink.push(n); // 1 in Send; 2 buffered; 3 waiting
    clock.advance(1000);
    call.complete(1); // 70 005 bytes unsent: nothing moves
    expect(call.written).toEqual([10, 70_000]);
    clock.advance(1000);
    expect(sink.dropped).toBe(1); // 3 waited its 2 s
  });

  it('calls room waiters when the buffer drains', () => {
    const call = new FakeCall();
    const sink = new StreamSink<number>(call, 1, 2000, new ManualClock(), () => WHOLE_QUOTA);
    sink.push(0);
    sink.push(1);
    sink.push(2);
    let called = 0;
    sink.whenRoom(() => called++);
    expect(called).toBe(0);
    call.complete(1);
    expect(called).toBe(1);
  });

  describe("NATS's pending limits (broker-behaviour.md §5.4): what waits behind the handler's message", () => {
    // Each test's messages are their own sizes; the first one uses up the write quota, so the next
    // is blocked in Send, the next fills the buffer of 1, and the next is the handler's.
    const sizedSink = (call: FakeCall, clock = new ManualClock()) => new StreamSink<number>(call, 1, 2000, clock, (n) => n);

    it('drops at once a message that would take the pending bytes over 64 MiB, and admits a smaller one after it', () => {
      const call = new FakeCall();
      const sink = sizedSink(call);
      sink.push(WHOLE_QUOTA); // written
      sink.push(1); // blocked in Send
      sink.push(2); // the buffer
      sink.push(3); // the handler's message: not pending
      sink.push(30 * MiB);
      sink.push(30 * MiB);
      sink.push(5 * MiB); // 65 MiB pending: dropped
      expect(sink.dropped).toBe(1);
      sink.push(4 * MiB); // exactly 64 MiB: kept
      expect(sink.dropped).toBe(1);
      call.flow();
      expect(call.written).toEqual([WHOLE_QUOTA, 1, 2, 3, 30 * MiB, 30 * MiB, 4 * MiB]);
    });

    it('frees the bytes of messages the stream took', () => {
      const call = new FakeCall();
      const sink = sizedSink(call);
      for (const n of [WHOLE_QUOTA, 1, 2, 3, 30 * MiB, 30 * MiB, 4 * MiB]) sink.push(n);
      call.complete(1); // 1, 2, 3 and a 30 MiB written; the other is in Send, 4 MiB in the buffer
      sink.push(50 * MiB); // the handler's
      sink.push(60 * MiB); // all that is pending
      expect(sink.dropped).toBe(0);
    });

    it('frees the bytes of the message that moves up when the handler drops its own after 2 s', () => {
      const clock = new ManualClock();
      const call = new FakeCall();
      const sink = sizedSink(call, clock);
      for (const n of [WHOLE_QUOTA, 1, 2, 3, 32 * MiB, 32 * MiB]) sink.push(n);
      sink.push(1);
      expect(sink.dropped).toBe(1); // 64 MiB pending already
      clock.advance(2000); // 3 dropped; the first 32 MiB is now the handler's
      expect(sink.dropped).toBe(2);
      sink.push(32 * MiB);
      expect(sink.dropped).toBe(2);
    });

    it('drops a message beyond 65536 pending ones, whatever their size', () => {
      const call = new FakeCall();
      const sink = sizedSink(call);
      sink.push(WHOLE_QUOTA);
      for (let i = 0; i < 3 + NATS_PENDING_MESSAGES_LIMIT; i++) sink.push(0);
      expect(sink.dropped).toBe(0);
      sink.push(0);
      expect(sink.dropped).toBe(1);
    });
  });
});
