import { EventEmitter } from 'node:events';
import { ManualClock } from '../clock.js';
import { StreamSink } from './stream-sink.js';

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
    const sink = new StreamSink<number>(call, 3, 2000, new ManualClock());
    for (let i = 0; i < 10; i++) sink.push(i);
    expect(call.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('buffers under backpressure, flushes on drain in order', () => {
    const call = new FakeCall(2);
    const sink = new StreamSink<number>(call, 3, 2000, new ManualClock());
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
    const sink = new StreamSink<number>(call, 2, 2000, clock);
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
    const sink = new StreamSink<number>(call, 1, 2000, new ManualClock());
    sink.push(0);
    sink.push(1);
    let called = 0;
    sink.whenRoom(() => called++);
    expect(called).toBe(0);
    call.window = 10;
    call.drainAll();
    expect(called).toBe(1);
  });
});
