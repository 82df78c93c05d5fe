import { secondsToDate } from '../internal/conversions/time.js';
import { Connection } from '../internal/connection/connection.js';
import { attachInternals, hasInternals } from '../internal/connection/internals-key.js';
import { PING } from '../internal/methods.js';
import { iterableObservable, type IterableObservable } from '../internal/streams/iterable-observable.js';
import { readCallOptions } from '../internal/validation/call-options.js';
import { validatePositiveInt, validateSignal } from '../internal/validation/numbers.js';
import { optionsObject } from '../internal/validation/options-object.js';
import type { CallOptions } from './call-options.js';
import type { ConnectionState } from './connection-state.js';
import type { ClientOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import type { ServerInfo } from './server-info.js';

/**
 * A connection to a KubeMQ broker: one gRPC channel that every pattern (`events(client)`,
 * `queues(client)`, …) shares. It reconnects on its own; `state$` tells how it is doing.
 * Close it with `close()`, or let `await using` do it.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'orders' });
 * const info = await client.ping();
 * console.log(`KubeMQ ${info.version} on ${info.host}`);
 * client.state$.subscribe((state) => console.log('connection', state));
 * ```
 */
export class KubemqClient implements AsyncDisposable {
  readonly #connection: Connection;
  readonly #state$: IterableObservable<ConnectionState>;

  private constructor(connection: Connection) {
    this.#connection = connection;
    this.#state$ = iterableObservable(connection.state$);
    attachInternals(this, connection);
  }

  /**
   * Connects to the broker and resolves once it answers a Ping and, with a token, once an empty
   * events send stream was not refused (brokers check no token on a Ping). What the options leave
   * out takes its default: no environment variable is read here (`clientOptionsFromEnv()` reads
   * them).
   *
   * @throws ValidationError for a bad option (naming it); ConnectionError `CONNECTION_FAILED`
   *   when the broker does not answer within `connectTimeoutMs`, `TLS` when the handshake fails;
   *   AuthenticationError when the broker refuses the token; KubemqError `CANCELLED` on abort.
   *
   * @example
   * ```ts
   * const client = await KubemqClient.connect({
   *   address: 'broker.internal:50000',
   *   tls: { ca: readFileSync('/etc/kubemq/ca.pem'), cert: readFileSync('/etc/kubemq/client.pem'), key: readFileSync('/etc/kubemq/client.key') },
   *   credentials: refreshingCredentials({ getToken: async () => ({ token: await fetchToken(), expiresAt: inOneHour() }) }),
   * });
   * ```
   */
  static async connect(options?: ClientOptions): Promise<KubemqClient> {
    const o = optionsObject(options, 'client.connect');
    const signal = validateSignal(o.signal, 'signal');
    const connection = new Connection(resolveOptions(o));
    await connection.connect(signal);
    return new KubemqClient(connection);
  }

  /** True for a KubemqClient, also one from another copy of this package. */
  static isKubemqClient(value: unknown): value is KubemqClient {
    return hasInternals(value);
  }

  /** This client's id, sent with its messages. */
  get clientId(): string {
    return this.#connection.clientId;
  }

  /** The broker address (`host:port`). */
  get address(): string {
    return this.#connection.options.address;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#connection.state;
  }

  /**
   * The connection state over time: replays the current state, then every change
   * (`ready` → `reconnecting` → `ready` … → `closed`), and completes when the client closes.
   * An Observable that `for await` also reads.
   *
   * @example
   * ```ts
   * for await (const state of client.state$) {
   *   if (state === 'reconnecting') console.warn('lost the broker; calls wait for it');
   * }
   * ```
   */
  get state$(): IterableObservable<ConnectionState> {
    return this.#state$;
  }

  /**
   * Asks the broker about itself. It proves that the broker answers, not that it takes the
   * token: brokers that check tokens answer a ping whatever the token (`connect()` proves it).
   *
   * @example
   * ```ts
   * const { version, uptimeSeconds } = await client.ping({ timeoutMs: 2000 });
   * ```
   */
  async ping(options?: CallOptions): Promise<ServerInfo> {
    const o = readCallOptions(options, 'client.ping');
    const result = await this.#connection.unary(PING, {}, { operation: 'client.ping', timeoutMs: o.timeoutMs, signal: o.signal });
    return {
      host: result.Host,
      version: result.Version,
      startedAt: secondsToDate(result.ServerStartTime),
      uptimeSeconds: Number(result.ServerUpTimeSeconds),
    };
  }

  /**
   * Closes the client, draining it as NATS does. First its listeners, consumers, responders and
   * subscriptions drain: they take nothing new and their handlers finish, and what those handlers
   * send meanwhile (unary calls and stream sends of every pattern: events, events-store and queue
   * sends, commands, queries, replies) still goes out; a new subscription, listener, consumer, poll
   * or responder is refused with `CLOSED`. Then the send streams write what is queued and get its
   * answers, and the calls in flight finish; every new call is refused with `CLOSED` from then on.
   * Last it cancels the calls the broker has not answered (they reject with `CLOSED`; a queue
   * `receive()` is left to finish, since the broker acked its messages before answering), ends
   * every stream still open (subscriptions complete) and closes the channel. Safe to call more
   * than once; the process stays alive until the returned promise has settled.
   *
   * Do not await it inside a handler of this client's listeners, consumers or responders: it waits
   * for that handler, so it waits out its whole drain time, and the handler's own work is cut then
   * (a consumer's messages are not acked and come back, a responder's reply is refused). Start it
   * there without awaiting it (`void client.close()`), or have the code that owns the client close it.
   *
   * `timeoutMs` bounds the drain (default: the client's `drainTimeoutMs`); when it passes, or
   * `signal` aborts, the drain ends early and the client closes all the same: the returned
   * promise always resolves once the client is closed. `timeoutMs` may be 0 (no drain). A send
   * stream still open is half-closed and cancelled only once two Pings behind the half-close were
   * answered, which adds two round trips (at most 1 s): a broker can crash on a queue upstream
   * cancelled while it still reads.
   *
   * @throws ValidationError for a bad option (nothing is closed then).
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void client.close({ timeoutMs: 2000 }));
   * ```
   */
  async close(options?: CallOptions): Promise<void> {
    const o = readCallOptions(options, 'client.close');
    const timeoutMs = o.timeoutMs === undefined ? undefined : validatePositiveInt(o.timeoutMs, 'timeoutMs', { min: 0 });
    return this.#connection.close({ timeoutMs, signal: o.signal });
  }

  /** `await using client = await KubemqClient.connect()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
