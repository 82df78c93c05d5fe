import { setMaxListeners } from 'node:events';
import type { Observable } from 'rxjs';
import type { ConnectionState } from '../../client/connection-state.js';
import type { Logger } from '../../client/logger.js';
import type { ResolvedClientOptions } from '../../client/resolve-options.js';
import type { ConnectionSettings } from '../../client/resolve-options.js';
import type { Instrumentation } from '../../telemetry/telemetry.js';
import { ConnectionError, KubemqError } from '../errors/kubemq-error.js';
import { CONNECTION_LOST, createError, describe, mapError, type ErrorContext } from '../errors/map-error.js';
import { PING, TOKEN_CHECK } from '../methods.js';
import { ValueBroadcast } from '../broadcast.js';
import { computeBackoff } from '../recovery/backoff.js';
import { sleep } from '../recovery/sleep.js';
import { instrumentSafely } from '../telemetry/guarded.js';
import * as GrpcStatus from '../errors/grpc-status.js';
import { GrpcTransport, type CallParams, type RawBidiStream, type RawStream, type StreamHandlers, type TransportConfig } from '../transport/grpc-transport.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';
import { onAbort, timeLimit, within } from '../util/async.js';
import { monotonicNow, wallClockDeadline } from '../util/monotonic.js';
import { validatePositiveInt } from '../validation/numbers.js';
import type {
  BidiCall,
  CallContext,
  ClientInternals,
  Drainable,
  StreamCall,
  StreamObserver,
} from './client-internals.js';
import { abortError, callError, errorContext } from './call-errors.js';
import { LinkCheck } from './link-check.js';
import { PendingCalls } from './pending-calls.js';
import type { CallAuth } from './call-auth.js';

/** What the broker answered when asked about the token (#checkToken). */
type TokenCheck = { verdict: 'accepted' } | { verdict: 'refused'; error: KubemqError } | { verdict: 'unknown'; error?: KubemqError };

/** One ping's deadline while (re)connecting, so a silent broker cannot stall an attempt. */
const PING_ATTEMPT_MS = 5000;
/** What the last connect attempt is given at least: less than this before the deadline, none is made. */
const LAST_ATTEMPT_MS = 250;
/**
 * Longest wait for the round trip that proves the broker read a bidi call's half-close, before the
 * call is cancelled (see #retire).
 */
const RETIRE_PROOF_MS = 1000;
/** grpc-go's default keepalive enforcement, which the open-source broker keeps (docs/broker-behaviour.md §4). */
const MIN_BROKER_PING_INTERVAL_MS = 300_000;
/** The longest delay Node's timers take. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const noop = (): void => undefined;

/**
 * Where close() is: `open` (not closing), `handlers` (the resources that take work in drain),
 * `sends` (the send streams drain), `over` (the drain ended or was cut).
 */
type ClosePhase = 'open' | 'handlers' | 'sends' | 'over';

/**
 * One connection to the broker: the state machine (connecting → ready → reconnecting → … → closed),
 * reconnects with backoff, the calls waiting for the connection, the auth of each call (CallAuth), and the three call shapes
 * with every failure mapped to a KubemqError. This is what `clientInternals(client)` returns.
 */
export class Connection implements ClientInternals {
  readonly clientId: string;
  readonly logger: Logger;
  readonly options: ResolvedClientOptions;
  readonly telemetry: Instrumentation | undefined;
  brokerMessageLimit: number | undefined = undefined;
  readonly #transportConfig: TransportConfig;
  /** The channel calls go on; replaced when the link check finds it silently dead (#relink). */
  #transport: GrpcTransport;
  readonly #linkCheck: LinkCheck | undefined;
  /** Counts answers and stream messages from the broker: the link check's proof of life. */
  #heard = 0;
  readonly #auth: CallAuth;
  readonly #state = new ValueBroadcast<ConnectionState>('connecting');
  readonly state$: Observable<ConnectionState> = this.#state.observable;
  readonly #pending: PendingCalls;
  readonly #reconnectListeners = new Set<() => void>();
  readonly #tracked = new Set<Drainable>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /**
   * Streams open now, each with the way to end it: with no error, telling its observer that the
   * client closed; with one, telling it that (the link died under it).
   */
  readonly #streams = new Set<(lost?: string) => void>();
  /** Bidi calls half-closed and waiting for the proof that lets them be cancelled (#retire), with their channel. */
  readonly #retiring = new Map<Promise<void>, GrpcTransport>();
  /** Stops the reconnect loop at shutdown. */
  readonly #lifetime = new AbortController();
  /** Ends close()'s wait for in-flight work (its timeout passed or its signal aborted). */
  readonly #drainCut = new AbortController();
  /** close() cancelled the unary calls still running after its drain. */
  #unaryCut = false;
  /** Why the last (re)connect attempt failed, until one succeeds: calls that time out waiting carry it. */
  #lastAttemptError: KubemqError | undefined;
  /** How far close() is (see #shutdown and #refuses). */
  #phase: ClosePhase = 'open';
  /** Why the client closed on its own (the reconnect policy gave up). */
  #failure: KubemqError | undefined;
  #closing: Promise<void> | undefined;

