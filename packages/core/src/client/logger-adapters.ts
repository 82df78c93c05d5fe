import type { LogFields, Logger } from './logger.js';

/**
 * A logger whose methods take the fields first and the message second, as pino and bunyan do
 * (`log.info({ attempt: 2 }, 'reconnected')`). console and winston take the message first and
 * need no adapter: pass them as they are.
 */
export interface FieldsFirstLogger {
  /** Detail. */
  debug(fields: LogFields, message: string): void;
  /** Lifecycle. */
  info(fields: LogFields, message: string): void;
  /** Degraded. */
  warn(fields: LogFields, message: string): void;
  /** Failed. */
  error(fields: LogFields, message: string): void;
}

/**
 * Adapts a pino (or bunyan) logger to the SDK's {@link Logger}. The SDK filters by its own
 * `logLevel` first; pino then applies its own level.
 *
 * @example
 * ```ts
 * import { KubemqClient, pinoLogger, type FieldsFirstLogger } from '@kubemq/core';
 *
 * declare const pino: FieldsFirstLogger; // e.g. pino({ name: 'orders' })
 * const client = await KubemqClient.connect({ logger: pinoLogger(pino), logLevel: 'debug' });
 * ```
 */
export function pinoLogger(target: FieldsFirstLogger): Logger {
  return {
    debug: (message, fields) => target.debug(fields ?? {}, message),
    info: (message, fields) => target.info(fields ?? {}, message),
    warn: (message, fields) => target.warn(fields ?? {}, message),
    error: (message, fields) => target.error(fields ?? {}, message),
  };
}
