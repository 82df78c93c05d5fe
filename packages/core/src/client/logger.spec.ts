import { levelLogger, type Logger } from './logger.js';
import { pinoLogger } from './logger-adapters.js';

describe('levelLogger with an async sink', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => void process.off('unhandledRejection', record));

  /** Lets a rejection nobody handled be reported (it is, after the microtasks of the turn). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('a sink whose methods return a promise that rejects (a log shipper that is down) leaves no unhandled rejection', async () => {
    const down = async (): Promise<void> => {
      throw new Error('log shipper down');
    };
    const sink: Logger = { debug: down, info: down, warn: down, error: down };
    const logger = levelLogger(sink, 'debug');
    expect(() => {
      logger.debug('d');
      logger.info('connected');
      logger.warn('connection lost');
      logger.error('gave up');
    }).not.toThrow();
    // pino and bunyan through the adapter: its methods hand the sink's promise on.
    const fieldsFirst = levelLogger(pinoLogger({ debug: down, info: down, warn: down, error: down }), 'info');
    fieldsFirst.info('connected', { attempt: 1 });
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('an async sink that works still gets every line, in order', async () => {
    const lines: string[] = [];
    const sink: Logger = {
      debug: async (m) => void lines.push(`debug ${m}`),
      info: async (m) => void lines.push(`info ${m}`),
      warn: async (m) => void lines.push(`warn ${m}`),
      error: async (m) => void lines.push(`error ${m}`),
    };
    const logger = levelLogger(sink, 'info');
    logger.debug('d');
    logger.info('i');
    logger.error('e');
    await settle();
    expect(lines).toEqual(['info i', 'error e']);
  });
});
