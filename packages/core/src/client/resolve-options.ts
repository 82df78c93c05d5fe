import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { newId } from '../internal/conversions/id.js';
import { errorText } from '../internal/errors/error-text.js';
import { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from '../internal/recovery/backoff.js';
import type { TlsMaterial } from '../internal/transport/tls-material.js';
import { validateClientId } from '../internal/validation/client-id.js';
import { fail } from '../internal/validation/fail.js';
import { requireKnownKeys } from '../internal/validation/known-keys.js';
import { describeType } from '../internal/validation/message.js';
import { optionsObject } from '../internal/validation/options-object.js';
import { tokenProblem } from '../internal/validation/text-rules.js';
import { validatePositiveInt } from '../internal/validation/numbers.js';
import { MAX_TIMER_MS } from '../internal/util/monotonic.js';
import { isLogLevel, levelLogger, type Logger } from './logger.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { credentialsStarter, staticAuth, type StartAuth } from '../internal/connection/call-auth.js';
import type { ClientOptions, KeepaliveOptions, LinkCheckOptions, TlsOptions } from './options.js';

export const DEFAULT_ADDRESS = 'localhost:50000';
export const DEFAULT_KEEPALIVE = { intervalMs: 330_000, timeoutMs: 20_000 } as const;
export const DEFAULT_LINK_CHECK = { intervalMs: 10_000, timeoutMs: 10_000 } as const;
const MAX_MESSAGE_BYTES = 104_857_600;

/**
 * The options a client runs with, after the defaults (no secrets in here). Internal:
 * pattern packages read it through `ClientInternals.options`.
 */
export interface ResolvedClientOptions {
  readonly address: string;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly defaultTimeoutMs: number;
  readonly keepalive: Readonly<Required<KeepaliveOptions>> | false;
  readonly linkCheck: Readonly<Required<LinkCheckOptions>> | false;
  readonly reconnect: Readonly<ReconnectPolicy>;
  readonly maxPendingCalls: number;
  readonly drainTimeoutMs: number;
  readonly maxMessageBytes: number;
  /** Whether the channel uses TLS. */
  readonly tls: boolean;
}

/** Everything connect() needs, split so the token never sits in the inspectable options. */
export interface ConnectionSettings {
  options: ResolvedClientOptions;
  tls: TlsMaterial | undefined;
  /** Starts the connection's auth: refreshing credentials, or the static token (or none). */
  auth: StartAuth;
  logger: Logger;
  telemetry: Telemetry | undefined;
}

const CLIENT_OPTION_KEYS: readonly (keyof ClientOptions)[] = [
  'address', 'clientId', 'authToken', 'credentials', 'tls', 'connectTimeoutMs', 'defaultTimeoutMs', 'keepalive',
  'linkCheck', 'reconnect', 'maxPendingCalls', 'drainTimeoutMs', 'maxMessageBytes', 'logger', 'logLevel', 'telemetry', 'signal',
];
// kubemq-js's Config and this SDK's 0.1 names: a misspelt or foreign option would otherwise leave
// its default in force (`adress` connects to localhost), so each is refused, naming what to use.
const CLIENT_OPTIONS_RENAMED = {
  dialTimeout: 'connectTimeoutMs',
  defaultRpcTimeout: "defaultTimeoutMs (or a command's or query's own timeoutMs)",
  reconnectInterval: 'reconnect: { initialDelayMs, maxDelayMs, multiplier, maxAttempts }',
  sendBufferSize: 'maxPendingCalls',
  env: '{ ...clientOptionsFromEnv(), ...yours }',
  tokenRefreshMarginMs: 'credentials: refreshingCredentials(provider, { refreshMarginMs })',
};
const RECONNECT_KEYS: readonly (keyof ReconnectPolicy)[] = ['initialDelayMs', 'maxDelayMs', 'multiplier', 'maxAttempts'];
const RECONNECT_RENAMED = { maxRetries: 'maxAttempts', initialDelay: 'initialDelayMs', maxDelay: 'maxDelayMs' };
const PERIOD_KEYS: readonly (keyof KeepaliveOptions & keyof LinkCheckOptions)[] = ['intervalMs', 'timeoutMs'];
const TLS_KEYS: readonly (keyof TlsOptions)[] = ['ca', 'cert', 'key', 'serverName'];
const PEM_TEXT = '(PEM text: pass readFileSync(path))';
const TLS_RENAMED = { caCert: 'ca', caFile: `ca ${PEM_TEXT}`, certFile: `cert ${PEM_TEXT}`, keyFile: `key ${PEM_TEXT}` };

/** Options > defaults, validated; throws ValidationError naming the option. No environment variable is read here. */
export function resolveOptions(given: ClientOptions | undefined): ConnectionSettings {
  const options = optionsObject(given);
  requireKnownKeys(options, CLIENT_OPTION_KEYS, '', CLIENT_OPTIONS_RENAMED);
  const address = validateAddress(options.address ?? DEFAULT_ADDRESS);
  const clientId = options.clientId === undefined ? newId() : validateClientId(options.clientId);
  const int = (value: number | undefined, field: string, fallback: number, min = 1) =>
    value === undefined ? fallback : validatePositiveInt(value, field, { min });

  const resolved: ResolvedClientOptions = {
    address,
    clientId,
    connectTimeoutMs: int(options.connectTimeoutMs, 'connectTimeoutMs', 10_000),
    defaultTimeoutMs: int(options.defaultTimeoutMs, 'defaultTimeoutMs', 30_000),
    keepalive: resolvePeriods(options.keepalive, 'keepalive', DEFAULT_KEEPALIVE),
    linkCheck: resolvePeriods(options.linkCheck, 'linkCheck', DEFAULT_LINK_CHECK),
    reconnect: resolveReconnect(options.reconnect),
    maxPendingCalls: int(options.maxPendingCalls, 'maxPendingCalls', 1000, 0),
    drainTimeoutMs: int(options.drainTimeoutMs, 'drainTimeoutMs', 5000, 0),
    maxMessageBytes: int(options.maxMessageBytes, 'maxMessageBytes', MAX_MESSAGE_BYTES),
    tls: false,
  };
  const tls = resolveTls(options.tls);
  const token = options.authToken;
  if (token !== undefined && (typeof token !== 'string' || token === '')) fail('authToken', 'must be a non-empty string');
  const tokenFault = token === undefined ? undefined : tokenProblem(token);
  if (tokenFault) fail('authToken', tokenFault);
  const refreshing = options.credentials === undefined ? undefined : credentialsStarter(options.credentials);
  if (options.credentials !== undefined && refreshing === undefined) {
    fail('credentials', 'must be made by refreshingCredentials() (certificates go in tls: { ca, cert, key })');
  }
  if (options.telemetry !== undefined && typeof options.telemetry?.instrument !== 'function') {
    fail('telemetry', 'must have an instrument() method (e.g. openTelemetry() from @kubemq/core/opentelemetry)');
  }
  const sink = options.logger;
  if (sink !== undefined && (['debug', 'info', 'warn', 'error'] as const).some((m) => typeof sink?.[m] !== 'function')) {
    fail('logger', 'must have debug(), info(), warn() and error() methods (console has them)');
  }
  const level = options.logLevel ?? (sink ? 'info' : 'silent');
  if (!isLogLevel(level)) fail('logLevel', `must be 'debug', 'info', 'warn', 'error' or 'silent' (got ${JSON.stringify(level)})`);
  const logger = levelLogger(sink, level);
  return {
    options: { ...resolved, tls: tls !== undefined },
    tls,
    // Credentials take precedence: a static token is then ignored.
    auth: refreshing ?? (() => staticAuth(token)),
    logger,
    telemetry: options.telemetry,
  };
}

function validateAddress(address: unknown): string {
  if (typeof address !== 'string' || !/^[^\s/]+:\d{1,5}$/.test(address)) {
    fail('address', `must be host:port, e.g. localhost:50000 (got ${JSON.stringify(address)})`);
  }
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (port < 1 || port > 65535) fail('address', `port must be 1-65535 (got ${port})`);
  return address;
}

/** Periods that become timers: a Node timer fires at once past 2^31 - 1 ms. */
const TIMER = { max: MAX_TIMER_MS } as const;

/** A nested option object: absent is `{}`; null, a number, `true`, an array is refused, naming `field`. */
function nestedObject<T extends object>(value: T | undefined, field: string, shape: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, `must be ${shape} (got ${typeof value === 'number' || typeof value === 'boolean' ? value : describeType(value)})`);
  }
  return value;
}

