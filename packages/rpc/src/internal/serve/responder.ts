import { KubemqError, TimeoutError } from '@kubemq/core';
import { newId, validatePositiveInt, validateSignal, type Request } from '@kubemq/core/internal';
import type { Subscription } from 'rxjs';
import type { RequestsEngine } from '../client/requests-engine.js';
import { invalid, requireObject } from '../build/invalid.js';
import { requestProcessOperation } from '../telemetry.js';
import { ConcurrencyLimiter } from './limiter.js';
import type { HandleOptions, HandlerContext, ReadyOptions, Responder } from '../types/common.js';
import type { CommandHandlerResult } from '../types/command.js';
import type { QueryHandlerResult } from '../types/query.js';
import {
  PROBE_GROUP_TAG,
  PROBE_METADATA,
  PROBE_RESPONDER_TAG,
  READINESS_PROBE_TAG,
  isProbeTags,
  probeChannel,
  shouldAnswerProbe,
} from './probe-tags.js';

/** How many requests a handler runs at once unless told otherwise. */
export const DEFAULT_HANDLER_CONCURRENCY = 64;
/** How long `ready()` keeps probing unless told otherwise. */
export const DEFAULT_READY_TIMEOUT_MS = 15_000;
/**
 * The broker waits this long for an answer to one probe before the next one is sent: short at
 * first (registration usually takes a few hundred ms), growing to this for a loaded broker.
 */
export const PROBE_ATTEMPT_TIMEOUT_MS = 1_000;
const FIRST_PROBE_TIMEOUT_MS = 200;

type HandlerResult = CommandHandlerResult | QueryHandlerResult;
type Handler<R> = (received: R, context: HandlerContext) => HandlerResult | void | Promise<HandlerResult | void>;

interface Queued {
  wire: Request;
  /** When it arrived here (ms, monotonic). */
  at: number;
}

/**
 * The handler helper behind `commands(client).handle()` and `queries(client).handle()`: a
 * recoverable subscription whose requests run through the user's handler, with the reply sent for
 * it. Readiness probes (see probe-tags.ts) are answered here and never reach the handler.
 */
export class RequestResponder<R> implements Responder {
  readonly channel: string;
  readonly group: string | undefined;
  readonly closed: Promise<void>;

  /** Identifies this responder in probes (many may share one client id). */
  private readonly token = newId();
  /** Bumped on every (re)open of the stream: a proof of readiness holds for one generation. */
  private generation = 0;
  private provenGeneration = -1;
  /** Tells core's recoverable() that the current stream works (resets its backoff). */
  private established: () => void = () => undefined;
  private stopped = false;
  private finished = false;
  private closing: Promise<void> | undefined;
  private readonly running = new Set<Promise<void>>();
  private subscription: Subscription | undefined;
  /** Runs requests through the handler, at most `concurrency` at once (the rest wait in order). */
  private readonly limiter: ConcurrencyLimiter<Queued>;
  private readonly untrack: () => void;
  private readonly unhookReconnect: () => void;
  private resolveClosed!: () => void;
  private rejectClosed!: (err: unknown) => void;
  private readonly operation: string;
  private readonly onError: (error: KubemqError) => void;

