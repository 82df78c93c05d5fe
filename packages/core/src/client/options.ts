import type { ReconnectPolicy } from '../internal/recovery/backoff.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Credentials } from './credentials.js';
import type { Logger, LogLevel } from './logger.js';

/**
 * TLS settings: PEM text or bytes (read a file with `readFileSync(path)`; `clientOptionsFromEnv()`
 * reads the `KUBEMQ_TLS_*_FILE` paths). Client certificate and key together enable mutual TLS.
 * `true` instead of an object means TLS with the system CAs.
 */
export interface TlsOptions {
  /** CA certificate(s), PEM. Default: the system roots. */
  ca?: string | Uint8Array | undefined;
  /** Client certificate chain, PEM (mTLS). */
  cert?: string | Uint8Array | undefined;
  /** Client private key, PEM (mTLS). */
  key?: string | Uint8Array | undefined;
  /** Expected name in the server certificate, when it differs from the host. */
  serverName?: string | undefined;
}

/**
 * Keepalive pings on open calls. The default, 330000 ms (5.5 minutes), stays above the 5-minute
 * minimum the open-source broker enforces: it answers more frequent pings with GOAWAY
 * `too_many_pings`, which kills idle subscriptions (a 10 s keepalive loses one within a minute).
 * It also stays below the 350 s after which an AWS Network Load Balancer drops an idle connection.
 * Pings are never sent without open calls, which that broker also punishes. A link that dies
 * without closing (the broker's host gone, a firewall dropping the connection) is noticed by the
 * {@link LinkCheckOptions | link check} long before these pings would notice it.
 */
export interface KeepaliveOptions {
  /** Interval between pings on a connection with open calls, in ms. Default 330000; at least 300000 is advised. */
  intervalMs?: number | undefined;
  /** How long to wait for a ping's answer before declaring the connection dead, in ms. Default 20000. */
  timeoutMs?: number | undefined;
}

/**
 * The link check: while the client is `ready`, it calls the broker's `Ping` every `intervalMs`,
 * and at once after any call times out. When a ping gets no answer within `timeoutMs`, nor a
 * second one sent at once, and nothing else arrived from the broker meanwhile, the connection is
 * taken for silently dead (the broker's host gone, a firewall or NAT dropping the connection
 * without a reset): the client reconnects on a new connection, as after a drop. Subscriptions,
 * consumers and send streams fail with a retryable `UNAVAILABLE` and re-open; unary calls waiting
 * on the old connection fail with it too (they may have reached the broker), but a queue
 * `receive()`, whose messages the broker settles before it answers, is left to its own deadline.
 * A `Ping` is an ordinary call, not an HTTP/2 ping, so the broker's 5-minute limit on those does
 * not apply. With the defaults a dead link is noticed within about 30 s (HTTP/2 keepalive alone
 * takes about six minutes). The broker is not told: it keeps the old connection's subscriptions
 * and polls until its own TCP stack drops the connection (see docs/troubleshooting.md).
 */
export interface LinkCheckOptions {
  /** Time between pings while the client is ready, in ms. Default 10000. */
  intervalMs?: number | undefined;
  /** How long each of the two pings may go unanswered, with nothing received meanwhile, before the link counts as dead, in ms. Default 10000. */
  timeoutMs?: number | undefined;
}

/**
 * Options of {@link KubemqClient.connect}: each value from here, else its default. The client reads
 * no environment variable by itself: `clientOptionsFromEnv()` turns `KUBEMQ_*` into options to
 * spread under your own.
 */
export interface ClientOptions {
  /** `host:port` of the broker's gRPC port. Default `localhost:50000`. */
  address?: string | undefined;
  /** This client's id, sent with every message. Default: a random UUID. */
  clientId?: string | undefined;
  /** A static auth token, sent as `authorization` metadata; `connect()` fails when the broker refuses it. */
  authToken?: string | undefined;
  /**
   * Expiring tokens, refreshed by the client: `refreshingCredentials(provider)`. When given,
   * `authToken` is ignored.
   */
  credentials?: Credentials | undefined;
  /** TLS or mTLS: `true` (the system CAs) or {@link TlsOptions}. Default off. */
  tls?: TlsOptions | boolean | undefined;
  /** How long connect() may take, in ms. Default 10000. */
  connectTimeoutMs?: number | undefined;
  /**
   * How long a call may take when its `timeoutMs` (`CallOptions`) is not given, in ms, a wait
   * for the connection included. Default 30000.
   */
  defaultTimeoutMs?: number | undefined;
  /** Keepalive pings, or `false` for none. See {@link KeepaliveOptions} for why the default is 330 s. */
  keepalive?: KeepaliveOptions | false | undefined;
  /** Notices a connection that died without closing, by pinging the broker; `false` for none. See {@link LinkCheckOptions}. */
  linkCheck?: LinkCheckOptions | false | undefined;
  /** Reconnect backoff (exponential, full jitter). Default: 500 ms initial, 4 s max, ×2, unlimited attempts. */
  reconnect?: { [K in keyof ReconnectPolicy]?: ReconnectPolicy[K] | undefined } | undefined;
  /**
   * How many unary calls may wait for the connection while the client reconnects (a count of
   * calls, not bytes). One more fails at once with code `BUFFER_FULL`; `0` makes every unary call
   * fail fast while the client is not ready. Default 1000. Send streams are not bounded by it:
   * events and events-store `send()` (a shared stream by default) hold up to 10,000 unwritten
   * events, and a stream handle or `queueUpstream()` up to its own `maxQueued`.
   */
  maxPendingCalls?: number | undefined;
  /**
   * How long `close()` waits for in-flight work and subscriptions to drain, in ms, when it is not
   * given a `timeoutMs` of its own. Default 5000.
   */
  drainTimeoutMs?: number | undefined;
  /** Largest message sent or received, in bytes. Default 104857600 (100 MiB, the broker's limit). */
  maxMessageBytes?: number | undefined;
  /** Where to log. Default: nowhere. */
  logger?: Logger | undefined;
  /** Lowest level logged. Default `info` when a logger is given. */
  logLevel?: LogLevel | undefined;
  /**
   * Spans and metrics for every messaging operation, e.g. `openTelemetry()` from
   * `@kubemq/core/opentelemetry`. Default: none (nothing is recorded, nothing extra is loaded).
   */
  telemetry?: Telemetry | undefined;
  /** Aborts connect(). */
  signal?: AbortSignal | undefined;
}
