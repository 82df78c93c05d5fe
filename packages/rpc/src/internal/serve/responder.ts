import { KubemqError, type CallOptions } from '@kubemq/core';
import { callQuietly, checked, newId, onAbort, readCallOptions, requireObject, validatePositiveInt, validateSignal, type Request } from '@kubemq/core/internal';
import type { Subscription } from 'rxjs';
import type { RequestsEngine } from '../client/requests-engine.js';
import { invalid } from '../build/invalid.js';
import { requestProcessOperation } from '../telemetry.js';
import { ConcurrencyLimiter } from './limiter.js';
import { DEFAULT_HANDLER_CONCURRENCY, DEFAULT_READY_TIMEOUT_MS } from './defaults.js';
import { probeUntilAnswered } from './readiness.js';
import type { HandlerContext } from '../types/handler-context.js';
import type { HandleOptions, Responder, ResponderStats } from '../types/responder.js';
import type { CommandHandlerResult, CommandReceive } from '../types/command.js';
import type { QueryHandlerResult, QueryReceive } from '../types/query.js';
import { PROBE_RESPONDER_TAG, RPC_READINESS_PROBE_TAG, isProbeTags, shouldAnswerProbe } from './probe-tags.js';

type HandlerResult = CommandHandlerResult | QueryHandlerResult;
type Handler<R> = (received: R, context: HandlerContext) => HandlerResult | void | Promise<HandlerResult | void>;

interface Queued {
  wire: Request;
  /** A readiness probe: answered here, never given to the handler, not counted as a request. */
  probe: boolean;
  /** When it arrived here (ms, monotonic). */
  at: number;
}

/** The counters behind {@link ResponderStats} that the responder keeps itself (readonly only to its users). */
type Counters = { -readonly [K in Exclude<keyof ResponderStats, 'running' | 'waiting'>]: number };

/**
 * The handler helper behind `commandResponder()` and `queryResponder()`: a
 * recoverable subscription whose requests run through the user's handler, with the reply sent for
 * it. Readiness probes (see probe-tags.ts) are answered here and never reach the handler.
 */
export class RequestResponder<R extends CommandReceive | QueryReceive> implements Responder {
  readonly channel: string;
  readonly group: string | undefined;
  readonly done: Promise<void>;

  /** Identifies this responder in probes (many may share one client id). */
  private readonly token = newId();
  /** Bumped on every (re)open of the stream: a proof of readiness holds for one generation. */
  private generation = 0;
  private provenGeneration = -1;
  private stopped = false;
  private finished = false;
  private stopping: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  /** Runs requests through the handler, at most `concurrency` at once (the rest wait in order). */
  private readonly limiter: ConcurrencyLimiter<Queued>;
  private readonly counters: Counters = {
    received: 0,
    handled: 0,
    handlerErrors: 0,
    skipped: 0,
    repliesSent: 0,
    replyErrors: 0,
    probesAnswered: 0,
    recoveries: 0,
  };
  private readonly untrack: () => void;
  private readonly unhookReconnect: () => void;
  private readonly signal: AbortSignal | undefined;
  /** Removes the listener on the caller's signal. */
  private stopListening: () => void = () => undefined;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  private readonly operation: string;
  private readonly onError: (error: unknown, request?: R) => void;

