// Emulator options, the defaults of docs/broker-behaviour.md §4, and the server's environment variables (§1.2).
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { createSecureContext } from 'node:tls';
import { LOG_LEVELS, type EmulatorLogLevel } from './log.js';
import { ERR_201_TLS_KEYS } from './service/errors.js';

/**
 * The broker's queue limits, its `QUEUE_*` settings (broker-behaviour.md §4, config/queue.go); not the
 * client-side `QueueLimits` of `@kubemq/queues`. The `*Seconds` fields are whole seconds like the
 * wire, the `*Ms` fields emulator internals in milliseconds, the others counts. Defaults:
 * {@link DEFAULT_BROKER_QUEUE_LIMITS}; the first eight can also come from the server's `QUEUE_*`
 * environment variables (§1.2, see {@link optionsFromEnv}).
 */
export interface BrokerQueueLimits {
  /** Most messages one receive may ask for; `MaxNumberOfMessages` outside 1..this is rejected (Error 122). Default 1024 (`QUEUE_MAX_NUMBER_OF_MESSAGES`). */
  maxNumberOfMessages: number;
  /** Largest receive `WaitTimeSeconds` accepted, in seconds (else Error 136). Default 3600 (`QUEUE_MAX_WAIT_TIMEOUT_SECONDS`). */
  maxWaitTimeoutSeconds: number;
  /** Largest `Policy.ExpirationSeconds` accepted on send, in seconds (else Error 133). Default 43200 (`QUEUE_MAX_EXPIRATION_SECONDS`). */
  maxExpirationSeconds: number;
  /** Largest `Policy.DelaySeconds` accepted on send, in seconds (else Error 135). Default 43200 (`QUEUE_MAX_DELAY_SECONDS`). */
  maxDelaySeconds: number;
  /** Largest `Policy.MaxReceiveCount` accepted (else Error 134), and the value used when a message sets 0. Default 1024 (`QUEUE_MAX_RECEIVE_COUNT`). */
  maxReceiveCount: number;
  /** Largest `VisibilitySeconds` accepted by the v1 stream (`StreamQueueMessage`), in seconds (else Error 127). Default 43200 (`QUEUE_MAX_VISIBILITY_SECONDS`). */
  maxVisibilitySeconds: number;
  /** Visibility used by the v1 stream when a request sets `VisibilitySeconds` 0, in seconds. Default 60 (`QUEUE_DEFAULT_VISIBILITY_SECONDS`). */
  defaultVisibilitySeconds: number;
  /** Wait used when a receive sets `WaitTimeSeconds` 0, in seconds. Default 1 (`QUEUE_DEFAULT_WAIT_TIMEOUT_SECONDS`). */
  defaultWaitTimeoutSeconds: number;
  /** QueuesDownstream Get: MaxItems <= 0 becomes this. */
  downstreamDefaultMaxItems: number;
  /** QueuesDownstream Get: WaitTimeout below this (ms) becomes this. */
  downstreamMinWaitTimeoutMs: number;
  /** How often delayed messages are scanned (ms). */
  delayScanIntervalMs: number;
  /**
   * Most delayed messages the delay scan holds at once (the in-flight limit of the server's
   * `_QUEUE_DELAY_` subscription). Later ones wait, in send order, until one of these is re-sent,
   * even when their own delay is shorter. Default 1024.
   */
  delayInFlightLimit: number;
  /**
   * The ack wait of that subscription, in ms: the server's scan keeps one delayed message per
   * MessageID, and one displaced by another with its id is read again this long after the scan
   * last read it, unless retention deleted it first (as it does with the defaults). Default
   * 86400000 (24 h).
   */
  delayAckWaitMs: number;
}

