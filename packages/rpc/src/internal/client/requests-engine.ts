import { KubemqError, type CallOptions, type IterableObservable, type KubemqClient } from '@kubemq/core';
import type { Observable } from 'rxjs';
import {
  checked,
  clientInternals,
  iterableObservable,
  map,
  MAX_INT32,
  observable,
  readCallOptions,
  recoverable,
  refusedSizeLimit,
  requestDeadlineMs,
  requireKnownKeys,
  requireObject,
  tracedDeliveries,
  tracedSend,
  validatePositiveInt,
  validateSignal,
  withOperation,
  type ClientInternals,
  type Request,
  type Response,
} from '@kubemq/core/internal';
import { buildHandlerReply, buildReply } from '../build/reply.js';
import { buildRequest, requireRequestFits, type BuiltRequest } from '../build/request.js';
import { buildSubscribe, type BuiltSubscribe } from '../build/subscribe.js';
import type { RequestKind } from '../kind.js';
import { SEND_REQUEST, SEND_RESPONSE, SUBSCRIBE_TO_REQUESTS } from '../methods.js';
import type { RequestOptions } from '../types/request-options.js';
import type { Command, CommandHandlerResult, CommandReply, CommandsSubscription } from '../types/command.js';
import type { Query, QueryHandlerResult, QueryReply, QueriesSubscription } from '../types/query.js';
import { isProbeTags } from '../serve/probe-tags.js';
import { requestProcessOperation, requestSendOperation } from '../telemetry.js';
import { requestsInHand } from './requests-in-hand.js';
import { toRequestError } from './timeouts.js';
import { invalid } from '../build/invalid.js';
import { PACKAGE } from '../../version.js';

/** See {@link RequestsEngine.requests}. */
export interface StreamHooks {
  onOpen?: (attempt: number) => void;
  onBreak?: () => void;
  /** A request this client refused as over its `maxMessageBytes`: it is lost, and the stream re-opens. */
  onRefused?: (error: KubemqError) => void;
}

/**
 * Whether `err` is this client refusing an incoming request over its own limit (`limit`, its
 * maxMessageBytes). On a requests stream only the broker sends messages, and the few bytes of a
 * subscription never reach a limit on the way out, so a refusal at this client's limit is one
 * of a request; one at the broker's limit still ends the stream.
 */
function refusedRequest(err: KubemqError, limit: number): boolean {
  return refusedSizeLimit(err) === limit;
}

/**
 * The request/reply machinery shared by commands and queries (one wire path, `kind` says which).
 * The public CommandsClient/QueriesClient wrap one each and only add their message types.
 */
export class RequestsEngine {
  readonly internals: ClientInternals;

  constructor(
    client: KubemqClient,
    readonly kind: RequestKind,
  ) {
    this.internals = clientInternals(client, kind.name, PACKAGE);
  }

  get noun(): 'command' | 'query' {
    return this.kind.name === 'commands' ? 'command' : 'query';
  }

  /** Validates and builds; throws ValidationError naming the field. */
  build(message: Command | Query, allowReservedTags = false): BuiltRequest {
    return buildRequest(this.kind, message, {
      clientId: this.internals.clientId,
      defaultTimeoutMs: this.defaultTimeoutMs(),
      operation: `${this.kind.name}.send`,
      allowReservedTags,
      maxBodyBytes: this.internals.options.maxMessageBytes,
    });
  }

  /** Sends a built request; a timeout of either kind rejects with TimeoutError. */
  async sendBuilt(built: BuiltRequest, signal: AbortSignal | undefined, operation = `${this.kind.name}.send`): Promise<Response> {
    // A call made while the client is not ready waits for the connection first: until it goes
    // out, a failure means the request was never sent, and its error must say so.
    let sent = this.internals.state === 'ready';
    try {
      return await this.internals.unary(SEND_REQUEST, built.wire, {
        operation,
        channel: built.channel,
        timeoutMs: requestDeadlineMs(built.timeoutMs),
        // Unsent, it has no broker answer to wait for: it fails at its own limit.
        maxWaitMs: built.timeoutMs,
        ...(signal === undefined ? {} : { signal }),
        // Sent late (the client was reconnecting): the broker and the responder get only what is
        // left of the sender's wait, or a responder could run a command its sender gave up on.
        onDispatch: (waitedMs) => {
          const left = built.timeoutMs - Math.ceil(waitedMs);
          if (left < 1) throw new KubemqError({ code: 'TIMEOUT', message: 'the client was reconnecting for the whole timeout', operation, channel: built.channel });
          built.wire.Timeout = left;
          sent = true;
        },
      });
    } catch (err) {
      throw toRequestError(err, { operation, channel: built.channel, timeoutMs: built.timeoutMs, noun: this.noun }, sent);
    }
  }