  constructor(
    private readonly engine: RequestsEngine,
    options: HandleOptions<R>,
    private readonly handler: Handler<R>,
    private readonly toReceived: (wire: Request) => R,
  ) {
    this.operation = `${engine.kind.name}.handle`;
    if (typeof handler !== 'function') throw invalid('handler', `must be a function, got ${typeof handler}`, this.operation);
    requireObject(options, 'options', this.operation);
    const built = engine.prepareSubscribe({ channel: options.channel, ...(options.group !== undefined && { group: options.group }) }, this.operation);
    const { concurrency, signal } = checked(this.operation, built.channel, () => {
      if (options.onError !== undefined && typeof options.onError !== 'function') {
        throw invalid('onError', `must be a function, got ${typeof options.onError}`, this.operation, built.channel);
      }
      return {
        concurrency: options.concurrency === undefined ? DEFAULT_HANDLER_CONCURRENCY : validatePositiveInt(options.concurrency, 'concurrency', { min: 1, integer: true }),
        signal: validateSignal(options.signal, 'signal'),
      };
    });
    this.signal = signal;
    this.channel = built.channel;
    this.group = built.group;
    this.onError = options.onError ?? ((error, request) => this.warn(error, request));
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A failure is reported through onError too; nobody has to await `done`.
    this.done.catch(() => undefined);

    // A client that gave up reconnecting ends the responder with that failure (done rejects).
    this.untrack = engine.internals.track({ drain: (failure) => this.stopWith(failure) });
    // After a reconnect the stream is re-opened and must be proven again.
    this.unhookReconnect = engine.internals.onReconnect(() => {
      this.provenGeneration = -1;
    });
    this.limiter = new ConcurrencyLimiter<Queued>(
      concurrency,
      (queued) => this.serve(queued),
      // serve() reports its own failures; anything else ends the responder, as a failed stream does.
      (err) => this.fail(err),
      // A request leaves the queue once its sender has given up, not when a slot frees: with
      // handlers stuck, the queue holds no more than what arrives within a timeout. One whose
      // deadline is unknown (Timeout 0: a server that clears it) waits for a slot.
      {
        deadline: ({ wire, at }) => (wire.Timeout > 0 ? at + wire.Timeout : Infinity),
        expired: (queued) => this.skipExpired(queued.wire),
      },
    );
    this.subscription = engine
      .requests(built, {
        onOpen: (attempt) => {
          if (attempt > 0) this.counters.recoveries++;
          this.generation++;
        },
        // The proof was for the stream that just ended.
        onBreak: () => {
          this.provenGeneration = -1;
        },
        // A request over the client's maxMessageBytes: lost (it never arrived whole); the stream re-opens.
        onRefused: (error) => this.report(error, undefined),
      })
      .subscribe({
        next: (wire) => {
          // Whatever arrives proves that the broker routes to this stream: in a group, most of a
          // member's probes reach other members, and theirs reach it.
          this.provenGeneration = this.generation;
          const probe = isProbeTags(wire.Tags);
          // A probe never waits behind busy handlers: ready() must prove a responder that is working.
          if (probe) return void this.serve({ wire, probe, at: performance.now() });
          this.counters.received++;
          this.limiter.push({ wire, probe, at: performance.now() });
        },
        error: (err: unknown) => this.fail(err),
        // Requests that already arrived are still served before the responder counts as stopped.
        complete: () => this.limiter.whenIdle(() => this.finish(undefined)),
      });
    // Aborting the signal stops the responder (at once when it already has), unless it already ended.
    if (!this.finished) this.stopListening = onAbort(this.signal, () => void this.stop());
  }

  get stats(): ResponderStats {
    return { ...this.counters, running: this.limiter.running, waiting: this.limiter.queued };
  }

  async ready(given?: CallOptions): Promise<void> {
    const operation = `${this.engine.kind.name}.ready`;
    const { timeoutMs, signal } = checked(operation, this.channel, () => {
      const options = readCallOptions(given, operation);
      return {
        timeoutMs: options.timeoutMs === undefined ? DEFAULT_READY_TIMEOUT_MS : validatePositiveInt(options.timeoutMs, 'timeoutMs', { min: 1, integer: true }),
        signal: options.signal,
      };
    });
    if (this.isProven()) return;
    await probeUntilAnswered(
      { engine: this.engine, channel: this.channel, group: this.group, token: this.token, isStopped: () => this.stopped, isProven: () => this.isProven() },
      timeoutMs,
      signal,
      operation,
    );
  }

  private isProven(): boolean {
    return this.provenGeneration === this.generation && this.generation > 0 && this.engine.internals.state === 'ready' && !this.stopped;
  }

  stop(): Promise<void> {
    return this.stopWith(undefined);
  }