/** `keepalive` and `linkCheck`: `{ intervalMs?, timeoutMs? }` over their defaults, or `false` for none. */
function resolvePeriods(
  value: KeepaliveOptions | LinkCheckOptions | false | undefined,
  field: 'keepalive' | 'linkCheck',
  defaults: Required<KeepaliveOptions>,
): Required<KeepaliveOptions> | false {
  if (value === false) return false;
  const given = nestedObject(value, field, '{ intervalMs?, timeoutMs? }, or false for none');
  requireKnownKeys(given, PERIOD_KEYS, field, { timeMs: 'intervalMs' });
  return {
    intervalMs: validatePositiveInt(given.intervalMs ?? defaults.intervalMs, `${field}.intervalMs`, TIMER),
    timeoutMs: validatePositiveInt(given.timeoutMs ?? defaults.timeoutMs, `${field}.timeoutMs`, TIMER),
  };
}

function resolveReconnect(policy: ClientOptions['reconnect']): ReconnectPolicy {
  const object = nestedObject(policy, 'reconnect', '{ initialDelayMs?, maxDelayMs?, multiplier?, maxAttempts? }');
  requireKnownKeys(object, RECONNECT_KEYS, 'reconnect', RECONNECT_RENAMED);
  // A field given as undefined takes its default, as every other option does.
  const given = Object.entries(object).filter(([, value]) => value !== undefined);
  const merged: ReconnectPolicy = { ...DEFAULT_RECONNECT_POLICY, ...Object.fromEntries(given) };
  validatePositiveInt(merged.initialDelayMs, 'reconnect.initialDelayMs', TIMER);
  validatePositiveInt(merged.maxDelayMs, 'reconnect.maxDelayMs', { ...TIMER, min: merged.initialDelayMs });
  validatePositiveInt(merged.multiplier, 'reconnect.multiplier', { integer: false });
  if (merged.maxAttempts !== Infinity) validatePositiveInt(merged.maxAttempts, 'reconnect.maxAttempts');
  return merged;
}