/** Resolved TLS settings of the gRPC listener (broker-behaviour.md §1.3: TLS 1.2 minimum, one key pair). */
export interface BrokerTlsConfig {
  /** The server certificate chain, PEM text (`SECURITY_CERT_DATA` / `SECURITY_CERT_FILENAME`). */
  certPem: string;
  /** The server's private key, PEM text (`SECURITY_KEY_DATA` / `SECURITY_KEY_FILENAME`). */
  keyPem: string;
  /** Loaded like the server's "mTLS" (§1.3): client certificates are NOT verified unless requireClientCert. */
  caPem?: string;
  /** Emulator-only: verify client certificates against caPem. */
  requireClientCert: boolean;
}

/**
 * The HTTP/2 ping policy the emulator enforces on clients, mirroring grpc-go's default
 * server enforcement that the real server runs with (broker-behaviour.md §0 item 8, §4): a client that
 * pings more often than every 5 minutes is sent GOAWAY `too_many_pings` after its third strike.
 * Defaults: enforce, 300000 ms, no pings without calls, 2 strikes.
 */
export interface BrokerKeepaliveConfig {
  /** Enforce grpc-go's default server policy (§4). */
  enforce: boolean;
  /** Pings closer together than this earn a strike (grpc-go MinTime: 5 min). */
  minPingIntervalMs: number;
  /** Pings while no call is active earn a strike (grpc-go PermitWithoutStream: false). */
  permitWithoutCalls: boolean;
  /** More strikes than this → GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (grpc-go: 2). */
  maxPingStrikes: number;
}

/**
 * The emulator's effective configuration: {@link EmulatorOptions} with every default applied
 * and checked by {@link resolveConfig}. Exposed as {@link KubemqEmulator.config}.
 */
export interface EmulatorConfig {
  /** Address the gRPC listener binds to. Default `127.0.0.1` (the real server binds all interfaces, §1.2). */
  host: string;
  /** Requested gRPC port; 0 picks a free one (the bound port is {@link KubemqEmulator.port}). Default 50000 (`GRPC_PORT`). */
  port: number;
  /** `Ping.Host` (HOST env; else the hostname with `.` → `_`). */
  nodeName: string;
  /** `Ping.Version`. */
  version: string;
  /** Where data is kept; undefined = memory only. */
  dataDir: string | undefined;
  /** Wipe dataDir at start (STORE_CLEAN_STORE). */
  cleanStore: boolean;
  /** gRPC max receive and send message size, in bytes (GRPC_BODY_LIMIT, default 104857600 = 100 MiB). */
  bodyLimit: number;
  /** Per-subscription buffer, in messages (GRPC_SUB_BUFF_SIZE, default 100). */
  subscriptionBuffer: number;
  /** How long a message waits for room in a full subscription buffer before it is dropped, in ms (§2.1, §4; default 2000). */
  slowConsumerDropMs: number;
  /** How long an events-store ClientID stays registered after its stream ends, in ms (§2.2: the server closes asynchronously; default 300). */
  clientIdReleaseMs: number;
  /** Stan's ack wait for events-store subscriptions, in ms: an event unacknowledged this long is sent again (§2.2; default 30000). */
  eventsStoreAckWaitMs: number;
  /** Stan's in-flight limit for events-store subscriptions (§2.2; default 1024). */
  eventsStoreMaxInflight: number;
  /** How long after a SubscribeToEvents (events) or SubscribeToRequests call arrives its subscription starts receiving, in ms (§0 [seen]: the server registers it asynchronously; default 200; 0 = at once). */
  registrationDelayMs: number;
  /** Events-store events older than this many minutes are removed (STORE_MAX_RETENTION, §4; default 1440); 0 = never. */
  retentionMinutes: number;
  /** Queue policy limits (§4). */
  queue: BrokerQueueLimits;
  /** TLS on the gRPC listener; undefined = plaintext. */
  tls: BrokerTlsConfig | undefined;
  /** Emulator-only: a token every call but Ping must carry in `authorization` metadata (else UNAUTHENTICATED), as on the servers that check tokens; undefined = no auth, like the open-source server, which never enforces auth. */
  authToken: string | undefined;
  /** Emulator-only: answer repeated queries with the same CacheKey from a cache (the real server has none, §0 item 5). */
  queryCache: boolean;
  /** Emulator-only: a responder on `kubemq.cluster.internal.requests`. */
  channelManagement: boolean;
  /** The client ping policy enforced on every connection. */
  keepalive: BrokerKeepaliveConfig;
  /** Level of the default console logger (silent unless set). */
  logLevel: EmulatorLogLevel;
}

