import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { silentLogger } from '../log.js';
import { closeGoneAwaySessions, liftResetLimit, PROBE_TIMEOUT_MS } from './reset-limit.js';

/** A server session whose pings are answered only when `answerPings` is set. */
class FakeSession extends EventEmitter {
  destroyed = false;
  closed = false;
  answerPings = true;
  pings = 0;
  private readonly waiting: ((err: Error | null) => void)[] = [];
  ping(callback: (err: Error | null) => void): boolean {
    this.pings++;
    if (this.answerPings) setImmediate(() => callback(null));
    else this.waiting.push(callback);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
    for (const callback of this.waiting.splice(0)) callback(new Error('ping cancelled'));
  }
  /** A stream opens and ends: reset by the client (CANCEL) or ended normally. */
  stream(rstCode = 8): void {
    const stream = new EventEmitter() as EventEmitter & { rstCode?: number };
    this.emit('stream', stream);
    stream.rstCode = rstCode;
    stream.emit('close');
  }
}

function watched(now: { ms: number }) {
  const session = new FakeSession();
  const warnings: string[] = [];
  closeGoneAwaySessions(session as unknown as http2.Http2Session, { ...silentLogger, warn: (msg) => void warnings.push(msg) }, () => now.ms);
  return { session, warnings };
}

describe('closeGoneAwaySessions', () => {
  afterEach(() => jest.useRealTimers());

  it('a session near the reset limit that stops answering once its last stream ended is destroyed, with a warning', () => {
    jest.useFakeTimers();
    const now = { ms: 0 };
    const { session, warnings } = watched(now);
    session.answerPings = false;
    for (let i = 0; i < 800; i++) session.stream();
    expect(session.pings).toBe(0); // far from the limit: not probed
    for (let i = 0; i < 300; i++) session.stream(); // past 1,000 in the same second: Node sent GOAWAY
    expect(session.pings).toBe(1); // one probe at a time
    jest.advanceTimersByTime(PROBE_TIMEOUT_MS - 1);
    expect(session.destroyed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(session.destroyed).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/^closing a connection that reset streams faster than Node allows/)]);
  });

  it('a session that answers is left alone, and probed again only when another stream ends', async () => {
    const now = { ms: 0 };
    const { session } = watched(now);
    for (let i = 0; i < 900; i++) session.stream();
    await new Promise((r) => setImmediate(r));
    expect(session.pings).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(session.pings).toBe(1);
    session.stream();
    expect(session.pings).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(session.destroyed).toBe(false);
  });

  it('resets at the rate Node refills (33 a second), streams that end normally, or a stream still open never probe', () => {
    const now = { ms: 0 };
    const { session } = watched(now);
    for (let i = 0; i < 5000; i++) {
      now.ms = Math.floor(i / 33) * 1000;
      session.stream();
    }
    for (let i = 0; i < 5000; i++) session.stream(0);
    expect(session.pings).toBe(0);
    const open = new EventEmitter();
    session.emit('stream', open);
    for (let i = 0; i < 2000; i++) session.stream();
    expect(session.pings).toBe(0);
    (open as EventEmitter & { rstCode?: number }).rstCode = 0;
    open.emit('close');
    expect(session.pings).toBe(1);
  });
});

describe('liftResetLimit', () => {
  it("raises the limit in the options grpc-js builds each HTTP/2 server from (Node 22.10 and later read them)", () => {
    const server = { commonServerOptions: { maxSendHeaderBlockLength: 1 } };
    liftResetLimit(server as unknown as grpc.Server);
    expect(server.commonServerOptions).toEqual({ maxSendHeaderBlockLength: 1, streamResetBurst: 0xffffffff, streamResetRate: 0xffffffff });
    // The grpc-js this emulator runs on has that field.
    expect(new grpc.Server()).toHaveProperty('commonServerOptions', expect.any(Object));
  });
});