/** TLS is on when `tls` is `true` or an object. */
function resolveTls(tls: TlsOptions | boolean | undefined): TlsMaterial | undefined {
  if (tls === undefined || tls === false) return undefined;
  if (tls !== true && (typeof tls !== 'object' || tls === null || Array.isArray(tls))) fail('tls', 'must be a boolean or an object');
  const given: TlsOptions = tls === true ? {} : tls;
  requireKnownKeys(given, TLS_KEYS, 'tls', TLS_RENAMED);
  const ca = pem(given.ca, 'tls.ca');
  const cert = pem(given.cert, 'tls.cert');
  const key = pem(given.key, 'tls.key');
  if ((cert === undefined) !== (key === undefined)) {
    fail(cert === undefined ? 'tls.cert' : 'tls.key', 'mutual TLS needs both a client certificate and its key');
  }
  if (ca) checkCa(ca);
  if (cert && key) checkKeyPair(cert, key);
  if (given.serverName !== undefined && (typeof given.serverName !== 'string' || given.serverName === '')) {
    fail('tls.serverName', 'must be a non-empty string');
  }
  return {
    ...(ca && { ca }),
    ...(cert && { cert }),
    ...(key && { key }),
    ...(given.serverName !== undefined && { serverName: given.serverName }),
  };
}

function pem(inline: string | Uint8Array | undefined, field: string): Buffer | undefined {
  if (inline === undefined) return undefined;
  if (typeof inline !== 'string' && !(inline instanceof Uint8Array)) fail(field, 'must be a PEM string or bytes');
  if (inline.length === 0) fail(field, 'cannot be empty');
  const bytes = Buffer.from(inline);
  // A file name in place of its contents is the usual slip: say so now, not at the handshake.
  if (!bytes.includes('-----BEGIN ')) fail(field, 'must be PEM text (-----BEGIN …), not a file name: pass readFileSync(path)');
  return bytes;
}

/**
 * The CA holds a certificate that parses: a key or a broken block here would fail every handshake
 * later, with an error that blames the broker's certificate.
 */
function checkCa(ca: Buffer): void {
  const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const parses = (block: string) => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  };
  if (!blocks.some(parses)) fail('tls.ca', 'holds no certificate that parses (-----BEGIN CERTIFICATE-----): is it the CA certificate?');
}

/** The client certificate and key parse, and belong together (checked here, not at the first handshake). */
function checkKeyPair(cert: Buffer, key: Buffer): void {
  const parses = (material: { cert?: Buffer; key?: Buffer }) => {
    try {
      createSecureContext(material);
      return undefined;
    } catch (err) {
      return errorText(err);
    }
  };
  const certError = parses({ cert });
  if (certError) fail('tls.cert', `is not a usable certificate: ${certError}`);
  const keyError = parses({ key });
  if (keyError) fail('tls.key', `is not a usable private key: ${keyError}`);
  const pairError = parses({ cert, key });
  if (pairError) fail('tls.key', `does not belong to tls.cert: ${pairError}`);
}