/**
 * The open-source server's queue limits (broker-behaviour.md §4): 1024 messages per receive, 3600 s max
 * wait, 43200 s max expiration / delay / visibility, 1024 max receive count, 60 s default
 * visibility, 1 s default wait; downstream `MaxItems` default 200000, min wait 1000 ms; delay
 * scan every 500 ms, holding at most 1024 delayed messages, a displaced one coming back after 24 h.
 * Frozen.
 */
export const DEFAULT_BROKER_QUEUE_LIMITS: Readonly<BrokerQueueLimits> = Object.freeze({
  maxNumberOfMessages: 1024,
  maxWaitTimeoutSeconds: 3600,
  maxExpirationSeconds: 43200,
  maxDelaySeconds: 43200,
  maxReceiveCount: 1024,
  maxVisibilitySeconds: 43200,
  defaultVisibilitySeconds: 60,
  defaultWaitTimeoutSeconds: 1,
  downstreamDefaultMaxItems: 200000,
  downstreamMinWaitTimeoutMs: 1000,
  delayScanIntervalMs: 500,
  delayInFlightLimit: 1024,
  delayAckWaitMs: 86_400_000,
});

export const DEFAULT_BROKER_KEEPALIVE: Readonly<BrokerKeepaliveConfig> = Object.freeze({
  enforce: true,
  minPingIntervalMs: 300_000,
  permitWithoutCalls: false,
  maxPingStrikes: 2,
});

export const DEFAULT_PORT = 50000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT = 104857600;
export const DEFAULT_SUBSCRIPTION_BUFFER = 100;
export const DEFAULT_SLOW_CONSUMER_DROP_MS = 2000;
export const DEFAULT_CLIENT_ID_RELEASE_MS = 300;
export const DEFAULT_EVENTS_STORE_ACK_WAIT_MS = 30_000;
export const DEFAULT_EVENTS_STORE_MAX_INFLIGHT = 1024;
/**
 * The server registers an events subscription or a responder a while after the call arrived
 * (about 200 ms seen), and nothing tells the client when: what is published before is lost. The
 * default is no shorter than that, so a client that sleeps instead of probing fails here as well.
 */
export const DEFAULT_REGISTRATION_DELAY_MS = 200;
export const DEFAULT_RETENTION_MINUTES = 1440;
/** Honest about what answers: the open-source server says "v2.4.0". */
export const EMULATOR_VERSION = 'v2.4.0-emulator';

/**
 * What a caller may pass: every field optional, nested objects partial. {@link resolveConfig}
 * applies the defaults below (broker-behaviour.md §4) and throws {@link EmulatorConfigError} on bad values.
 */
