import { EventEmitter } from 'node:events';
import { ManualClock } from '../clock.js';
import { NATS_PENDING_MESSAGES_LIMIT, StreamSink } from './stream-sink.js';

const MiB = 1024 * 1024;

/** A fake grpc-js stream: accepts `window` writes before it reports backpressure. */
class FakeCall extends EventEmitter {
  written: number[] = [];
  inFlight = 0;
  constructor(public window: number) {
    super();
  }
  write(msg: number): boolean {
    this.written.push(msg);
    this.inFlight++;
    return this.inFlight < this.window;
  }
  drainAll(): void {
    this.inFlight = 0;
    this.emit('drain');
  }
}

describe('StreamSink', () => {
  it('writes straight through while the stream keeps up', () => {
    const call = new FakeCall(1000);
    const sink = new StreamSink<number>(call, 3, 2000, new ManualClock(), () => 1);
    for (let i = 0; i < 10; i++) sink.push(i);
    expect(call.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('buffers under backpressure, flushes on drain in order', () => {
    const call = new FakeCall(2);
    const sink = new StreamSink<number>(call, 3, 2000, new ManualClock(), () => 1);
    for (let i = 0; i < 5; i++) sink.push(i);
    expect(call.written).toEqual([0, 1]);
    expect(sink.buffered).toBe(3);
    expect(sink.hasRoom).toBe(false);
    call.window = 100;
    call.drainAll();
    expect(call.written).toEqual([0, 1, 2, 3, 4]);
    expect(sink.hasRoom).toBe(true);
  });

  it('drops a message that waited 2 s beyond a full buffer (broker-behaviour.md §2.1), one per window', () => {
    const clock = new ManualClock();
    const call = new FakeCall(1);
    const sink = new StreamSink<number>(call, 2, 2000, clock, () => 1);
    for (let i = 0; i < 6; i++) sink.push(i); // 0 written; 1,2 buffered; 3,4,5 waiting
    clock.advance(1999);
    expect(sink.dropped).toBe(0);
    clock.advance(1);
    expect(sink.dropped).toBe(1); // 3 dropped
    clock.advance(2000);
    expect(sink.dropped).toBe(2); // 4 dropped
    call.window = 100;
    call.drainAll();
    expect(call.written).toEqual([0, 1, 2, 5]);
  });

  it('calls room waiters when the buffer drains', () => {
    const call = new FakeCall(1);
    const sink = new StreamSink<number>(call, 1, 2000, new ManualClock(), () => 1);
    sink.push(0);
    sink.push(1);
    let called = 0;
    sink.whenRoom(() => called++);
    expect(called).toBe(0);
    call.window = 10;
    call.drainAll();
    expect(called).toBe(1);
  });

  describe("NATS's pending limits (broker-behaviour.md §5.4): what waits behind the handler's message", () => {
    // Each test's messages are their own sizes; the stream takes one write, then reports backpressure.
    const sizedSink = (call: FakeCall, clock = new ManualClock()) => new StreamSink<number>(call, 1, 2000, clock, (n) => n);

    it('drops at once a message that would take the pending bytes over 64 MiB, and admits a smaller one after it', () => {
      const call = new FakeCall(1);
      const sink = sizedSink(call);
      sink.push(1); // written
      sink.push(2); // the buffer
      sink.push(3); // the handler's message: not pending
      sink.push(30 * MiB);
      sink.push(30 * MiB);
      sink.push(5 * MiB); // 65 MiB pending: dropped
      expect(sink.dropped).toBe(1);
      sink.push(4 * MiB); // exactly 64 MiB: kept
      expect(sink.dropped).toBe(1);
      call.window = 100;
      call.drainAll();
      expect(call.written).toEqual([1, 2, 3, 30 * MiB, 30 * MiB, 4 * MiB]);
    });

    it('frees the bytes of messages the stream took', () => {
      const call = new FakeCall(1);
      const sink = sizedSink(call);
      for (const n of [1, 2, 3, 30 * MiB, 30 * MiB, 4 * MiB]) sink.push(n);
      call.window = 2;
      call.drainAll(); // 2 and 3 written; the two 30 MiB move up; 4 MiB is all that is pending
      sink.push(50 * MiB);
      expect(sink.dropped).toBe(0);
    });

    it('frees the bytes of the message that moves up when the handler drops its own after 2 s', () => {
      const clock = new ManualClock();
      const call = new FakeCall(1);
      const sink = sizedSink(call, clock);
      for (const n of [1, 2, 3, 32 * MiB, 32 * MiB]) sink.push(n);
      sink.push(1);
      expect(sink.dropped).toBe(1); // 64 MiB pending already
      clock.advance(2000); // 3 dropped; the first 32 MiB is now the handler's
      expect(sink.dropped).toBe(2);
      sink.push(32 * MiB);
      expect(sink.dropped).toBe(2);
    });

    it('drops a message beyond 65536 pending ones, whatever their size', () => {
      const call = new FakeCall(1);
      const sink = new StreamSink<number>(call, 1, 2000, new ManualClock(), () => 0);
      for (let i = 0; i < 3 + NATS_PENDING_MESSAGES_LIMIT; i++) sink.push(i);
      expect(sink.dropped).toBe(0);
      sink.push(-1);
      expect(sink.dropped).toBe(1);
    });
  });
});
