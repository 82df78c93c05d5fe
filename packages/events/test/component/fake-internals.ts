// A stand-in for core's ClientInternals that records what would go on the wire, so the send
// streams' logic (markers, correlation, breaks, backpressure) is tested without a network.
import { KubemqError } from '@kubemq/core';
import type { BidiCall, ClientInternals, StreamObserver } from '@kubemq/core/internal';

export class FakeCall<Req, Res> implements BidiCall<Req> {
  readonly written: Req[] = [];
  ended = false;
  cancelled = false;
  /** When set, write() returns false once this many messages are buffered, until drain(). */
  highWaterMark = Number.POSITIVE_INFINITY;
  private drainWaiters: (() => void)[] = [];
  private buffered = 0;

  constructor(
    readonly observer: StreamObserver<Res>,
    private readonly respond?: (req: Req, call: FakeCall<Req, Res>) => void,
  ) {}

  get writable(): boolean {
    return !this.ended && !this.cancelled;
  }

  write(message: Req): boolean {
    if (!this.writable) throw new Error('write after end');
    this.written.push(message);
    this.buffered++;
    if (this.respond) queueMicrotask(() => this.respond?.(message, this));
    return this.buffered < this.highWaterMark;
  }

  drained(): Promise<void> {
    if (this.buffered < this.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The transport flushed its buffer. */
  drain(): void {
    this.buffered = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    waiters.forEach((w) => w());
  }

  end(): void {
    this.ended = true;
    // The broker finishes SendEventsStream on half-close.
    queueMicrotask(() => this.observer.complete());
  }

  cancel(): void {
    this.cancelled = true;
  }

  /** The connection broke. */
  fail(err = new KubemqError({ code: 'UNAVAILABLE', message: 'connection lost', operation: 'x', retryable: true })): void {
    this.cancelled = true;
    this.observer.error(err);
  }
}

/** One server-streaming call the code under test opened. */
export interface FakeServerStream {
  readonly request: unknown;
  readonly observer: StreamObserver<unknown>;
  cancelled: boolean;
}

export interface FakeInternals extends ClientInternals {
  readonly calls: FakeCall<unknown, unknown>[];
  readonly streams: FakeServerStream[];
  /** What the code under test logged as warnings. */
  readonly warnings: unknown[][];
  /** What the code under test registered with track() and has not unregistered. */
  readonly tracked: Set<{ drain(): Promise<void> }>;
  unaryCalls: number;
  serverStreamCalls: number;
  ready: Promise<void>;
  state: ClientInternals['state'];
  /** Runs the onReconnect listeners, as the client does when it is ready again. */
  reconnected(): void;
}

export function fakeInternals(
  respond?: (req: never, call: FakeCall<never, never>) => void,
  opts: { defaultTimeoutMs?: number } = {},
): FakeInternals {
  const calls: FakeCall<unknown, unknown>[] = [];
  const streams: FakeServerStream[] = [];
  const warnings: unknown[][] = [];
  const tracked = new Set<{ drain(): Promise<void> }>();
  const reconnectListeners = new Set<() => void>();
  const internals = {
    clientId: 'test-client',
    calls,
    streams,
    warnings,
    tracked,
    unaryCalls: 0,
    serverStreamCalls: 0,
    ready: Promise.resolve(),
    options: {
      defaultTimeoutMs: opts.defaultTimeoutMs ?? 5000,
      // tiny backoff so re-opens happen within a test
      reconnect: { initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxAttempts: Number.POSITIVE_INFINITY },
    },
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args: unknown[]) => warnings.push(args),
      error: () => undefined,
    },
    state: 'ready',
    whenReady() {
      return internals.ready;
    },
    bidiStream(_method: unknown, observer: StreamObserver<unknown>) {
      const call = new FakeCall<unknown, unknown>(observer, respond as never);
      calls.push(call);
      return call;
    },
    unary() {
      internals.unaryCalls++;
      return Promise.reject(new Error('unary not expected'));
    },
    serverStream(_method: unknown, request: unknown, observer: StreamObserver<unknown>) {
      internals.serverStreamCalls++;
      const stream: FakeServerStream = { request, observer, cancelled: false };
      streams.push(stream);
      return {
        cancel: () => {
          stream.cancelled = true;
        },
      };
    },
    onReconnect: (listener: () => void) => {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    reconnected: () => reconnectListeners.forEach((listener) => listener()),
    track: (resource: { drain(): Promise<void> }) => {
      tracked.add(resource);
      return () => tracked.delete(resource);
    },
  };
  return internals as unknown as FakeInternals;
}

/** Lets queued microtasks and promise callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