  /** stop(), ending with `failure` (done rejects with it) when there is one. */
  private stopWith(failure: KubemqError | undefined): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.subscription?.unsubscribe();
      // Waiting requests are not started any more (the sender gets its timeout, as with a crash).
      this.countSkipped(this.limiter.clear());
      // The running ones finish; the limiter frees their slots first, so once this resolves
      // nothing counts as running.
      await new Promise<void>((resolve) => this.limiter.whenIdle(resolve));
      this.finish(failure);
    })();
    return this.stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Runs one request; never rejects (failures go to onError). */
  private async serve({ wire, probe, at }: Queued): Promise<void> {
    if (probe) {
      if (shouldAnswerProbe(wire.Tags, { token: this.token, group: this.group })) {
        const tags = { [RPC_READINESS_PROBE_TAG]: wire.Tags[RPC_READINESS_PROBE_TAG] ?? '', [PROBE_RESPONDER_TAG]: this.token };
        if (await this.reply(wire, { executed: true, tags }, undefined)) this.counters.probesAnswered++;
      }
      return;
    }
    // It waited here longer than the sender waits: the sender has given up, so do not execute it.
    const expiresAt = wire.Timeout > 0 ? at + wire.Timeout : undefined;
    const left = expiresAt === undefined ? Infinity : expiresAt - performance.now();
    if (this.stopped || left <= 0) {
      if (left <= 0) this.skipExpired(wire);
      else this.counters.skipped++;
      return;
    }
    const received = this.toReceived(wire);
    // The serve span is a child of the sender's (its context came in the tags), never of the code
    // that created the responder, and holds the handler's own spans; a handler failure fails it.
    // The client's telemetry is guarded: a start() that throws gives a span that records nothing.
    const span = this.engine.internals.telemetry?.start(requestProcessOperation(this.engine.kind, wire, this.group));
    const run = () => this.handler(received, new LazySignalContext(left));
    let failure: unknown;
    let result: HandlerResult;
    try {
      // Whatever it returned is checked as a reply: one that is not (a string, bytes) is reported.
      result = (await (span ? span.run(run) : run())) ?? {};
      this.counters.handled++;
    } catch (err) {
      failure = err;
      this.counters.handlerErrors++;
      result = { executed: false, error: errorText(err) };
      // A request a typed channel could not decode is this side's problem too, not only the sender's.
      if (KubemqError.isKubemqError(err) && err.code === 'DECODE_FAILED') this.report(err, received);
    }
    try {
      if (await this.reply(wire, result, received, { swallowInvalid: false, resend: true, expiresAt })) this.counters.repliesSent++;
    } catch (err) {
      // The handler's result could not be sent as a reply: tell the sender rather than leave it waiting.
      failure ??= err;
      this.report(err, received);
      if (await this.reply(wire, { executed: false, error: `invalid handler result: ${errorText(err)}` }, received)) this.counters.repliesSent++;
    } finally {
      span?.end(failure);
    }
  }

  /**
   * Answers `wire`; true when the broker took the reply. A reply it did not take is reported and
   * counted; a reply that is not valid is too, unless `swallowInvalid` is false (then it throws).
   * With `resend`, one lost to a connection drop is sent once more (it waits for the reconnect)
   * while its sender still waits (`expiresAt`; unknown, within the client's `defaultTimeoutMs`):
   * the broker keeps the first reply to arrive, so a second is harmless, and without it the sender
   * would time out on a request that ran.
   */
  private async reply(
    wire: Request,
    result: HandlerResult,
    received: R | undefined,
    { swallowInvalid = true, resend = false, expiresAt }: { swallowInvalid?: boolean; resend?: boolean; expiresAt?: number | undefined } = {},
  ): Promise<boolean> {
    try {
      try {
        await this.engine.replyTo(wire, result);
      } catch (first) {
        if (!resend || !KubemqError.isKubemqError(first) || !first.retryable) throw first;
        // A server that cleared the request's Timeout leaves its deadline unknown: still one re-send.
        const left = expiresAt === undefined ? this.engine.defaultTimeoutMs() : expiresAt - performance.now();
        if (left < 1) throw first;
        await this.engine.replyTo(wire, result, Math.ceil(left));
      }
      return true;
    } catch (err) {
      const error = asKubemqError(err, `${this.engine.kind.name}.reply`, this.channel);
      // Not sendable as it is (invalid, or too large once encoded): the caller sends a short failure instead.
      const unsendable = error.code === 'VALIDATION' || (error.code === 'RESOURCE_EXHAUSTED' && !error.retryable);
      if (!swallowInvalid && unsendable) throw error;
      if (received !== undefined) this.counters.replyErrors++;
      this.report(error, received);
      return false;
    }
  }

  private report(err: unknown, request: R | undefined): void {
    const error = asKubemqError(err, this.operation, this.channel);
    // A failing onError (a throw, a rejected promise) must not break the responder.
    callQuietly(() => (request === undefined ? this.onError(error) : this.onError(error, request)));
  }

  /** The default onError: a warning through the client's logger. */
  private warn(error: unknown, request: R | undefined): void {
    const code = KubemqError.isKubemqError(error) ? error.code : undefined;
    this.engine.internals.logger.warn(`${this.operation} on "${this.channel}": ${errorText(error)}`, {
      channel: this.channel,
      ...(code !== undefined && { code }),
      ...(request !== undefined && { requestId: request.id }),
    });
  }

  /** A request that waited longer than its sender waits: not run. */
  private skipExpired(wire: Request): void {
    this.counters.skipped++;
    this.engine.internals.logger.debug(`${this.operation}: skipped request ${wire.RequestID} that expired while queued`);
  }

  private countSkipped(dropped: Queued[]): void {
    for (const queued of dropped) if (!queued.probe) this.counters.skipped++;
  }

  /** The request stream failed (or a request's work did): the responder ends with that error. */
  private fail(err: unknown): void {
    this.subscription?.unsubscribe();
    this.countSkipped(this.limiter.clear());
    this.finish(asKubemqError(err, this.operation, this.channel));
  }

  private finish(error: KubemqError | undefined): void {
    this.stopped = true;
    if (this.finished) return;
    this.finished = true;
    this.stopListening();
    this.untrack();
    this.unhookReconnect();
    if (error === undefined) this.resolveDone();
    else {
      this.report(error, undefined);
      this.rejectDone(error);
    }
  }
}

