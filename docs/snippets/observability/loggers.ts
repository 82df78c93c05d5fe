import { KubemqClient, pinoLogger, type FieldsFirstLogger, type Logger } from '@kubemq/core';

// console and winston take (message, fields) and fit the Logger interface as they are; pino and
// bunyan take (fields, message) and go through pinoLogger().
declare const pinoInstance: FieldsFirstLogger; // e.g. pino({ name: 'orders' })
declare const winstonInstance: Logger; // e.g. winston.createLogger({ … })

export async function withLoggers(): Promise<KubemqClient[]> {
  return Promise.all([
    KubemqClient.connect({ logger: console, logLevel: 'warn' }),
    KubemqClient.connect({ logger: winstonInstance }),
    KubemqClient.connect({ logger: pinoLogger(pinoInstance), logLevel: 'debug' }),
  ]);
}