export interface EmulatorOptions {
  /** Address to bind. Default `127.0.0.1` (loopback; the real server binds all interfaces, §1.2). */
  host?: string | undefined;
  /** gRPC port, 0..65535; 0 picks a free port. Default 50000 (`GRPC_PORT`, §1.2). */
  port?: number | undefined;
  /** Reported as `Ping.Host`. Default: the `HOST` env variable, else the hostname with `.` → `_` (§1.2). */
  nodeName?: string | undefined;
  /** Reported as `Ping.Version`. Default {@link EMULATOR_VERSION}. */
  version?: string | undefined;
  /** Directory for durable data (events store, queues); omitted or empty = memory only (`STORE_STORE_PATH`, §1.2). */
  dataDir?: string | undefined;
  /** Delete `dataDir` before starting. Default false (`STORE_CLEAN_STORE`, §1.2). */
  cleanStore?: boolean | undefined;
  /** gRPC max receive and send message size, in bytes, at least 1. Default 104857600 = 100 MiB (`GRPC_BODY_LIMIT`, §1.2, §4). */
  bodyLimit?: number | undefined;
  /** Per-subscription buffer, in messages, at least 1. Default 100 (`GRPC_SUB_BUFF_SIZE`, §1.2, §4). */
  subscriptionBuffer?: number | undefined;
  /** How long a message waits for room in a full subscription buffer before it is dropped, in ms. Default 2000 (§2.1, §4). */
  slowConsumerDropMs?: number | undefined;
  /** How long an events-store ClientID stays registered after its stream ends, in ms. Default 300 (§2.2). */
  clientIdReleaseMs?: number | undefined;
  /**
   * Stan's ack wait for events-store subscriptions, in ms, at least 1000 (stan counts whole seconds): the server acknowledges an
   * event once its subscriber's buffer took it (or it was dropped), and stan sends again what is
   * unacknowledged this long. Default 30000, stan's default, which the server keeps (§2.2).
   */
  eventsStoreAckWaitMs?: number | undefined;
  /** Stan's in-flight limit for events-store subscriptions, at least 1. Default 1024 (§2.2). */
  eventsStoreMaxInflight?: number | undefined;
  /**
   * How long after a SubscribeToEvents (events, not events store) or SubscribeToRequests call
   * arrives its subscription starts receiving, in ms; events and requests sent before are not
   * delivered to it. Default 200, like the server, which registers it asynchronously and says
   * nothing when it is done (clients must probe, §0). 0 registers at once.
   */
  registrationDelayMs?: number | undefined;
  /** Events-store retention, in minutes; 0 = keep forever. Default 1440 (`STORE_MAX_RETENTION`, §1.2, §4). */
  retentionMinutes?: number | undefined;
  /** Queue policy limits to override; the rest keep {@link DEFAULT_BROKER_QUEUE_LIMITS} (`QUEUE_*`, §1.2, §4). */
  queue?: { [K in keyof BrokerQueueLimits]?: BrokerQueueLimits[K] | undefined } | undefined;
  /** Serve TLS instead of plaintext (`SECURITY_*`, §1.2, §1.3). Default: plaintext. */
  tls?: {
    /** Server certificate chain, PEM (string or Buffer). Required. */
    certPem: string | Buffer;
    /** Server private key, PEM (string or Buffer). Required. */
    keyPem: string | Buffer;
    /** CA certificate, PEM. Loaded like the server's "mTLS" (§1.3): client certificates are not verified unless `requireClientCert`. */
    caPem?: string | Buffer | undefined;
    /** Emulator-only: require client certificates signed by `caPem` (which is then required). Default false. */
    requireClientCert?: boolean | undefined;
  } | undefined;
  /** Emulator-only token auth: `{ token }`, or the token itself; calls but Ping without `authorization` metadata equal to it fail with UNAUTHENTICATED (as on the servers that check tokens, which answer a Ping whatever the token). Default: no auth (the open-source server never enforces auth). */
  auth?: {
    /** The token; must be non-empty. */
    token: string;
  } | string | undefined;
  /** Emulator-only: answer repeated queries with the same CacheKey from a cache (the real server has none, §0 item 5). Default false. */
  queryCache?: boolean | undefined;
  /** Emulator-only: a responder on `kubemq.cluster.internal.requests` (create / delete / list channels). Default false. */
  channelManagement?: boolean | undefined;
  /** Client ping policy to override (defaults: grpc-go's, §4); `false` turns enforcement off. */
  keepalive?: { [K in keyof BrokerKeepaliveConfig]?: BrokerKeepaliveConfig[K] | undefined } | false | undefined;
  /** Level of the default console logger (`LOG_LEVEL`, §1.2). Default `silent` (the CLI uses `info`). */
  logLevel?: EmulatorLogLevel | undefined;
}

