import type { Observable } from 'rxjs';
import type { ConnectionState } from '../../client/connection-state.js';
import type { Logger } from '../../client/logger.js';
import type { ResolvedClientOptions } from '../../client/resolve-options.js';
import type { Instrumentation } from '../../telemetry/telemetry.js';
import type { KubemqError } from '../errors/kubemq-error.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';

/** Describes one call: for errors, logs, its deadline and its cancellation. */
export interface CallContext {
  /** The SDK operation, e.g. `events.send`; used in errors and logs. */
  operation: string;
  /** The channel, for errors. */
  channel?: string;
  /**
   * Deadline in ms. Unary calls default to the client's `defaultTimeoutMs` (the wait in the send
   * buffer counts); streams have none unless given.
   */
  timeoutMs?: number;
  /** Abort → KubemqError `CANCELLED`; nothing further is sent. */
  signal?: AbortSignal;
  /**
   * The call finishes work that a tracked resource's drain waits for (a responder's reply to a
   * request its handler ran, a send stream's call for the sends made before its drain): it may
   * still start for as long as close() drains. Other unary calls start only until the handlers'
   * drains are over, other streams not at all once close() began.
   */
  finishesDrain?: boolean;
  /**
   * Unary calls only: runs when a call that waited for the connection (reconnecting) goes out,
   * with the ms it waited, so the request can spend less of its own time limit (a command's
   * `Timeout`, which the broker applies) or give up unsent by throwing a KubemqError.
   */
  onDispatch?: (waitedMs: number) => void;
  /**
   * Unary calls only: the longest the call may wait for the connection (reconnecting) before it
   * fails unsent with a TimeoutError; default its whole `timeoutMs`. For a call whose deadline runs
   * past the caller's own limit (a command's margin for the broker's answer to come first).
   */
  maxWaitMs?: number;
  /**
   * Unary calls only: the broker settles what it answers with before it answers (a simple queue
   * receive acks its messages on arrival), so cancelling the call would lose them. close() cancels
   * the calls still running once its drain is over, except these: they finish, and their caller
   * gets the messages.
   */
  outlivesClose?: boolean;
}

/** Receives a stream's messages, then exactly one of `error` (a mapped KubemqError) or `complete`. */
export interface StreamObserver<T> {
  next(value: T): void;
  error(err: KubemqError): void;
  complete(): void;
}

export interface StreamCall {
  /** Ends the call; the observer hears nothing more. */
  cancel(): void;
}

export interface BidiCall<Req> extends StreamCall {
  /** Sends one message; false when the HTTP/2 buffer is full: await drained() before more. */
  write(message: Req): boolean;
  drained(): Promise<void>;
  /** Half-closes the sending side. */
  end(): void;
  /** False after end, cancel or the call's end. */
  readonly writable: boolean;
}

/** Something close() drains (a send stream, a subscription, a consumer). */
export interface Drainable {
  /**
   * Finishes what is in hand, stopping the resource. `failure` is set when the client shuts down
   * because it gave up reconnecting: a long-running handler then ends with it, not as if stopped.
   * `cut` aborts when close() stops waiting (its reason is the CutReason: `'timeout'` or
   * `'cancelled'`).
   */
  drain(failure?: KubemqError, cut?: AbortSignal): Promise<void>;
  /**
   * close() drains it only once the other resources' drains are over (a send stream, a queue's
   * line of simple calls), so what their handlers send meanwhile still goes through it.
   */
  readonly drainsAfterHandlers?: boolean;
}

/** What the pattern packages get from a client (see INTERNAL-API.md). */
export interface ClientInternals {
  readonly clientId: string;
  readonly logger: Logger;
  readonly options: ResolvedClientOptions;
  readonly state$: Observable<ConnectionState>;
  readonly state: ConnectionState;
  /**
   * False from the moment close() begins (or the client gives up reconnecting): new
   * subscriptions, listeners, consumers, polls and responders are refused.
   */
  readonly accepting: boolean;
  /**
   * Whether unary calls and stream sends are taken: also while close() waits for the handlers of
   * the resources it drains, whose sends still go out; false from the end of that wait on.
   */
  readonly acceptingSends: boolean;
  /** The client's telemetry, when it was given one: patterns describe their operations to it. */
  readonly telemetry: Instrumentation | undefined;
  /**
   * The broker's own message size limit, once a send stream learned it from the broker's refusal
   * of a larger message (StreamSender): every send stream of the client then refuses what is over
   * it. Undefined until then, and again from a lost connection on (the reconnect may reach another
   * broker, or this one restarted with another limit).
   */
  brokerMessageLimit: number | undefined;
  /** Resolves once the connection is ready; its errors name `ctx` (default: `client.whenReady`). */
  whenReady(signal?: AbortSignal, ctx?: { operation: string; channel?: string }): Promise<void>;
  unary<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, ctx: CallContext): Promise<Res>;
  serverStream<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, observer: StreamObserver<Res>, ctx: CallContext): StreamCall;
  bidiStream<Req, Res>(method: MethodDescriptor<Req, Res>, observer: StreamObserver<Res>, ctx: CallContext): BidiCall<Req>;
  onReconnect(listener: () => void): () => void;
  track(resource: Drainable): () => void;
}
