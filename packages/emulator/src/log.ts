// The emulator's logger: silent by default, console for the CLI. Never logs bodies or tokens.

/** The emulator's log levels, most verbose first (the server's `LOG_LEVEL` values plus `silent`, which logs nothing). */
export type EmulatorLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/**
 * Where the emulator writes its log lines: a message plus optional structured fields (never
 * bodies or tokens). Pass one as {@link EmulatorStartOptions.logger}; see {@link consoleLogger}
 * and {@link silentLogger}.
 */
export interface EmulatorLogger {
  /** Verbose detail, for debugging. */
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Lifecycle events such as start and stop. */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** A client did something the emulator cut short or a real server handles badly (e.g. too many pings). */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** A failure inside the broker, such as a handler that threw or a dead-letter publish that failed. */
  error(msg: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => undefined;

/** A logger that discards everything. */
export const silentLogger: EmulatorLogger = { debug: noop, info: noop, warn: noop, error: noop };

const RANK: Record<EmulatorLogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5, silent: 6 };

export const LOG_LEVELS: readonly EmulatorLogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** A line logger writing to stderr (stdout stays free for the CLI's ready line). */
export function consoleLogger(level: EmulatorLogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): EmulatorLogger {
  const at = (lvl: EmulatorLogLevel, name: string) =>
    RANK[lvl] >= RANK[level]
      ? (msg: string, fields?: Record<string, unknown>) =>
          write(`${new Date().toISOString()} ${name} ${msg}${fields ? ' ' + JSON.stringify(fields, jsonSafe) : ''}`)
      : noop;
  return { debug: at('debug', 'DEBUG'), info: at('info', 'INFO'), warn: at('warn', 'WARN'), error: at('error', 'ERROR') };
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