/** Bad configuration: names the option (or env variable) at fault. */
export class EmulatorConfigError extends Error {
  /** Always `'EmulatorConfigError'`. */
  override readonly name = 'EmulatorConfigError';
  constructor(
    /** The option path (e.g. `queue.maxDelaySeconds`, `tls.certPem`) or env variable (e.g. `GRPC_PORT`) at fault. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** `HOST`, else the machine's hostname with `.` → `_` (§1.2). */
export function defaultNodeName(env: NodeJS.ProcessEnv = process.env): string {
  return env['HOST'] || hostname().replace(/\./g, '_');
}

function int(field: string, v: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new EmulatorConfigError(field, `must be an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}

/** Queue limits that 0 would break: a delay scan that holds nothing, or re-reads without end. */
const MIN_QUEUE_LIMITS: Partial<Record<keyof BrokerQueueLimits, number>> = { delayInFlightLimit: 1, delayAckWaitMs: 1 };

/** Go's `pem.Decode` blocks of type `CERTIFICATE` without headers, DER-decoded (what `AppendCertsFromPEM` tries). */
function pemCertificates(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const [, type, body = ''] of pem.matchAll(/-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    if (type !== 'CERTIFICATE' || body.includes(':')) continue; // other types, or headers: skipped like Go
    out.push(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

function parses(der: Buffer): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

/** Private keys Go's `tls.X509KeyPair` parses: RSA, ECDSA on P-256/384/521, Ed25519. */
const GO_EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * Refuses what the server refuses at startup (`interfaces/grpc/server.go`: `tls.X509KeyPair`, then
 * `AppendCertsFromPEM` with a CA; failures exit with Error 201), in the server's order: key, pair, CA.
 */
function checkTlsKeys(tls: BrokerTlsConfig): void {
  const refuse = (field: string, why: string) => new EmulatorConfigError(field, `${ERR_201_TLS_KEYS}: ${why}`);
  let keyType: string | undefined;
  let curve: string | undefined;
  let key: KeyObject;
  try {
    key = createPrivateKey(tls.keyPem);
    keyType = key.asymmetricKeyType;
    curve = key.asymmetricKeyDetails?.namedCurve;
  } catch (err) {
    throw refuse('tls.keyPem', `tls: failed to parse private key (${(err as Error).message})`);
  }
  if (!(keyType === 'rsa' || keyType === 'ed25519' || (keyType === 'ec' && curve !== undefined && GO_EC_CURVES.has(curve)))) {
    throw refuse('tls.keyPem', `tls: failed to parse private key (unsupported key type ${keyType ?? 'unknown'}${curve ? ` ${curve}` : ''})`);
  }
  const [leaf] = pemCertificates(tls.certPem);
  if (!leaf) throw refuse('tls.certPem', 'tls: failed to find any PEM data in certificate input');
  const mismatch = (cause: string) => refuse('tls.keyPem', `tls: private key does not match public key (${cause})`);
  let leafKey: Buffer;
  try {
    createSecureContext({ cert: tls.certPem, key: tls.keyPem });
    leafKey = new X509Certificate(leaf).publicKey.export({ type: 'spki', format: 'der' });
  } catch (err) {
    const cause = (err as Error).message;
    if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(cause)) throw mismatch(cause);
    throw refuse('tls.certPem', `tls: failed to load certificate (${cause})`);
  }
  // OpenSSL keeps a key of another type than the certificate's without complaint; Go compares them.
  if (!leafKey.equals(createPublicKey(key).export({ type: 'spki', format: 'der' }))) throw mismatch('the first certificate holds another public key');
  if (tls.caPem && !pemCertificates(tls.caPem).some(parses)) {
    throw refuse('tls.caPem', 'credentials: failed to append certificates');
  }
}

/** Applies defaults and checks every option. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const q = options.queue ?? {};
  const queue = {} as BrokerQueueLimits;
  for (const key of Object.keys(DEFAULT_BROKER_QUEUE_LIMITS) as (keyof BrokerQueueLimits)[]) {
    queue[key] = int(`queue.${key}`, q[key], DEFAULT_BROKER_QUEUE_LIMITS[key], MIN_QUEUE_LIMITS[key] ?? 0);
  }
  const ka = options.keepalive === false ? { enforce: false } : (options.keepalive ?? {});
  const keepalive: BrokerKeepaliveConfig = {
    enforce: ka.enforce ?? DEFAULT_BROKER_KEEPALIVE.enforce,
    minPingIntervalMs: int('keepalive.minPingIntervalMs', ka.minPingIntervalMs, DEFAULT_BROKER_KEEPALIVE.minPingIntervalMs, 0),
    permitWithoutCalls: ka.permitWithoutCalls ?? DEFAULT_BROKER_KEEPALIVE.permitWithoutCalls,
    maxPingStrikes: int('keepalive.maxPingStrikes', ka.maxPingStrikes, DEFAULT_BROKER_KEEPALIVE.maxPingStrikes, 0),
  };
  let tls: BrokerTlsConfig | undefined;
  if (options.tls) {
    const { certPem, keyPem, caPem, requireClientCert } = options.tls;
    if (!certPem) throw new EmulatorConfigError('tls.certPem', 'is required with TLS');
    if (!keyPem) throw new EmulatorConfigError('tls.keyPem', 'is required with TLS');
    if (requireClientCert && !caPem) throw new EmulatorConfigError('tls.caPem', 'is required to verify client certificates');
    tls = { certPem: certPem.toString(), keyPem: keyPem.toString(), caPem: caPem?.toString(), requireClientCert: requireClientCert ?? false };
    checkTlsKeys(tls);
  }
  const authToken = typeof options.auth === 'string' ? options.auth : options.auth?.token;
  if (options.auth !== undefined && !authToken) throw new EmulatorConfigError('auth.token', 'must be a non-empty string');
  const logLevel = options.logLevel ?? 'silent';
  if (!LOG_LEVELS.includes(logLevel)) throw new EmulatorConfigError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host === '') throw new EmulatorConfigError('host', 'must be a non-empty string');
  return {
    host,
    port: int('port', options.port, DEFAULT_PORT, 0, 65535),
    nodeName: options.nodeName ?? defaultNodeName(),
    version: options.version ?? EMULATOR_VERSION,
    dataDir: options.dataDir || undefined,
    cleanStore: options.cleanStore ?? false,
    bodyLimit: int('bodyLimit', options.bodyLimit, DEFAULT_BODY_LIMIT, 1),
    subscriptionBuffer: int('subscriptionBuffer', options.subscriptionBuffer, DEFAULT_SUBSCRIPTION_BUFFER, 1),
    slowConsumerDropMs: int('slowConsumerDropMs', options.slowConsumerDropMs, DEFAULT_SLOW_CONSUMER_DROP_MS, 0),
    clientIdReleaseMs: int('clientIdReleaseMs', options.clientIdReleaseMs, DEFAULT_CLIENT_ID_RELEASE_MS, 0),
    eventsStoreAckWaitMs: int('eventsStoreAckWaitMs', options.eventsStoreAckWaitMs, DEFAULT_EVENTS_STORE_ACK_WAIT_MS, 1000),
    eventsStoreMaxInflight: int('eventsStoreMaxInflight', options.eventsStoreMaxInflight, DEFAULT_EVENTS_STORE_MAX_INFLIGHT, 1),
    registrationDelayMs: int('registrationDelayMs', options.registrationDelayMs, DEFAULT_REGISTRATION_DELAY_MS, 0),
    retentionMinutes: int('retentionMinutes', options.retentionMinutes, DEFAULT_RETENTION_MINUTES, 0),
    queue,
    tls,
    authToken,
    queryCache: options.queryCache ?? false,
    channelManagement: options.channelManagement ?? false,
    keepalive,
    logLevel,
  };
}

/** Env variable → queue limit (broker-behaviour.md §1.2, config/queue.go). */
export const QUEUE_ENV: Readonly<Record<string, keyof BrokerQueueLimits>> = Object.freeze({
  QUEUE_MAX_NUMBER_OF_MESSAGES: 'maxNumberOfMessages',
  QUEUE_MAX_WAIT_TIMEOUT_SECONDS: 'maxWaitTimeoutSeconds',
  QUEUE_MAX_EXPIRATION_SECONDS: 'maxExpirationSeconds',
  QUEUE_MAX_DELAY_SECONDS: 'maxDelaySeconds',
  QUEUE_MAX_RECEIVE_COUNT: 'maxReceiveCount',
  QUEUE_MAX_VISIBILITY_SECONDS: 'maxVisibilitySeconds',
  QUEUE_DEFAULT_VISIBILITY_SECONDS: 'defaultVisibilitySeconds',
  QUEUE_DEFAULT_WAIT_TIMEOUT_SECONDS: 'defaultWaitTimeoutSeconds',
});

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw.trim());
  if (!Number.isInteger(v)) throw new EmulatorConfigError(name, `must be an integer, got ${JSON.stringify(raw)}`);
  return v;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  // Weakly typed like the server's config loader (§1.2).
  if (['1', 't', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'f', 'false', 'no', 'off'].includes(raw)) return false;
  throw new EmulatorConfigError(name, `must be true or false, got ${JSON.stringify(raw)}`);
}

/**
 * Options from the open-source server's environment (§1.2). `readFile` loads the
 * `SECURITY_*_FILENAME` files. REST_PORT, API_PORT and other server keys are accepted and ignored.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv, readFile: (path: string) => string): EmulatorOptions {
  const opts: EmulatorOptions = {};
  const port = envInt(env, 'GRPC_PORT');
  if (port !== undefined) opts.port = port;
  const body = envInt(env, 'GRPC_BODY_LIMIT');
  if (body !== undefined) opts.bodyLimit = body;
  const buff = envInt(env, 'GRPC_SUB_BUFF_SIZE');
  if (buff !== undefined) opts.subscriptionBuffer = buff;
  if (env['STORE_STORE_PATH']) opts.dataDir = env['STORE_STORE_PATH'];
  const retention = envInt(env, 'STORE_MAX_RETENTION');
  if (retention !== undefined) opts.retentionMinutes = retention;
  const clean = envBool(env, 'STORE_CLEAN_STORE');
  if (clean !== undefined) opts.cleanStore = clean;
  if (env['HOST']) opts.nodeName = env['HOST'];
  const level = env['LOG_LEVEL']?.trim().toLowerCase();
  if (level) {
    if (!LOG_LEVELS.includes(level as EmulatorLogLevel)) throw new EmulatorConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
    opts.logLevel = level as EmulatorLogLevel;
  }
  const queue: Partial<BrokerQueueLimits> = {};
  for (const [name, key] of Object.entries(QUEUE_ENV)) {
    const v = envInt(env, name);
    if (v !== undefined) queue[key] = v;
  }
  if (Object.keys(queue).length > 0) opts.queue = queue;
  const pem = (what: 'CERT' | 'KEY' | 'CA'): string | undefined => {
    const data = env[`SECURITY_${what}_DATA`];
    if (data) return data;
    const file = env[`SECURITY_${what}_FILENAME`];
    if (!file) return undefined;
    try {
      return readFile(file);
    } catch (err) {
      throw new EmulatorConfigError(`SECURITY_${what}_FILENAME`, `cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = pem('CERT');
  const key = pem('KEY');
  if (cert && key) opts.tls = { certPem: cert, keyPem: key, caPem: pem('CA') };
  return opts;
}