  constructor(settings: ConnectionSettings) {
    this.options = settings.options;
    this.clientId = settings.options.clientId;
    this.logger = settings.logger;
    this.telemetry = instrumentSafely(settings.telemetry, { address: settings.options.address, clientId: settings.options.clientId }, settings.logger);
    this.#auth = settings.auth(settings.logger, this.telemetry);
    this.#pending = new PendingCalls(settings.options.maxPendingCalls);
    const keepalive = settings.options.keepalive;
    this.#transportConfig = {
      address: settings.options.address,
      maxMessageBytes: settings.options.maxMessageBytes,
      keepaliveTimeoutMs: keepalive ? keepalive.timeoutMs : 0,
      ...(keepalive && { keepaliveIntervalMs: keepalive.intervalMs }),
      ...(settings.tls && { tls: settings.tls }),
    };
    this.#transport = new GrpcTransport(this.#transportConfig);
    // Each stream a relink retires listens for the shutdown while it proves its half-close.
    setMaxListeners(0, this.#lifetime.signal);
    const { linkCheck } = settings.options;
    this.#linkCheck = linkCheck
      ? new LinkCheck(linkCheck, {
          ping: (timeoutMs) => this.#transport.unary(PING, {}, this.#params(monotonicNow() + timeoutMs)),
          heard: () => this.#heard,
          silent: () => this.#relink(linkCheck.timeoutMs),
        })
      : undefined;
  }

  get state(): ConnectionState {
    return this.#state.value;
  }

  get accepting(): boolean {
    return this.#phase === 'open';
  }