  async send<R>(message: Command | Query, options: RequestOptions | undefined, convert: (wire: Response, id: string) => R): Promise<R> {
    const operation = `${this.kind.name}.send`;
    let built: BuiltRequest;
    let signal: AbortSignal | undefined;
    try {
      built = this.build(message);
      signal = this.requestSignal(options);
    } catch (err) {
      throw withOperation(err, operation, (message as Partial<Command> | null | undefined)?.channel);
    }
    const wire = await tracedSend(
      this.internals.telemetry,
      () => requestSendOperation(this.kind, built),
      () => checked(operation, built.channel, () => requireRequestFits(this.kind, built.wire, this.internals.options.maxMessageBytes)),
      () => this.sendBuilt(built, signal),
    );
    return convert(wire, built.id);
  }

  /**
   * The signal of a send's options. Only a signal: a `timeoutMs` there (the old send options) is
   * refused, so it cannot be mistaken for the message's own, which the broker applies.
   */
  private requestSignal(options: RequestOptions | undefined): AbortSignal | undefined {
    if (options === undefined) return undefined;
    const operation = `${this.kind.name}.send`;
    requireObject(options, 'options', operation);
    if ('timeoutMs' in options) {
      throw invalid('timeoutMs', `send() takes only { signal }: set timeoutMs on the ${this.noun} (how long the broker waits for a responder)`, operation);
    }
    checked(operation, undefined, () => requireKnownKeys(options, ['signal'], '', { timeout: `timeoutMs on the ${this.noun}` }));
    return validateSignal(options.signal, 'signal');
  }

  async reply(reply: CommandReply | QueryReply, options?: CallOptions): Promise<void> {
    const operation = `${this.kind.name}.reply`;
    let wire: Response;
    let signal: AbortSignal | undefined;
    let timeoutMs: number | undefined;
    try {
      const call = readCallOptions(options, operation);
      wire = buildReply(this.kind, reply, {
        clientId: this.internals.clientId,
        operation,
        maxBodyBytes: this.internals.options.maxMessageBytes,
      });
      signal = call.signal;
      timeoutMs = call.timeoutMs === undefined ? undefined : validatePositiveInt(call.timeoutMs, 'timeoutMs', { min: 1, max: MAX_INT32, integer: true });
    } catch (err) {
      // A reply goes to an inbox, not a channel: the operation is all there is to name.
      throw withOperation(err, operation, undefined);
    }
    await this.respond(wire, operation, timeoutMs, signal);
    // Only once it went out: a failed reply may be tried again, and another request in hand may
    // share its id.
    requestsInHand(this.internals).replied(wire.RequestID);
  }

  /**
   * Answers a request this client received with what its handler returned (the handler helpers'
   * path): only the handler's fields are validated, see buildHandlerReply.
   */
  replyTo(request: Request, result: CommandHandlerResult | QueryHandlerResult, timeoutMs?: number): Promise<unknown> {
    const operation = `${this.kind.name}.reply`;
    let wire: Response;
    try {
      wire = buildHandlerReply(this.kind, result, request, {
        clientId: this.internals.clientId,
        operation,
        maxBodyBytes: this.internals.options.maxMessageBytes,
      });
    } catch (err) {
      return Promise.reject(withOperation(err, operation, request.Channel));
    }
    // The unary call's own promise, without an async frame around it (one fewer per request).
    return this.respond(wire, operation, timeoutMs, undefined);
  }

  /**
   * Sends a reply. It goes out while close() drains too: the drain waits for the requests in hand
   * (a responder's running handlers, a raw subscription's delivered requests), and a refused reply
   * would leave its sender to time out on a request that ran, and perhaps send it again.
   */
  private respond(wire: Response, operation: string, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    return this.internals.unary(SEND_RESPONSE, wire, {
      operation,
      finishesDrain: true,
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(signal !== undefined && { signal }),
    });
  }

  /** Validates a subscription (throws ValidationError at once, naming `operation`) and builds it. */
  prepareSubscribe(options: CommandsSubscription | QueriesSubscription, operation = `${this.kind.name}.subscribe`): BuiltSubscribe {
    return buildSubscribe(this.kind, options, this.internals.clientId, operation);
  }

