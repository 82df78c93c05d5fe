// Emulator options, the defaults of spec/server.md §4, and the server's environment variables (§1.2).
import { hostname } from 'node:os';
import { LOG_LEVELS, type LogLevel } from './log.js';

/** Queue policy limits (server.md §4, config/queue.go). */
export interface QueueLimits {
  maxNumberOfMessages: number;
  maxWaitTimeoutSeconds: number;
  maxExpirationSeconds: number;
  maxDelaySeconds: number;
  maxReceiveCount: number;
  maxVisibilitySeconds: number;
  defaultVisibilitySeconds: number;
  defaultWaitTimeoutSeconds: number;
  /** QueuesDownstream Get: MaxItems <= 0 becomes this. */
  downstreamDefaultMaxItems: number;
  /** QueuesDownstream Get: WaitTimeout below this (ms) becomes this. */
  downstreamMinWaitTimeoutMs: number;
  /** How often delayed messages are scanned (ms). */
  delayScanIntervalMs: number;
}

export interface TlsConfig {
  certPem: string;
  keyPem: string;
  /** Loaded like the server's "mTLS" (§1.3): client certificates are NOT verified unless requireClientCert. */
  caPem?: string;
  /** Emulator-only: verify client certificates against caPem. */
  requireClientCert: boolean;
}

export interface KeepaliveConfig {
  /** Enforce grpc-go's default server policy (§4). */
  enforce: boolean;
  /** Pings closer together than this earn a strike (grpc-go MinTime: 5 min). */
  minPingIntervalMs: number;
  /** Pings while no call is active earn a strike (grpc-go PermitWithoutStream: false). */
  permitWithoutCalls: boolean;
  /** More strikes than this → GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (grpc-go: 2). */
  maxPingStrikes: number;
}

export interface EmulatorConfig {
  host: string;
  port: number;
  /** `Ping.Host` (HOST env; else the hostname with `.` → `_`). */
  nodeName: string;
  /** `Ping.Version`. */
  version: string;
  /** Where data is kept; undefined = memory only. */
  dataDir: string | undefined;
  /** Wipe dataDir at start (STORE_CLEAN_STORE). */
  cleanStore: boolean;
  /** gRPC max receive and send message size (GRPC_BODY_LIMIT). */
  bodyLimit: number;
  /** Per-subscription buffer (GRPC_SUB_BUFF_SIZE). */
  subscriptionBuffer: number;
  /** How long a message waits for room in a full subscription buffer before it is dropped (§2.1). */
  slowConsumerDropMs: number;
  /** How long an events-store ClientID stays registered after its stream ends (§2.2: the server closes asynchronously). */
  clientIdReleaseMs: number;
  /** Events-store events older than this many minutes are removed (STORE_MAX_RETENTION, §4); 0 = never. */
  retentionMinutes: number;
  queue: QueueLimits;
  tls: TlsConfig | undefined;
  /** Emulator-only: a token every call must carry in `authorization` metadata. */
  authToken: string | undefined;
  /** Emulator-only: answer repeated queries with the same CacheKey from a cache. */
  queryCache: boolean;
  /** Emulator-only: a responder on `kubemq.cluster.internal.requests`. */
  channelManagement: boolean;
  keepalive: KeepaliveConfig;
  logLevel: LogLevel;
}

export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
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
});

export const DEFAULT_KEEPALIVE: Readonly<KeepaliveConfig> = Object.freeze({
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
export const DEFAULT_RETENTION_MINUTES = 1440;
/** Honest about what answers: the open-source server says "v2.4.0". */
export const EMULATOR_VERSION = 'v2.4.0-emulator';

/** What a caller may pass: every field optional, nested objects partial. */
export interface EmulatorOptions {
  host?: string;
  port?: number;
  nodeName?: string;
  version?: string;
  dataDir?: string;
  cleanStore?: boolean;
  bodyLimit?: number;
  subscriptionBuffer?: number;
  slowConsumerDropMs?: number;
  clientIdReleaseMs?: number;
  retentionMinutes?: number;
  queue?: Partial<QueueLimits>;
  tls?: { certPem: string | Buffer; keyPem: string | Buffer; caPem?: string | Buffer; requireClientCert?: boolean };
  /** Token auth: `{ token }`, or the token itself. */
  auth?: { token: string } | string;
  queryCache?: boolean;
  channelManagement?: boolean;
  /** `false` turns enforcement off. */
  keepalive?: Partial<KeepaliveConfig> | false;
  logLevel?: LogLevel;
}

/** Bad configuration: names the option (or env variable) at fault. */
export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
  constructor(
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

/** Applies defaults and checks every option. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const q = options.queue ?? {};
  const queue = {} as QueueLimits;
  for (const key of Object.keys(DEFAULT_QUEUE_LIMITS) as (keyof QueueLimits)[]) {
    queue[key] = int(`queue.${key}`, q[key], DEFAULT_QUEUE_LIMITS[key], 0);
  }
  const ka = options.keepalive === false ? { enforce: false } : (options.keepalive ?? {});
  const keepalive: KeepaliveConfig = {
    enforce: ka.enforce ?? DEFAULT_KEEPALIVE.enforce,
    minPingIntervalMs: int('keepalive.minPingIntervalMs', ka.minPingIntervalMs, DEFAULT_KEEPALIVE.minPingIntervalMs, 0),
    permitWithoutCalls: ka.permitWithoutCalls ?? DEFAULT_KEEPALIVE.permitWithoutCalls,
    maxPingStrikes: int('keepalive.maxPingStrikes', ka.maxPingStrikes, DEFAULT_KEEPALIVE.maxPingStrikes, 0),
  };
  let tls: TlsConfig | undefined;
  if (options.tls) {
    const { certPem, keyPem, caPem, requireClientCert } = options.tls;
    if (!certPem) throw new EmulatorConfigError('tls.certPem', 'is required with TLS');
    if (!keyPem) throw new EmulatorConfigError('tls.keyPem', 'is required with TLS');
    if (requireClientCert && !caPem) throw new EmulatorConfigError('tls.caPem', 'is required to verify client certificates');
    tls = { certPem: certPem.toString(), keyPem: keyPem.toString(), caPem: caPem?.toString(), requireClientCert: requireClientCert ?? false };
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

/** Env variable → queue limit (server.md §1.2, config/queue.go). */
export const QUEUE_ENV: Readonly<Record<string, keyof QueueLimits>> = Object.freeze({
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
    if (!LOG_LEVELS.includes(level as LogLevel)) throw new EmulatorConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
    opts.logLevel = level as LogLevel;
  }
  const queue: Partial<QueueLimits> = {};
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