  get acceptingSends(): boolean {
    return (this.#phase === 'open' || this.#phase === 'handlers') && this.#failure === undefined;
  }

  /** The first connection: pings until the broker answers, within the connect timeout. */
  async connect(signal?: AbortSignal): Promise<void> {
    const ctx = { operation: 'client.connect' };
    const deadline = monotonicNow() + this.options.connectTimeoutMs;
    const stop = signal ? AbortSignal.any([signal, this.#lifetime.signal]) : this.#lifetime.signal;
    try {
      await this.#establish(ctx, { deadline, maxAttempts: Infinity, signal: stop });
      if (this.#auth.sendsToken) await this.#proveToken(ctx, deadline, stop);
    } catch (err) {
      const error = signal?.aborted ? mapError(abortError(), ctx) : this.#connectError(err, ctx, deadline);
      await this.#shutdown(error, {});
      throw error;
    }
    this.#state.next('ready');
    this.logger.info('connected', { address: this.options.address, clientId: this.clientId, tls: this.options.tls });
    const { keepalive } = this.options;
    if (keepalive && keepalive.intervalMs < MIN_BROKER_PING_INTERVAL_MS) {
      this.logger.warn('keepalive.intervalMs is below 300000: the open-source broker answers such pings with GOAWAY too_many_pings, which ends idle subscriptions', { keepaliveIntervalMs: keepalive.intervalMs });
    }
    this.#watch(this.#transport);
    this.#linkCheck?.start();
  }

  whenReady(signal?: AbortSignal, ctx: ErrorContext = { operation: 'client.whenReady' }): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(this.#closedError(ctx));
    return new Promise<void>((resolve, reject) => {
      let stopListening = (): void => undefined;
      const done = () => {
        subscription.unsubscribe();
        stopListening();
      };
      const subscription = this.#state.observable.subscribe((state) => {
        if (state === 'ready') {
          done();
          resolve();
        } else if (state === 'closed') {
          done();
          reject(this.#closedError(ctx));
        }
      });
      stopListening = onAbort(signal, () => {
        done();
        reject(mapError(abortError(), ctx));
      });
    });
  }

  unary<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, ctx: CallContext): Promise<Res> {
    const timeoutMs = ctx.timeoutMs ?? this.options.defaultTimeoutMs;
    const errCtx = errorContext(ctx, timeoutMs);
    try {
      validatePositiveInt(timeoutMs, 'timeoutMs');
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#refuses(ctx, true)) return Promise.reject(this.#closedError(errCtx));
    if (ctx.signal?.aborted) return Promise.reject(mapError(abortError(), errCtx));
    const start = monotonicNow();
    const deadline = start + timeoutMs;
    // Ready (the usual case): straight to the call, without an async frame to wait in.
    const call =
      this.state === 'ready'
        ? this.#invoke(method, request, errCtx, deadline, ctx.signal, ctx.outlivesClose)
        : this.#whenReady(method, request, ctx, errCtx, start, timeoutMs);
    this.#inFlight.add(call);
    const forget = () => this.#inFlight.delete(call);
    call.then(forget, forget);
    return call;
  }

  /** A unary call made while not ready: it waits for the connection, then starts in its turn. */
  #whenReady<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, ctx: CallContext, errCtx: ErrorContext, start: number, timeoutMs: number): Promise<Res> {
    const deadline = start + timeoutMs;
    const waitMs = Math.min(timeoutMs, ctx.maxWaitMs ?? timeoutMs);
    const waitCtx = waitMs === timeoutMs ? errCtx : { ...errCtx, timeoutMs: waitMs };
    try {
      return this.#pending.dispatch(waitCtx, start + waitMs, ctx.signal, () => ({ state: this.state, lastError: this.#lastAttemptError }), () => {
        ctx.onDispatch?.(monotonicNow() - start);
        return this.#invoke(method, request, errCtx, deadline, ctx.signal, ctx.outlivesClose);
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  serverStream<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, observer: StreamObserver<Res>, ctx: CallContext): StreamCall {
    return this.#openStream(
      observer,
      ctx,
      (params, handlers) => this.#transport.serverStream(method, request, params, handlers),
      (call) => call.cancel(),
    );
  }

  bidiStream<Req, Res>(method: MethodDescriptor<Req, Res>, observer: StreamObserver<Res>, ctx: CallContext): BidiCall<Req> {
    return this.#bidiStream(method, observer, ctx, false);
  }

  /** A bidi call; `checksToken`: it asks the broker about the token (#checkToken), so a refusal is reported as is. */
  #bidiStream<Req, Res>(method: MethodDescriptor<Req, Res>, observer: StreamObserver<Res>, ctx: CallContext, checksToken: boolean): BidiCall<Req> {
    let writable = true;
    let halfClosed = false;
    let raw: ReturnType<GrpcTransport['bidiStream']> | undefined;
    /** The channel the call went on: its retirement's proof must travel there (#relink replaces it). */
    let transport = this.#transport;
    const halfClose = () => {
      writable = false;
      if (halfClosed) return;
      halfClosed = true;
      raw?.end();
    };
    const stream = this.#openStream(
      observer,
      ctx,
      (params, handlers) => {
        transport = this.#transport;
        raw = transport.bidiStream(method, params, handlers);
        return raw;
      },
      (call) => {
        halfClose();
        this.#retire(call, transport);
      },
      () => (writable = false),
      checksToken,
    );
    if (!raw) writable = false; // refused: closed or already aborted
    return {
      cancel: () => {
        writable = false;
        stream.cancel();
      },
      write: (message) => {
        if (!writable || !raw) return false;
        return raw.write(message);
      },
      drained: () => raw?.drained() ?? Promise.resolve(),
      end: () => {
        if (writable) halfClose();
      },
      get writable() {
        return writable;
      },
    };
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  track(resource: Drainable): () => void {
    this.#tracked.add(resource);
    return () => this.#tracked.delete(resource);
  }

  /**
   * Drains (see #shutdown) until `timeoutMs` passes (default drainTimeoutMs) or `signal` aborts,
   * then closes the channel. Idempotent; each call's bound can end the drain.
   */
  close(bound: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    return this.#shutdown(undefined, bound);
  }

  // ── calls ────────────────────────────────────────────────────────────────────────────────

  /**
   * One unary call, through the auth: refreshing credentials may refresh the token and run it once
   * more. Deadlines here are ms on `monotonicNow()`, turned into wall time only for gRPC.
   */
  #invoke<Req, Res>(
    method: MethodDescriptor<Req, Res>,
    request: Req,
    ctx: ErrorContext,
    deadline: number,
    signal: AbortSignal | undefined,
    outlivesClose = false,
  ): Promise<Res> {
    return this.#auth.unary(() => this.#attempt(method, request, ctx, deadline, signal, outlivesClose), ctx.operation, { deadline, signal });
  }

