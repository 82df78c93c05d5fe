import { callQuietly } from '../internal/util/async.js';

/** Structured context for a log line. The SDK never puts tokens or message bodies in it. */
export type LogFields = Record<string, unknown>;

/**
 * Where the SDK logs. Any object with these four methods works (console, pino, winston adapters).
 *
 * @example
 * ```ts
 * const client = await KubemqClient.connect({ logger: console, logLevel: 'info' });
 * ```
 */
export interface Logger {
  /** Detail for troubleshooting (attempts, refreshes). */
  debug(message: string, fields?: LogFields): void;
  /** Lifecycle: connected, reconnected, closed. */
  info(message: string, fields?: LogFields): void;
  /** Something degraded: connection lost, a risky setting. */
  warn(message: string, fields?: LogFields): void;
  /** Something failed for good: the reconnect policy gave up. */
  error(message: string, fields?: LogFields): void;
}

/** The lowest level that is logged; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
const SECRET_KEY = /authorization|token|password|secret|body/i;
const noop = (): void => undefined;

/** Whether `level` is a known log level. */
export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === 'string' && Object.prototype.hasOwnProperty.call(RANK, level);
}

/**
 * The logger the SDK uses internally: `sink` filtered by `level`, with fields whose names suggest
 * a secret or a payload redacted as a second line of defence (the SDK never passes them). A sink
 * that throws, or whose method returns a promise that rejects (an async log shipper that is down),
 * is ignored: logging runs in the middle of reconnects and settlements, which must go on.
 */
export function levelLogger(sink: Logger | undefined, level: LogLevel): Logger {
  const at = (name: keyof Logger) =>
    sink && RANK[name] >= RANK[level] ? (message: string, fields?: LogFields) => callQuietly(() => sink[name](message, fields && redact(fields))) : noop;
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : value;
  return out;
}
