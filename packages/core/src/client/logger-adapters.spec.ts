import { levelLogger } from './logger.js';
import { pinoLogger, type FieldsFirstLogger } from './logger-adapters.js';

describe('pinoLogger', () => {
  it('calls a fields-first logger with (fields, message), as a method', () => {
    const calls: unknown[][] = [];
    const target: FieldsFirstLogger & { name: string } = {
      name: 'pino',
      debug(fields, message) {
        calls.push(['debug', this.name, fields, message]);
      },
      info(fields, message) {
        calls.push(['info', this.name, fields, message]);
      },
      warn(fields, message) {
        calls.push(['warn', this.name, fields, message]);
      },
      error(fields, message) {
        calls.push(['error', this.name, fields, message]);
      },
    };
    const logger = pinoLogger(target);
    logger.debug('d', { a: 1 });
    logger.info('i');
    logger.warn('w', { b: 2 });
    logger.error('e', {});
    expect(calls).toEqual([
      ['debug', 'pino', { a: 1 }, 'd'],
      ['info', 'pino', {}, 'i'],
      ['warn', 'pino', { b: 2 }, 'w'],
      ['error', 'pino', {}, 'e'],
    ]);
  });

  it('keeps the SDK level filter and redaction in front of it', () => {
    const info = jest.fn();
    const logger = levelLogger(pinoLogger({ debug: jest.fn(), info, warn: jest.fn(), error: jest.fn() }), 'info');
    logger.debug('hidden');
    logger.info('shown', { token: 'secret', attempt: 2 });
    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith({ token: '[redacted]', attempt: 2 }, 'shown');
  });
});