  /** One try of a unary call with the current token; failures mapped. */
  async #attempt<Req, Res>(
    method: MethodDescriptor<Req, Res>,
    request: Req,
    ctx: ErrorContext,
    deadline: number,
    signal: AbortSignal | undefined,
    outlivesClose: boolean,
  ): Promise<Res> {
    try {
      const generation = this.#auth.generation;
      const params = this.#params(deadline);
      if (outlivesClose) params.outlivesClose = true;
      const response = await this.#transport.unary(method, request, params, signal);
      this.#heard++;
      // The brokers that check tokens let Ping through unchecked: its answer proves no token.
      if ((method as MethodDescriptor<unknown, unknown>) !== PING) this.#auth.accepted(generation);
      return response;
    } catch (raw) {
      // Cut by close() once its drain was over: the client is closed, not the connection lost.
      if (this.#unaryCut && !outlivesClose) throw this.#abandonedError(ctx);
      // Handed to gRPC: a timeout now may have reached the broker (TimeoutError.sent).
      const err = callError(raw, ctx, signal, true);
      // The broker's own refusal proves the link alive; no answer in time may be a link that
      // died without closing: check it now.
      if (err.brokerCode !== undefined) this.#heard++;
      else if (err.code === 'TIMEOUT' && this.state === 'ready') this.#linkCheck?.probeNow();
      this.#noteFailure(err);
      throw err;
    }
  }

  /**
   * Opens a stream now and reports exactly one outcome to the observer: complete, or a mapped
   * error (which refreshing credentials may turn into a retryable one after a token refresh, so
   * recoverable() re-opens with the new token).
   */
  #openStream<Res, S extends RawStream>(
    observer: StreamObserver<Res>,
    ctx: CallContext,
    open: (params: CallParams, handlers: StreamHandlers<Res>) => S,
    /** Ends the call from this side (it is still running). */
    stop: (call: S) => void,
    onDone: () => void = () => undefined,
    checksToken = false,
  ): StreamCall {
    const errCtx = errorContext(ctx, ctx.timeoutMs);
    let done = false;
    /** The call ended on its own (status received): nothing is left to cancel. */
    let over = false;
    let stopListening = (): void => undefined;
    const finish = (report: () => void) => {
      if (done) return;
      done = true;
      this.#streams.delete(endStream);
      onDone();
      stopListening();
      report();
    };
    const stopCall = () => {
      if (over) return;
      over = true;
      stop(call);
    };
    // close() ends what nobody drained (subscriptions, poll loops): left open, they would go on
    // taking messages for a client that is gone. A dead link (#relink) ends them as a drop does:
    // the observer re-opens once the client is ready again.
    const endStream = (lost?: string) => {
      stopCall();
      finish(() => observer.error(lost === undefined ? this.#closedError(errCtx) : createError(CONNECTION_LOST, `${describe(errCtx)} failed: ${lost}`, errCtx, {})));
    };
    const refuse = (err: KubemqError): StreamCall => {
      done = true;
      onDone();
      queueMicrotask(() => observer.error(err));
      return { cancel: () => undefined };
    };
    if (this.#refuses(ctx, false)) return refuse(this.#closedError(errCtx));
    if (ctx.signal?.aborted) return refuse(mapError(abortError(), errCtx));

    const deadline = ctx.timeoutMs === undefined ? undefined : monotonicNow() + ctx.timeoutMs;
    /** The token the call goes with: a refusal is answered by what happened to the token since. */
    const generation = this.#auth.generation;
    let call: S;
    try {
      call = open(this.#params(deadline), {
        data: (message) => {
          this.#heard++;
          if (done) return;
          this.#auth.accepted(generation);
          observer.next(message);
        },
        end: () => {
          over = true;
          finish(() => observer.complete());
        },
        error: (raw) => {
          over = true;
          if (done) return;
          onDone(); // no more writes while the error is being mapped (a token refresh may run)
          void this.#streamError(raw, errCtx, ctx.signal, checksToken ? undefined : generation).then((err) => finish(() => observer.error(err)));
        },
      });
    } catch (err) {
      // grpc-js throws, rather than reports, a call it cannot start (metadata it cannot send, a closed channel).
      return refuse(mapError(err, errCtx));
    }
    this.#streams.add(endStream);
    stopListening = onAbort(ctx.signal, () => {
      stopCall();
      finish(() => observer.error(mapError(abortError(), errCtx)));
    });
    return {
      cancel: () => {
        if (done) return;
        stopCall();
        finish(() => undefined);
      },
    };
  }

  /**
   * Cancels a running bidi call that is already half-closed, once the broker has surely read the
   * half-close: a broker whose stream reader sees the cancel first may forward a nil request and
   * crash (QueuesUpstream, docs/broker-behaviour.md §5.3). The half-close goes out after the
   * call's buffered writes, and HTTP/2 may put a new call's headers ahead of it; so: wait until
   * it went down to the transport, ping once (its answer proves the half-close was sent), then
   * ping again (that ping travels behind it, and frames on one connection are read in order),
   * and cancel. At most RETIRE_PROOF_MS in all (the link check's timeoutMs on a channel #relink
   * replaced); close() waits for it (for the latter, only within its drain bound: past it such a
   * call is cancelled unproven).
   */
  #retire(call: RawBidiStream<unknown>, transport: GrpcTransport): void {
    // A call whose channel #relink replaced gets the link check's own patience: the link may
    // only have been slow, and then the broker must still read the half-close first.
    const { linkCheck } = this.options;
    const proofMs = transport === this.#transport || !linkCheck ? RETIRE_PROOF_MS : Math.max(RETIRE_PROOF_MS, linkCheck.timeoutMs);
    const deadline = monotonicNow() + proofMs;
    // close() waits for the current channel's retirements; those on a replaced one it cuts once
    // its drain bound passes (#shutdown), unproven.
    const cut = transport === this.#transport ? undefined : this.#lifetime.signal;
    // Not ended with the other unary calls when #relink replaces this channel: the proof is the point.
    const ping = () => transport.unary(PING, {}, { ...this.#params(deadline), outlivesClose: true }, cut);
    const retired = (async () => {
      try {
        await within(call.halfClosed(), { timeoutMs: proofMs, signal: cut });
        await ping();
        await ping();
      } catch {
        // No proof to be had: the connection is gone, and with it the call.
      }
      call.cancel();
    })();
    this.#retiring.set(retired, transport);
    void retired.then(() => this.#retiring.delete(retired));
  }

  #retirementsOn(transport: GrpcTransport): Promise<void>[] {
    return [...this.#retiring].filter(([, on]) => on === transport).map(([retired]) => retired);
  }

  /** A stream's failure, mapped; for a stream that went with token `generation`, the auth's answer to it. */
  #streamError(raw: unknown, ctx: ErrorContext, signal: AbortSignal | undefined, generation: number | undefined): Promise<KubemqError> {
    const err = callError(raw, ctx, signal);
    if (err.brokerCode !== undefined) this.#heard++;
    this.#noteFailure(err);
    if (generation === undefined) return Promise.resolve(err);
    const prove = async () => (await this.#checkToken(ctx, PING_ATTEMPT_MS, this.#lifetime.signal)).verdict;
    return Promise.resolve(this.#auth.streamFailed(err, raw, generation, prove));
  }

  #params(deadline: number | undefined): CallParams {
    return { metadata: this.#auth.metadata(), ...(deadline !== undefined && { deadline: wallClockDeadline(deadline) }) };
  }

  // ── connection state ─────────────────────────────────────────────────────────────────────

  /**
   * Pings until the broker answers. Failures wait a backoff delay and try again while they are
   * retryable (or `retryAll`), attempts remain and the deadline allows.
   */
  async #establish(
    ctx: ErrorContext,
    limits: { deadline: number; maxAttempts: number; signal: AbortSignal; retryAll?: boolean },
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const pingDeadline = Math.min(limits.deadline, monotonicNow() + PING_ATTEMPT_MS);
      try {
        this.#transport.connectivity(true);
        await this.#invoke(PING, {}, { ...ctx, timeoutMs: PING_ATTEMPT_MS }, pingDeadline, limits.signal);
        this.#lastAttemptError = undefined;
        return;
      } catch (err) {
        const error = mapError(err, ctx);
        const previous = this.#lastAttemptError;
        this.#lastAttemptError = error;
        if (limits.signal.aborted || !(error.retryable || limits.retryAll)) throw error;
        // A refusal (token, certificate, permission) may not go away by retrying: say so once.
        if (!error.retryable && error.code !== previous?.code) {
          this.logger.warn('the broker refused a reconnect attempt; retrying', { code: error.code, error: error.message });
        }
        // The last pause is cut short so that one more attempt fits before the deadline: a
        // broker that comes up late in the connect window is still reached.
        const left = limits.deadline - monotonicNow() - LAST_ATTEMPT_MS;
        if (attempt + 1 >= limits.maxAttempts || left <= 0) throw error;
        const delay = Math.min(computeBackoff(this.options.reconnect, attempt), left);
        this.logger.debug('broker not reachable yet', { attempt, delayMs: delay, code: error.code });
        await sleep(delay, limits.signal);
      }
    }
  }

  /**
   * The brokers that check tokens answer Ping whatever the token, so connect() asks about it
   * (#checkToken). Only the broker's refusal fails; any other end proves nothing either way and
   * lets connect() succeed. Refreshing credentials answer a refusal as they answer a stream's:
   * one refresh, and the new token is asked about in turn.
   */
  async #proveToken(ctx: ErrorContext, deadline: number, signal: AbortSignal): Promise<void> {
    const check = () => this.#checkToken(ctx, Math.min(deadline - monotonicNow(), PING_ATTEMPT_MS), signal);
    const generation = this.#auth.generation;
    const first = await check();
    if (signal.aborted) throw (first.verdict === 'accepted' ? undefined : first.error) ?? mapError(abortError(), ctx);
    if (first.verdict !== 'refused') return;
    const answer = await this.#auth.streamFailed(first.error, first.error.cause, generation, async () => (await check()).verdict);
    // Retryable: a new token, not refused (or a provider that failed: not the broker's refusal).
    if (signal.aborted || !answer.retryable) throw answer;
  }

  /**
   * Asks the broker whether it takes the current token: an events send stream that carries
   * nothing and is half-closed at once, which the brokers that check tokens check as they check
   * every call but Ping. Its end without error is `accepted` (and counts as such); only the
   * broker's refusal is `refused`; anything else (no time left, a broker without the method, a
   * lost link) says nothing.
   */
  #checkToken(ctx: ErrorContext, timeoutMs: number, signal: AbortSignal): Promise<TokenCheck> {
    if (timeoutMs < 1) return Promise.resolve({ verdict: 'unknown' });
    const generation = this.#auth.generation;
    return new Promise<TokenCheck>((resolve) => {
      const observer: StreamObserver<unknown> = {
        next: noop,
        complete: () => {
          this.#auth.accepted(generation);
          resolve({ verdict: 'accepted' });
        },
        error: (err: KubemqError) => {
          const refused = err.code === 'AUTHENTICATION' && err.grpcStatus !== undefined;
          resolve(refused ? { verdict: 'refused', error: err } : { verdict: 'unknown', error: err });
        },
      };
      this.#bidiStream(TOKEN_CHECK, observer, { operation: ctx.operation, timeoutMs, signal }, true).end();
    });
  }

  /** Reports `transport`'s drops while it is the channel in use. */
  #watch(transport: GrpcTransport): void {
    transport.watchConnectivity((channel) => {
      if (channel !== 'ready' && transport === this.#transport) this.#lost(`channel ${channel}`);
    });
  }

  /**
   * The link check found the connection silently dead: grpc-js would keep it (and every call on
   * it) until an HTTP/2 keepalive ping fails, minutes later. Reconnect on a new channel instead,
   * and end the old one's calls as a drop ends them: streams with a retryable UNAVAILABLE (their
   * owners re-open once ready again; bidi calls half-close first and retire on the old channel, in
   * case it was only slow), unary calls too, but those whose answer the broker settles before
   * sending it (outlivesClose): on a link that was only slow, that answer still arrives.
   */
  #relink(timeoutMs: number): void {
    if (this.state !== 'ready' || this.#phase !== 'open') return;
    const dead = this.#transport;
    const reason = `the connection went silent (two pings in a row had no answer within ${timeoutMs} ms each, and nothing else arrived); reconnecting on a new connection`;
    // The new channel and the reconnecting state first: what the old calls' owners re-open waits
    // for the reconnect and goes on the new channel.
    this.#transport = new GrpcTransport(this.#transportConfig);
    this.#watch(this.#transport);
    this.#lost(reason);
    dead.cancelUnaryCalls(GrpcStatus.UNAVAILABLE, reason);
    for (const end of [...this.#streams]) end(reason);
    void Promise.allSettled(this.#retirementsOn(dead)).then(() => dead.close());
  }

  /** A call failed: if the channel itself is down, start reconnecting. */
  #noteFailure(err: KubemqError): void {
    if (err.code === 'UNAVAILABLE' && err.brokerCode === undefined && this.#transport.connectivity() !== 'ready') {
      this.#lost(err.message);
    }
  }

  /** ready → reconnecting, then the reconnect loop (or give up and close). */
  #lost(reason: string): void {
    if (this.state !== 'ready' || this.#lifetime.signal.aborted) return;
    this.#linkCheck?.stop();
    this.#state.next('reconnecting');
    this.logger.warn('connection lost; reconnecting', { address: this.options.address, reason });
    this.brokerMessageLimit = undefined;
    const ctx = { operation: 'client.reconnect' };
    const { maxAttempts } = this.options.reconnect;
    // Every failure is worth another attempt here (TLS too: a restarting broker can drop a
    // handshake) until the policy's attempts run out.
    this.#establish(ctx, { deadline: Infinity, maxAttempts, signal: this.#lifetime.signal, retryAll: true }).then(
      () => {
        // The calls that waited go first, in order: one made by a `ready` observer must not overtake them.
        this.#pending.release();
        this.#state.next('ready');
        // A reconnect that ends while close() drains does not restart the check.
        if (this.#phase === 'open') this.#linkCheck?.start();
        this.logger.info('reconnected', { address: this.options.address });
        this.telemetry?.reconnected();
        for (const listener of this.#reconnectListeners) listener();
      },
      (err: unknown) => {
        if (this.#lifetime.signal.aborted) return;
        const failure = new ConnectionError({
          code: 'RECONNECT_FAILED',
          message: `gave up reconnecting to ${this.options.address} after ${maxAttempts} attempts: ${mapError(err, ctx).message}`,
          operation: ctx.operation,
          cause: err,
        });
        this.logger.error('gave up reconnecting; the client is closed', { address: this.options.address, attempts: maxAttempts });
        void this.#shutdown(failure, {});
      },
    );
  }

  /**
   * Closes in three steps. First the tracked resources that take work in (listeners, consumers,
   * responders, subscriptions) drain: their handlers finish, and what those send (unary calls and
   * stream sends) still goes out, while new subscriptions, consumers and polls are refused. Then
   * the send streams drain, with the unary calls still running; nothing new starts but what
   * finishes the drain. Last, whatever is left is cut and the channel closes. One bound, the
   * drain cut, ends both waits.
   */
  #shutdown(failure: KubemqError | undefined, bound: { timeoutMs?: number; signal?: AbortSignal }): Promise<void> {
    this.#closing ??= (async () => {
      // Every timer of the drain is unref'd: this one keeps the process alive until close() has
      // settled, or a drain waiting on nothing else would let it exit with close() pending.
      const keepAlive = setInterval(noop, MAX_TIMER_MS);
      try {
        this.#linkCheck?.stop();
        this.#phase = 'handlers';
        this.#failure = failure;
        if (failure) this.#pending.rejectAll(failure);
        const cut = this.#drainCut.signal;
        const drain = (resources: Drainable[]) => resources.map((r) => r.drain(failure, cut));
        const handlers = drain([...this.#tracked].filter((r) => r.drainsAfterHandlers !== true));
        await within(Promise.allSettled(handlers), { signal: cut });
        // The send streams, also those first used meanwhile (what takes work in and was made
        // meanwhile was refused its stream, and is not drained as if it had run).
        this.#phase = 'sends';
        const sends = drain([...this.#tracked].filter((r) => r.drainsAfterHandlers === true));
        await within(Promise.allSettled([...sends, ...this.#inFlight]), { signal: cut });
        this.#phase = 'over';
        for (const endStream of [...this.#streams]) endStream();
        // The retiring streams' proof Pings are unary calls too: cut nothing before they are done.
        // Those on a channel #relink replaced wait longer (the link check's patience) and are not
        // cut by closing this one: wait for them only as long as the drain bound allows.
        await Promise.allSettled(this.#retirementsOn(this.#transport));
        await within(Promise.allSettled(this.#retiring.keys()), { signal: cut });
        // grpc-js's close() leaves calls running: a query nobody answers would keep the process
        // alive until its timeout, and could still succeed after close() resolved.
        this.#unaryCut = true;
        this.#transport.cancelUnaryCalls();
        this.#lifetime.abort();
        this.#pending.rejectAll((ctx) => this.#closedError(ctx));
        this.#auth.close();
        this.#linkCheck?.stop();
        this.#transport.close();
        this.#state.next('closed');
        this.#state.complete();
        this.logger.info('closed', { address: this.options.address });
      } finally {
        clearInterval(keepAlive);
      }
    })();
    const closing = this.#closing;
    const disarm = timeLimit(this.#drainCut, { timeoutMs: bound.timeoutMs ?? this.options.drainTimeoutMs, signal: bound.signal });
    closing.then(disarm, disarm);
    return closing;
  }

  #closedError(ctx: ErrorContext): KubemqError {
    if (this.#failure) return this.#failure;
    return new KubemqError({
      code: 'CLOSED',
      message: `${describe(ctx)}: the client is closed`,
      operation: ctx.operation,
      channel: ctx.channel,
    });
  }

  /**
   * Whether a new call is refused. While the handlers drain, unary calls still go out (what the
   * handlers send; a stream send is the StreamSender's to take, see acceptingSends), and a stream
   * opens only when it finishes the drain; while the send streams drain, only what finishes it
   * starts; after that, nothing. Always once the client gave up reconnecting: there is no
   * connection to wait for.
   */
  #refuses(ctx: CallContext, unary: boolean): boolean {
    if (this.#failure !== undefined) return true;
    switch (this.#phase) {
      case 'open':
        return false;
      case 'handlers':
        return !unary && ctx.finishesDrain !== true;
      case 'sends':
        return ctx.finishesDrain !== true;
      case 'over':
        return true;
    }
  }

  /** A call close() cancelled: it was sent, so the broker may have carried it out all the same. */
  #abandonedError(ctx: ErrorContext): KubemqError {
    return new KubemqError({
      code: 'CLOSED',
      message: `${describe(ctx)}: the client closed before the broker answered; the request was sent, so the broker may have carried it out`,
      operation: ctx.operation,
      channel: ctx.channel,
    });
  }

  #connectError(err: unknown, ctx: ErrorContext, deadline: number): KubemqError {
    const error = mapError(err, ctx);
    if (error.code === 'AUTHENTICATION') return error;
    const where = `${this.options.address}${this.options.tls ? ' (TLS)' : ''}`;
    const details = (error.cause as { details?: string } | undefined)?.details ?? error.message;
    if (error.code === 'TLS') {
      // OpenSSL's words for a peer that answered the handshake with something other than TLS.
      const plain = /wrong version number|packet length too long|record layer failure/.test(details);
      const check = plain ? 'the broker there does not seem to serve TLS: drop tls, or check the port' : 'check tls.ca, tls.serverName and, for mutual TLS, tls.cert and tls.key';
      return new ConnectionError({
        code: 'TLS',
        message: `TLS handshake with ${where} failed (${check}): ${details}`,
        operation: ctx.operation,
        cause: error,
      });
    }
    const timedOut = monotonicNow() >= deadline - PING_ATTEMPT_MS || error.code === 'UNAVAILABLE' || error.code === 'TIMEOUT';
    return new ConnectionError({
      code: 'CONNECTION_FAILED',
      message: `could not connect to ${where}${timedOut ? ` within ${this.options.connectTimeoutMs} ms` : ''}: ${details}`,
      operation: ctx.operation,
      retryable: true,
      cause: error,
    });
  }
}
