// The one stand-in for core's ClientInternals in the component tests of the pattern packages: it
// records what would go on the wire and lets a test play the broker, so a pattern's logic
// (correlation, breaks, backpressure, recovery) is tested without a network. It knows nothing of
// any pattern: each package brings its broker's behaviour (how a stream answers, whether the
// broker ends a call on half-close, how requests are routed) through the options.
import { KubemqError } from '@kubemq/core';
import type { BidiCall, ClientInternals, StreamCall, StreamObserver } from '@kubemq/core/internal';

/** How the broker behaves on one bidi call. */
export interface FakeCallBehaviour<Req> {
  /** Runs once, when the code under test opens the call. */
  opened?(call: FakeCall<Req>): void;
  /** Runs on every write, synchronously (the broker reading the request). */
  onWrite?(request: Req, call: FakeCall<Req>): void;
  /** Runs right after every write, in a microtask (the broker answering what it read). */
  answer?(request: Req, call: FakeCall<Req>): void;
  /** Runs when the call ends by cancel() or fail() (the broker letting go of what the stream held). */
  onCancel?(): void;
  /** Whether the broker ends the call when the client half-closes it (default false: it ignores the half-close). */
  completeOnEnd?: boolean;
}

/** One bidi call the code under test opened: what it wrote, and how it ended. */
export class FakeCall<Req = unknown, Res = unknown> implements BidiCall<Req> {
  readonly written: Req[] = [];
  ended = false;
  cancelled = false;
  /** Whether the broker ends the call when the client half-closes it. */
  completeOnEnd: boolean;
  /** When set, write() returns false once this many messages are buffered, until drain(). */
  highWaterMark = Number.POSITIVE_INFINITY;
  /** While true, write() reports a full buffer (the message is still taken) until drain(). */
  full = false;
  private buffered = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    readonly path: string,
    readonly observer: StreamObserver<Res>,
    private readonly behaviour: FakeCallBehaviour<Req> = {},
  ) {
    this.completeOnEnd = behaviour.completeOnEnd ?? false;
    behaviour.opened?.(this);
  }

  get writable(): boolean {
    return !this.ended && !this.cancelled;
  }

  write(message: Req): boolean {
    if (!this.writable) throw new Error('write after end');
    this.written.push(message);
    this.buffered++;
    this.behaviour.onWrite?.(message, this);
    const { answer } = this.behaviour;
    if (answer) queueMicrotask(() => answer(message, this));
    return !this.full && this.buffered < this.highWaterMark;
  }

  drained(): Promise<void> {
    if (!this.full && this.buffered < this.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The transport flushed its buffer: there is room again. */
  drain(): void {
    this.full = false;
    this.buffered = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  end(): void {
    this.ended = true;
    if (this.completeOnEnd) queueMicrotask(() => this.observer.complete());
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.behaviour.onCancel?.();
  }

  /** The connection broke (by default as a retryable UNAVAILABLE). */
  fail(err = new KubemqError({ code: 'UNAVAILABLE', message: 'connection lost', operation: 'x', retryable: true })): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.behaviour.onCancel?.();
    this.observer.error(err);
  }
}

/** One server-streaming call the code under test opened. */
export interface FakeServerStream {
  readonly path: string;
  readonly request: unknown;
  readonly observer: StreamObserver<unknown>;
  cancelled: boolean;
}

/** One line the code under test logged. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** The call context every call gets (operation, channel, deadline, signal). */
export interface FakeCallContext {
  operation: string;
  channel?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onDispatch?: (waitedMs: number) => void;
}

/** The parts of a broker a package's tests play; the rest is recorded by the fake. */
export interface FakeInternalsOptions {
  clientId?: string;
  defaultTimeoutMs?: number;
  reconnect?: { initialDelayMs: number; maxDelayMs: number; multiplier: number; maxAttempts: number };
  /** How the broker behaves on a bidi call to `path` (default: it never answers). */
  bidi?(path: string, observer: StreamObserver<unknown>): FakeCallBehaviour<unknown>;
  /** The broker's answer to a unary call (default: a rejection, no unary call expected). */
  unary?: (path: string, request: unknown, ctx: FakeCallContext) => Promise<unknown>;
  /** Runs when a server stream opens (the broker registering it); default: nothing more. */
  serverStream?: (stream: FakeServerStream, ctx: FakeCallContext) => void;
  /** Where to record the log lines and the tracked resources (to share them among several clients). */
  logs?: LogEntry[];
  tracked?: Set<{ drain(): Promise<void> }>;
}

export interface FakeInternals extends ClientInternals {
  readonly calls: FakeCall[];
  readonly streams: FakeServerStream[];
  /** Everything logged, in order. */
  readonly logs: LogEntry[];
  /** The arguments of every warning, in order. */
  readonly warnings: unknown[][];
  /** What the code under test registered with track() and has not unregistered. */
  readonly tracked: Set<{ drain(): Promise<void> }>;
  unaryCalls: number;
  serverStreamCalls: number;
  /** What whenReady() returns: replace it to hold the connection back. */
  ready: Promise<void>;
  state: ClientInternals['state'];
  /** Runs the onReconnect listeners, as the client does when it is ready again. */
  reconnected(): void;
}

const methodPath = (method: unknown) => (method as { path: string }).path;

export function fakeInternals(options: FakeInternalsOptions = {}): FakeInternals {
  const calls: FakeCall[] = [];
  const streams: FakeServerStream[] = [];
  const logs = options.logs ?? [];
  const warnings: unknown[][] = [];
  const tracked = options.tracked ?? new Set<{ drain(): Promise<void> }>();
  const reconnectListeners = new Set<() => void>();
  const log =
    (level: LogEntry['level']) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push({ level, message, fields });
      if (level === 'warn') warnings.push(fields === undefined ? [message] : [message, fields]);
    };
  const internals = {
    clientId: options.clientId ?? 'test-client',
    calls,
    streams,
    logs,
    warnings,
    tracked,
    unaryCalls: 0,
    serverStreamCalls: 0,
    ready: Promise.resolve(),
    options: {
      defaultTimeoutMs: options.defaultTimeoutMs ?? 5000,
      maxMessageBytes: 104_857_600,
      // a tiny backoff, so re-opens happen within a test
      reconnect: options.reconnect ?? { initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxAttempts: Number.POSITIVE_INFINITY },
    },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    state: 'ready',
    accepting: true,
    acceptingSends: true,
    telemetry: undefined,
    brokerMessageLimit: undefined,
    whenReady: () => internals.ready,
    bidiStream(method: unknown, observer: StreamObserver<unknown>): BidiCall<unknown> {
      const path = methodPath(method);
      const call = new FakeCall(path, observer, options.bidi?.(path, observer));
      calls.push(call);
      return call;
    },
    unary(method: unknown, request: unknown, ctx: FakeCallContext): Promise<unknown> {
      internals.unaryCalls++;
      return options.unary ? options.unary(methodPath(method), request, ctx) : Promise.reject(new Error('unary not expected'));
    },
    serverStream(method: unknown, request: unknown, observer: StreamObserver<unknown>, ctx: FakeCallContext): StreamCall {
      internals.serverStreamCalls++;
      const stream: FakeServerStream = { path: methodPath(method), request, observer, cancelled: false };
      streams.push(stream);
      options.serverStream?.(stream, ctx);
      return {
        cancel: () => {
          stream.cancelled = true;
        },
      };
    },
    onReconnect(listener: () => void): () => void {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    reconnected: () => reconnectListeners.forEach((listener) => listener()),
    track(resource: { drain(): Promise<void> }): () => void {
      tracked.add(resource);
      return () => tracked.delete(resource);
    },
  };
  return internals as unknown as FakeInternals;
}

/** Lets queued microtasks, promise callbacks and I/O callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