/** The one accessor of every {@link LazySignalContext}'s `signal` (set in its static block). */
let signalProperty: PropertyDescriptor;

/**
 * The handler's context with `signal` created on first access: `AbortSignal.timeout()` costs about
 * 9 µs of CPU per request (a timer and a weak registration), and most handlers never read it. It
 * aborts when the `leftMs` the sender waits (from the request's arrival here) have passed; with
 * no timeout on the request (another SDK may send 0) it never aborts.
 *
 * `signal` is an own enumerable accessor, so `{ ...context }` keeps it. Every context shares one
 * getter function: an object literal with a getter closure made a dictionary-mode object per
 * request (about 0.5 µs, against 0.2 µs for this).
 */
class LazySignalContext implements HandlerContext {
  declare readonly signal: AbortSignal;
  readonly #deadline: number;
  #signal: AbortSignal | undefined = undefined;

  constructor(leftMs: number) {
    this.#deadline = performance.now() + leftMs;
    Object.defineProperty(this, 'signal', signalProperty);
  }

  static {
    signalProperty = {
      enumerable: true,
      get(this: LazySignalContext): AbortSignal {
        this.#signal ??= Number.isFinite(this.#deadline)
          ? AbortSignal.timeout(Math.max(0, Math.ceil(this.#deadline - performance.now())))
          : new AbortController().signal;
        return this.#signal;
      },
    };
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function asKubemqError(err: unknown, operation: string, channel: string): KubemqError {
  if (KubemqError.isKubemqError(err)) return err;
  return new KubemqError({ code: 'UNKNOWN', message: errorText(err), operation, channel, cause: err });
}