  constructor(
    private readonly engine: RequestsEngine,
    options: HandleOptions,
    private readonly handler: Handler<R>,
    private readonly toReceived: (wire: Request) => R,
  ) {
    this.operation = `${engine.kind.name}.handle`;
    if (typeof handler !== 'function') throw invalid('handler', `must be a function, got ${typeof handler}`, this.operation);
    requireObject(options, 'options', this.operation);
    const built = engine.prepareSubscribe(options);
    const concurrency =
      options.concurrency === undefined ? DEFAULT_HANDLER_CONCURRENCY : validatePositiveInt(options.concurrency, 'concurrency', { min: 1, integer: true });
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw invalid('onError', `must be a function, got ${typeof options.onError}`, this.operation, built.channel);
    }
    this.channel = built.channel;
    this.group = built.group;
    this.onError = options.onError ?? ((error) => engine.internals.logger.warn(`${this.operation} on "${this.channel}": ${error.message}`));
    this.closed = new Promise<void>((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    // A failure is reported through onError too; nobody has to await `closed`.
    this.closed.catch(() => undefined);

    this.untrack = engine.internals.track({ drain: () => this.close() });
    // After a reconnect the stream is re-opened and must be proven again.
    this.unhookReconnect = engine.internals.onReconnect(() => {
      this.provenGeneration = -1;
    });
    this.limiter = new ConcurrencyLimiter<Queued>(
      concurrency,
      (queued) => this.keepRunning(this.serve(queued)),
      // serve() reports its own failures; anything else ends the responder, as a failed stream does.
      (err) => this.fail(err),
    );
    this.subscription = engine
      .requests(built, {
        onOpen: (_attempt, established) => {
          this.generation++;
          this.established = established;
        },
        // The proof was for the stream that just ended.
        onBreak: () => {
          this.provenGeneration = -1;
        },
      })
      .subscribe({
        next: (wire) => this.limiter.push({ wire, at: performance.now() }),
        error: (err: unknown) => this.fail(err),
        // Requests that already arrived are still served before the responder counts as closed.
        complete: () => this.limiter.whenIdle(() => this.finish(undefined)),
      });
  }

  async ready(options: ReadyOptions = {}): Promise<void> {
    const operation = `${this.engine.kind.name}.ready`;
    requireObject(options, 'options', operation);
    const timeoutMs =
      options.timeoutMs === undefined ? DEFAULT_READY_TIMEOUT_MS : validatePositiveInt(options.timeoutMs, 'options.timeoutMs', { min: 1, integer: true });
    const signal = validateSignal(options.signal, 'options.signal');
    if (this.provenGeneration === this.generation && this.generation > 0 && this.engine.internals.state === 'ready') return;
    const deadline = performance.now() + timeoutMs;
    const probeTags: Record<string, string> = { [READINESS_PROBE_TAG]: this.token };
    if (this.group !== undefined) probeTags[PROBE_GROUP_TAG] = this.group;

    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw cancelled(operation, this.channel);
      if (this.stopped) throw closedError(operation, this.channel);
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) {
        throw new TimeoutError({
          message: `the responder on "${this.channel}" answered no readiness probe within ${timeoutMs} ms`,
          operation,
          channel: this.channel,
          timeoutMs,
        });
      }
      const built = this.engine.build(
        {
          channel: probeChannel(this.channel, this.token),
          metadata: PROBE_METADATA,
          tags: probeTags,
          timeoutMs: Math.min(FIRST_PROBE_TIMEOUT_MS * 2 ** Math.min(attempt, 10), PROBE_ATTEMPT_TIMEOUT_MS, remaining),
        },
        undefined,
        true,
      );
      try {
        const answer = await this.engine.sendBuilt(built, signal, operation);
        if (answer.Tags[PROBE_RESPONDER_TAG] === this.token) {
          // Answered through the stream open now (a re-open cancels the old one first).
          this.provenGeneration = this.generation;
          this.established();
          return;
        }
        // Another member of the group (or another responder) answered: try again shortly.
        await pause(5 + Math.random() * 20, signal);
      } catch (err) {
        if (!KubemqError.isKubemqError(err)) throw err;
        if (err.code === 'CANCELLED' || err.code === 'CLOSED') throw err;
        // Not registered yet (Error 301), or the connection is coming back: probe again.
        if (err.code === 'TIMEOUT') continue;
        if (err.retryable) await pause(100, signal);
        else throw err;
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.subscription?.unsubscribe();
      // Waiting requests are not started any more (the sender gets its timeout, as with a crash).
      this.limiter.clear();
      await Promise.allSettled([...this.running]);
      this.finish(undefined);
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Remembers running work, so close() can wait for it. */
  private keepRunning(work: Promise<void>): Promise<void> {
    this.running.add(work);
    return work.finally(() => this.running.delete(work));
  }

  /** Runs one request; never rejects (failures go to onError). */
  private async serve({ wire, at }: Queued): Promise<void> {
    if (isProbeTags(wire.Tags)) {
      if (shouldAnswerProbe(wire.Tags, { token: this.token, group: this.group })) {
        await this.send(wire, {
          executed: true,
          tags: { [READINESS_PROBE_TAG]: wire.Tags[READINESS_PROBE_TAG] ?? '', [PROBE_RESPONDER_TAG]: this.token },
        });
      }
      return;
    }
    if (this.stopped) return;
    // It waited here longer than the sender waits: the sender has given up, so do not execute it.
    const left = wire.Timeout > 0 ? wire.Timeout - (performance.now() - at) : Infinity;
    if (left <= 0) {
      this.engine.internals.logger.debug(`${this.operation}: skipped request ${wire.RequestID} that expired while queued`);
      return;
    }
    // The serve span is a child of the sender's (its context came in the tags) and holds the
    // handler's own spans; a handler failure fails it.
    const span = this.engine.internals.telemetry?.start(requestProcessOperation(this.engine.kind, wire, this.group));
    const run = () => this.handler(this.toReceived(wire), lazySignalContext(left));
    let failure: unknown;
    let result: HandlerResult;
    try {
      result = (await (span ? span.run(run) : run())) ?? {};
      if (typeof result !== 'object' || result === null) {
        throw new TypeError(`the handler returned ${result === null ? 'null' : typeof result}; return an object or nothing`);
      }
    } catch (err) {
      failure = err;
      result = { executed: false, error: errorText(err) };
      // A request a typed channel could not decode is this side's problem too, not only the sender's.
      if (KubemqError.isKubemqError(err) && err.code === 'DECODE_FAILED') this.report(err);
    }
    try {
      await this.send(wire, result, false);
    } catch (err) {
      // The handler's result was not a valid reply: tell the sender rather than leave it waiting.
      failure ??= err;
      this.report(err);
      await this.send(wire, { executed: false, error: `invalid handler result: ${errorText(err)}` });
    } finally {
      span?.end(failure);
    }
  }

  /** Answers `wire`. Failures are reported and swallowed, except invalid replies when `swallowInvalid` is false. */
  private async send(wire: Request, result: HandlerResult, swallowInvalid = true): Promise<void> {
    try {
      await this.engine.replyTo(wire, result);
    } catch (err) {
      const error = asKubemqError(err, `${this.engine.kind.name}.reply`, this.channel);
      if (!swallowInvalid && error.code === 'VALIDATION') throw error;
      this.report(error);
    }
  }

  private report(err: unknown): void {
    try {
      this.onError(asKubemqError(err, this.operation, this.channel));
    } catch {
      // A throwing onError must not break the responder.
    }
  }

  /** The request stream failed (or a request's work did): the responder ends with that error. */
  private fail(err: unknown): void {
    this.subscription?.unsubscribe();
    this.limiter.clear();
    this.finish(asKubemqError(err, this.operation, this.channel));
  }

  private finish(error: KubemqError | undefined): void {
    this.stopped = true;
    if (this.finished) return;
    this.finished = true;
    this.untrack();
    this.unhookReconnect();
    if (error === undefined) this.resolveClosed();
    else {
      this.report(error);
      this.rejectClosed(error);
    }
  }
}

/**
 * The handler's context with `signal` created on first access: `AbortSignal.timeout()` costs about
 * 9 µs of CPU per request (a timer and a weak registration), and most handlers never read it. It
 * aborts when the `leftMs` the sender waits (from the request's arrival here) have passed; with
 * no timeout on the request (another SDK may send 0) it never aborts.
 */
function lazySignalContext(leftMs: number): { readonly signal: AbortSignal } {
  const deadline = performance.now() + leftMs;
  let signal: AbortSignal | undefined;
  return {
    get signal(): AbortSignal {
      signal ??= Number.isFinite(deadline)
        ? AbortSignal.timeout(Math.max(0, Math.ceil(deadline - performance.now())))
        : new AbortController().signal;
      return signal;
    },
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function asKubemqError(err: unknown, operation: string, channel: string): KubemqError {
  if (KubemqError.isKubemqError(err)) return err;
  return new KubemqError({ code: 'UNKNOWN', message: errorText(err), operation, channel, cause: err });
}

function cancelled(operation: string, channel: string): KubemqError {
  return new KubemqError({ code: 'CANCELLED', message: `${operation} was aborted`, operation, channel });
}

function closedError(operation: string, channel: string): KubemqError {
  return new KubemqError({ code: 'CLOSED', message: `the responder on "${channel}" is closed`, operation, channel });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