  /**
   * The wire requests of a subscription, re-opened after every reconnect (core's recoverable()).
   * Cold: subscribing opens the stream, unsubscribing cancels it. Hooks: `onOpen` runs on each
   * (re)open (a first request proves the stream works); `onBreak` when the broker ended a stream
   * (it is re-opened, or the subscription fails); `onRefused` when a request over the client's
   * `maxMessageBytes` ended it. grpc-js fails the whole stream for that one request, which no
   * retry can bring back; the stream is re-opened, or one oversized request from any peer would
   * stop the subscription for good.
   */
  requests(built: BuiltSubscribe, hooks: StreamHooks = {}): Observable<Request> {
    const operation = `${this.kind.name}.subscribe`;
    const internals = this.internals;
    const limit = internals.options.maxMessageBytes;
    const open = (attempt: number, established: () => void) =>
      observable<Request>((subscriber) => {
        let call: { cancel(): void } | undefined;
        let cancelled = false;
        // A stream opened while (re)connecting would only fail; wait for the connection first.
        const abort = new AbortController();
        internals.whenReady(abort.signal).then(
          () => {
            if (cancelled) return;
            hooks.onOpen?.(attempt);
            call = internals.serverStream(
              SUBSCRIBE_TO_REQUESTS,
              built.wire,
              {
                next: (request) => subscriber.next(request),
                error: (err) => {
                  hooks.onBreak?.();
                  if (KubemqError.isKubemqError(err) && refusedRequest(err, limit)) {
                    // The broker routed a request here, so the stream worked: its re-open does not
                    // count toward the reconnect policy's maxAttempts, however many such requests come.
                    established();
                    hooks.onRefused?.(
                      new KubemqError({
                        code: 'RESOURCE_EXHAUSTED',
                        operation,
                        channel: built.channel,
                        message: `${operation} on channel "${built.channel}": a request over the client's maxMessageBytes (${limit} bytes) was refused and is lost (its sender gets no answer); the subscription is re-opened`,
                        cause: err,
                      }),
                    );
                  }
                  subscriber.error(err);
                },
                complete: () => {
                  hooks.onBreak?.();
                  subscriber.complete();
                },
              },
              // No timeoutMs: core gives streams no deadline unless asked (a subscription lives until cancelled).
              { operation, channel: built.channel },
            );
          },
          (err: unknown) => {
            if (!cancelled) subscriber.error(err);
          },
        );
        return () => {
          cancelled = true;
          abort.abort();
          call?.cancel();
        };
      });
    return recoverable(internals, open, {
      operation,
      channel: built.channel,
      completeIsBreak: true,
      isRetryable: (err) => err.retryable || refusedRequest(err, limit),
    });
  }

  defaultTimeoutMs(): number {
    return this.internals.options.defaultTimeoutMs;
  }
}

/**
 * A raw subscription (`subscribe()` of commands and queries): validated at once, cold, re-opened
 * after a reconnect, each request delivered to a subscriber's callback inside a process span (a
 * child of its sender's; not a responder's readiness probe), and readable with `for await` within
 * the subscription's `bufferSize` (untraced: a loop handles a request after it was buffered).
 */
export function subscribeRequests<R>(
  engine: RequestsEngine,
  subscription: CommandsSubscription | QueriesSubscription,
  toReceived: (wire: Request) => R,
): IterableObservable<R> {
  const built = engine.prepareSubscribe(subscription);
  const { internals } = engine;
  // Responders' readiness probes are delivered (a raw subscriber sees them) but not traced.
  const inProcessSpans = tracedDeliveries(internals.telemetry, (wire: Request) => (isProbeTags(wire.Tags) ? undefined : requestProcessOperation(engine.kind, wire, built.group)));
  // close() ends the subscription (no new requests: a group's other members take them) and then
  // waits for the requests it delivered to be replied to, or for their senders to give up.
  const drained = observable<Request>((subscriber) => {
    const inHand = requestsInHand(internals);
    // A raw subscription has no onError: a lost oversized request is a warning, as a responder's
    // onError gives by default.
    const onRefused = (error: KubemqError) => internals.logger.warn(error.message, { channel: built.channel, code: error.code });
    const requests = engine.requests(built, { onRefused }).subscribe({
      next: (request) => {
        // A responder's readiness probe is nobody's work to wait for (and a server that clears
        // Timeout would have it held for defaultTimeoutMs).
        if (!isProbeTags(request.Tags)) inHand.delivered(request);
        subscriber.next(request);
      },
      error: (err: unknown) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    const untrack = internals.track({
      drain: (failure) => {
        requests.unsubscribe();
        // A client that gave up reconnecting: no reply can go out, so nothing is waited for.
        if (failure) {
          subscriber.error(failure);
          return Promise.resolve();
        }
        subscriber.complete();
        return inHand.settled();
      },
    });
    return () => {
      untrack();
      requests.unsubscribe();
    };
  });
  return iterableObservable(drained.pipe(inProcessSpans, map(toReceived)), {
    iterated: drained.pipe(map(toReceived)),
    signal: built.signal,
    ...(built.bufferSize !== undefined && { bufferSize: built.bufferSize }),
  });
}

