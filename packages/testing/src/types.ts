/** Where a broker came from (see startKubemq's resolution order). */
export type BrokerKind = 'external' | 'binary' | 'container' | 'emulator';

/** What a broker can do; tests gate on these instead of on the broker's kind. */
export interface BrokerCapabilities {
  /** restart() works (false for external brokers). */
  readonly restart: boolean;
  /** kill() works (false for external brokers). */
  readonly kill: boolean;
  /** restart({ cleanStore: true }) works: a binary or the emulator started here (not a container). */
  readonly cleanRestart: boolean;
  /** Token auth is enforced (the emulator with `auth`; never the open-source server: broker-behaviour.md §0.2). */
  readonly auth: boolean;
  /** A query cache answers repeated CacheKey queries (emulator only: broker-behaviour.md §0.5). */
  readonly queryCache: boolean;
  /** A responder on kubemq.cluster.internal.requests (emulator only: broker-behaviour.md §0.4). */
  readonly channelManagement: boolean;
  /** The broker was started with TLS. */
  readonly tls: boolean;
  /** Client certificates are verified (emulator only: broker-behaviour.md §0.3). */
  readonly clientCertificates: boolean;
}

/** The names of the capabilities, for itWhen() and KUBEMQ_CAPABILITIES. */
export type BrokerCapability = keyof BrokerCapabilities;

/** Every {@link BrokerCapability}, in a fixed order: the names KUBEMQ_CAPABILITIES accepts. */
export const CAPABILITY_NAMES: readonly BrokerCapability[] = [
  'restart',
  'kill',
  'cleanRestart',
  'auth',
  'queryCache',
  'channelManagement',
  'tls',
  'clientCertificates',
];

/** How {@link KubemqBroker.restart} starts the broker again. */
export interface RestartOptions {
  /** Start with an empty store (default false: the store is kept). */
  cleanStore?: boolean | undefined;
}

/** Server TLS for a broker started by `startKubemq()` or `KubemqContainer.withTls()` (PEM text, not paths). */
export interface BrokerTlsOptions {
  /** Server certificate, PEM. */
  certPem: string;
  /** Server private key, PEM. */
  keyPem: string;
  /**
   * CA, PEM: with requireClientCert, the CA that client certificates must chain to (the server
   * also loads it, as `SECURITY_CA_DATA` or `--tls-ca`). Not needed otherwise, whoever signed
   * `certPem`: the start does not verify the broker's certificate (it checks that the broker
   * answers), so clients connect with the CA that signed it.
   */
  caPem?: string | undefined;
  /** Verify client certificates (emulator only; the open-source server never does: broker-behaviour.md §0.3). */
  requireClientCert?: boolean | undefined;
}

/**
 * Options of {@link startKubemq}. `auth`, `queryCache`, `channelManagement` and `tls` are optional
 * features: a broker that cannot provide one reports it false in `capabilities` (tests then skip
 * with a printed reason); it never fails startKubemq.
 */
export interface StartKubemqOptions {
  /**
   * Enforce token auth (emulator only; the open-source server never does: broker-behaviour.md §0.2).
   * Default: no auth.
   */
  auth?: {
    /** The token clients must send as `authorization` metadata; non-empty. */
    token: string;
  } | undefined;
  /** Answer repeated queries with a CacheKey from a cache (emulator only: broker-behaviour.md §0.5). Default false. */
  queryCache?: boolean | undefined;
  /** Answer channel-management queries on kubemq.cluster.internal.requests (emulator only: broker-behaviour.md §0.4). Default false. */
  channelManagement?: boolean | undefined;
  /** Start the broker with TLS (binary, container and emulator; an external broker only as declared). Default: plaintext. */
  tls?: BrokerTlsOptions | undefined;
  /** Enforce grpc-go's keepalive policy (pings at most every 5 min). Default true, like the real server. */
  keepaliveEnforcement?: boolean | undefined;
  /** Extra server environment (QUEUE_* limits, GRPC_BODY_LIMIT, …), for a binary and the emulator alike. */
  env?: Record<string, string> | undefined;
  /** Milliseconds to wait for the broker to answer Ping. Default 60000 (an external broker gets one Ping of at most 5000). */
  startTimeoutMs?: number | undefined;
}

/** What test files learn about the shared broker (serialisable). */
export interface BrokerInfo {
  /** `host:port` of the broker's gRPC port. */
  readonly address: string;
  /** Where the broker came from. */
  readonly kind: BrokerKind;
  /** What the broker can do; gate tests on these. */
  readonly capabilities: BrokerCapabilities;
  /** True when the broker was started with TLS: connect with the CA of the options. */
  readonly tls?: boolean;
}

/**
 * A running broker from {@link startKubemq}. Dispose it (`await using`) to stop it and remove its
 * work directory; an external broker is left running.
 */
export interface KubemqBroker extends AsyncDisposable {
  /** host:port; always 127.0.0.1 for brokers started here. */
  readonly address: string;
  /** Where the broker came from (external, binary, container or emulator). */
  readonly kind: BrokerKind;
  /** What this broker can do; gate tests on these instead of on `kind`. */
  readonly capabilities: BrokerCapabilities;
  /**
   * The temp dir this broker owns (a binary's cwd with ./store and ./config.yaml; the emulator's
   * data root), removed on dispose. Undefined for external and container brokers.
   */
  readonly workDir?: string;
  /** Graceful stop (SIGTERM). The broker is down until restart(); after dispose it is gone for good. */
  stop(): Promise<void>;
  /** SIGKILL. The broker is down until restart(). */
  kill(): Promise<void>;
  /**
   * Graceful stop if running, then start again on the same port with the store kept (or, with
   * `cleanStore`, emptied as the server's `STORE_CLEAN_STORE` does: a broker that lost its volume;
   * see `capabilities.cleanRestart`); resolves when Ping answers.
   */
  restart(options?: RestartOptions): Promise<void>;
}
