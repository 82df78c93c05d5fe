import { TokenManager } from '../internal/connection/token-manager.js';
import { ValidationError } from '../internal/errors/kubemq-error.js';
import { refreshingCredentials } from './credentials.js';
import { levelLogger, type LogFields } from './logger.js';
import { clientOptionsFromEnv } from './options-from-env.js';
import { DEFAULT_ADDRESS, DEFAULT_KEEPALIVE, resolveOptions } from './resolve-options.js';

const silent = levelLogger(undefined, 'silent');

describe('resolveOptions: options > defaults', () => {
  it('defaults: localhost:50000, a generated client id, 6-minute keepalive, unlimited reconnects', () => {
    const { options, tls, auth } = resolveOptions({});
    expect(options.address).toBe(DEFAULT_ADDRESS);
    expect(options.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(options.keepalive).toEqual({ intervalMs: 330_000, timeoutMs: 20_000 });
    expect((options.keepalive as { intervalMs: number }).intervalMs).toBeGreaterThanOrEqual(300_000);
    expect(options.reconnect).toEqual({ initialDelayMs: 500, maxDelayMs: 4_000, multiplier: 2, maxAttempts: Infinity });
    expect(options.maxMessageBytes).toBe(104_857_600);
    expect(options).toMatchObject({ connectTimeoutMs: 10_000, defaultTimeoutMs: 30_000, maxPendingCalls: 1000, drainTimeoutMs: 5000, tls: false });
    expect(tls).toBeUndefined();
    expect(auth(silent).metadata()).toEqual({});
  });

  it('reads no environment variable by itself; options set the token', () => {
    const saved = { ...process.env };
    process.env['KUBEMQ_ADDRESS'] = 'broker:6000';
    process.env['KUBEMQ_AUTH_TOKEN'] = 'from-env';
    try {
      const { options, auth } = resolveOptions({});
      expect(options.address).toBe(DEFAULT_ADDRESS);
      expect(auth(silent).metadata()).toEqual({});
    } finally {
      process.env = saved;
    }
    const explicit = resolveOptions({ address: '127.0.0.1:50000', clientId: 'mine', authToken: 'other' });
    expect(explicit.options).toMatchObject({ address: '127.0.0.1:50000', clientId: 'mine' });
    expect(explicit.auth(silent).metadata()).toEqual({ authorization: 'other' });
    expect(resolveOptions({}).auth(silent)).not.toBeInstanceOf(TokenManager);
  });

  it('refreshing credentials take precedence over a static token', () => {
    const credentials = refreshingCredentials({ getToken: async () => ({ token: 't' }) });
    for (const options of [{ credentials }, { authToken: 'static', credentials }]) {
      const auth = resolveOptions(options).auth(silent);
      expect(auth).toBeInstanceOf(TokenManager);
      expect(auth.metadata()).toEqual({}); // no token until the provider gave one
      auth.close();
    }
  });

  it('refreshingCredentials() checks its provider and margin; connect() takes only what it made', () => {
    expect(() => refreshingCredentials({} as never)).toThrow(expect.objectContaining({ field: 'credentials' }));
    expect(() => refreshingCredentials({ getToken: async () => ({ token: 't' }) }, { refreshMarginMs: -1 })).toThrow(expect.objectContaining({ field: 'refreshMarginMs' }));
    expect(() => resolveOptions({ credentials: { kind: 'refreshing' } })).toThrow(expect.objectContaining({ field: 'credentials' }));
  });

  it('keeps the token out of the resolved options', () => {
    expect(JSON.stringify(resolveOptions({ authToken: 'hidden-token' }).options)).not.toContain('hidden-token');
  });

  it('keepalive can be tuned or turned off; reconnect merges with the defaults', () => {
    expect(resolveOptions({ keepalive: false }).options.keepalive).toBe(false);
    expect(resolveOptions({ keepalive: { intervalMs: 600_000 } }).options.keepalive).toEqual({ intervalMs: 600_000, timeoutMs: 20_000 });
    expect(resolveOptions({ reconnect: { maxAttempts: 3 } }).options.reconnect).toMatchObject({ maxAttempts: 3, initialDelayMs: 500 });
  });

  it('the link check pings every 10 s with a 10 s deadline by default, can be tuned or turned off, and refuses bad periods', () => {
    expect(resolveOptions({}).options.linkCheck).toEqual({ intervalMs: 10_000, timeoutMs: 10_000 });
    expect(resolveOptions({ linkCheck: false }).options.linkCheck).toBe(false);
    expect(resolveOptions({ linkCheck: { timeoutMs: 3000, intervalMs: undefined } }).options.linkCheck).toEqual({ intervalMs: 10_000, timeoutMs: 3000 });
    expect(() => resolveOptions({ linkCheck: { intervalMs: 0 } })).toThrow('invalid linkCheck.intervalMs');
    expect(() => resolveOptions({ linkCheck: true as never })).toThrow('invalid linkCheck: must be { intervalMs?, timeoutMs? }, or false for none (got true)');
    expect(() => resolveOptions({ linkCheck: { everyMs: 1000 } as never })).toThrow(/^invalid linkCheck.everyMs: is not an option here/);
  });

  it('a reconnect field given as undefined takes its default, as other options do', () => {
    const policy = { initialDelayMs: undefined, maxDelayMs: undefined, multiplier: undefined, maxAttempts: 3 };
    expect(resolveOptions({ reconnect: policy }).options.reconnect).toEqual({ initialDelayMs: 500, maxDelayMs: 4_000, multiplier: 2, maxAttempts: 3 });
  });

  it('refuses an option it does not know, naming the one to use for a known other name, instead of its default taking over', () => {
    expect(() => resolveOptions({ adress: 'broker:50000' } as never)).toThrow(/^invalid adress: is not an option here \(the options are address, clientId, /);
    expect(() => resolveOptions({ dialTimeout: 5000 } as never)).toThrow('invalid dialTimeout: is not an option here: use connectTimeoutMs');
    expect(() => resolveOptions({ reconnectInterval: 1000 } as never)).toThrow(/use reconnect: \{ initialDelayMs/);
    expect(() => resolveOptions({ reconnect: { maxRetries: 3 } as never })).toThrow('invalid reconnect.maxRetries: is not an option here: use maxAttempts');
    expect(() => resolveOptions({ keepalive: { timeMs: 400_000 } as never })).toThrow('invalid keepalive.timeMs: is not an option here: use intervalMs');
    expect(() => resolveOptions({ tls: { caFile: '/etc/ca.pem' } as never })).toThrow('invalid tls.caFile: is not an option here: use ca (PEM text: pass readFileSync(path))');
    expect(() => resolveOptions({ credentials: { cert: Buffer.from('x'), key: Buffer.from('y') } as never })).toThrow(/certificates go in tls: \{ ca, cert, key \}/);
    for (const options of [{ adress: 'x' }, { reconnect: { maxRetries: 3 } }, { keepalive: { timeMs: 1 } }, { tls: { caCert: 'x' } }]) {
      expect(() => resolveOptions(options as never)).toThrow(ValidationError);
    }
  });

  it('takes an option given as undefined as not given, nested ones too, and the spread of clientOptionsFromEnv()', () => {
    const given = { address: undefined, clientId: undefined, keepalive: undefined, reconnect: undefined, tls: undefined, logger: undefined, signal: undefined };
    expect(resolveOptions(given).options).toMatchObject({ address: DEFAULT_ADDRESS, keepalive: DEFAULT_KEEPALIVE, reconnect: { initialDelayMs: 500 }, tls: false });
    expect(resolveOptions({ keepalive: { intervalMs: undefined, timeoutMs: 5000 }, tls: { ca: undefined, serverName: 'n' } }).options.keepalive).toEqual({ intervalMs: 330_000, timeoutMs: 5000 });
    const fromEnv = clientOptionsFromEnv({ KUBEMQ_ADDRESS: 'broker:6000', KUBEMQ_CLIENT_ID: 'env' });
    expect(resolveOptions({ ...fromEnv, clientId: 'mine', defaultTimeoutMs: 1000 }).options).toMatchObject({ address: 'broker:6000', clientId: 'mine' });
  });

  it.each([
    ['reconnect', null, 'null'],
    ['reconnect', 5, '5'],
    ['reconnect', true, 'true'],
    ['reconnect', [], 'an array'],
    ['keepalive', null, 'null'],
    ['keepalive', true, 'true'],
    ['keepalive', 330_000, '330000'],
  ])('refuses %s: %j, naming it, instead of running with the defaults', (field, value, got) => {
    expect(() => resolveOptions({ [field]: value } as never)).toThrow(expect.objectContaining({ field, message: expect.stringContaining(`(got ${got})`) }));
  });

  it.each([
    [{ address: 'nohost' }, 'address'],
    [{ address: 'h:70000' }, 'address'],
    [{ clientId: 'a b' }, 'clientId'],
    [{ connectTimeoutMs: 0 }, 'connectTimeoutMs'],
    [{ maxPendingCalls: -1 }, 'maxPendingCalls'],
    [{ keepalive: { intervalMs: 1.5 } }, 'keepalive.intervalMs'],
    [{ reconnect: { maxDelayMs: 10 } }, 'reconnect.maxDelayMs'],
    [{ reconnect: { maxAttempts: 0 } }, 'reconnect.maxAttempts'],
    [{ authToken: '' }, 'authToken'],
    [{ credentials: {} as never }, 'credentials'],
    [{ tls: { serverName: '' } }, 'tls.serverName'],
    [{ tls: { key: '-----BEGIN PRIVATE KEY-----' } }, 'tls.cert'],
    [{ tls: { ca: '/etc/kubemq/ca.pem' } }, 'tls.ca'],
    [{ authToken: 'secret\n' }, 'authToken'],
    [{ authToken: 'sec\tret' }, 'authToken'],
    [{ authToken: '\uFEFFsecret' }, 'authToken'],
    [{ authToken: 'sécret' }, 'authToken'],
    [{ keepalive: { intervalMs: 3e9 } }, 'keepalive.intervalMs'],
    [{ reconnect: { maxDelayMs: 3e9 } }, 'reconnect.maxDelayMs'],
    [{ tls: { ca: '' } }, 'tls.ca'],
    [{ tls: { ca: 42 as never } }, 'tls.ca'],
    [{ tls: 'yes' as never }, 'tls'],
  ])('rejects %j naming %s', (options, field) => {
    try {
      resolveOptions({ ...options });
      throw new Error('no throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
  });

  it('turns TLS on with tls: true or an object (PEM material: test/component/tls.spec.ts)', () => {
    expect(resolveOptions({ tls: true }).tls).toEqual({});
    expect(resolveOptions({ tls: false }).tls).toBeUndefined();
    const inline = resolveOptions({ tls: { serverName: 'opt-name' } });
    expect(inline.tls).toEqual({ serverName: 'opt-name' });
    expect(inline.options.tls).toBe(true);
  });
});

describe('levelLogger', () => {
  const capture = () => {
    const lines: Array<[string, string, LogFields | undefined]> = [];
    const at = (level: string) => (message: string, fields?: LogFields) => lines.push([level, message, fields]);
    return { lines, sink: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
  };

  it('is silent without a sink and filters by level', () => {
    expect(() => levelLogger(undefined, 'debug').error('x')).not.toThrow();
    const { lines, sink } = capture();
    const logger = levelLogger(sink, 'warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map(([level]) => level)).toEqual(['warn', 'error']);
    levelLogger(sink, 'silent').error('never');
    expect(lines).toHaveLength(2);
  });

  it('a sink that throws is ignored: the SDK goes on (a reconnect logs a warning before it starts)', () => {
    const calls: string[] = [];
    const sink = {
      debug: () => calls.push('debug'),
      info: () => calls.push('info'),
      warn: () => {
        throw new Error('log transport down');
      },
      error: () => calls.push('error'),
    };
    const logger = levelLogger(sink, 'debug');
    expect(() => logger.warn('connection lost')).not.toThrow();
    logger.error('e');
    expect(calls).toEqual(['error']);
  });

  it('resolveOptions takes no options as the defaults, and refuses null or a string as a ValidationError', () => {
    expect(resolveOptions(undefined).options.address).toBe(DEFAULT_ADDRESS);
    expect(() => resolveOptions(null as never)).toThrow(/invalid options: must be an object \(got null\)/);
    expect(() => resolveOptions('localhost:50000' as never)).toThrow(ValidationError);
  });

  it('resolveOptions refuses a logger without the four methods and an unknown level', () => {
    const partial = { info: () => undefined, warn: () => undefined, error: () => undefined };
    expect(() => resolveOptions({ logger: partial as never })).toThrow(ValidationError);
    expect(() => resolveOptions({ logger: partial as never })).toThrow(/invalid logger: must have debug\(\), info\(\), warn\(\) and error\(\)/);
    expect(() => resolveOptions({ logger: null as never })).toThrow(/invalid logger/);
    expect(() => resolveOptions({ logger: console, logLevel: 'verbose' as never })).toThrow(/invalid logLevel: must be 'debug', 'info', 'warn', 'error' or 'silent' \(got "verbose"\)/);
    expect(() => resolveOptions({ logLevel: 'toString' as never })).toThrow(/invalid logLevel/);
    expect(resolveOptions({ logger: console, logLevel: 'error' }).logger).toBeDefined();
  });

  it('redacts fields that look like secrets or payloads', () => {
    const { lines, sink } = capture();
    levelLogger(sink, 'debug').info('m', { authorization: 'a', token: 't', body: 'b', channel: 'c' });
    expect(lines[0]?.[2]).toEqual({ authorization: '[redacted]', token: '[redacted]', body: '[redacted]', channel: 'c' });
  });
});
