import { DEFAULT_BROKER_QUEUE_LIMITS, EmulatorConfigError, optionsFromEnv, resolveConfig } from './config.js';

const noFile = (p: string): string => {
  throw new Error(`no file ${p}`);
};

describe('resolveConfig', () => {
  it('has the server defaults of broker-behaviour.md §4', () => {
    const c = resolveConfig({});
    expect(c.port).toBe(50000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.bodyLimit).toBe(104857600);
    expect(c.subscriptionBuffer).toBe(100);
    expect(c.slowConsumerDropMs).toBe(2000);
    expect(c.retentionMinutes).toBe(1440);
    expect(c.queue).toEqual({
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
    expect(c.keepalive).toEqual({ enforce: true, minPingIntervalMs: 300000, permitWithoutCalls: false, maxPingStrikes: 2 });
    expect(c.authToken).toBeUndefined();
    expect(c.queryCache).toBe(false);
    expect(c.channelManagement).toBe(false);
    expect(c.tls).toBeUndefined();
    expect(c.dataDir).toBeUndefined();
  });

  it('takes options and names the field at fault', () => {
    expect(resolveConfig({ port: 0, auth: 'tok', keepalive: false, queue: { maxReceiveCount: 5 } })).toMatchObject({
      port: 0,
      authToken: 'tok',
      keepalive: { enforce: false },
      queue: { ...DEFAULT_BROKER_QUEUE_LIMITS, maxReceiveCount: 5 },
    });
    expect(() => resolveConfig({ port: 70000 })).toThrow(EmulatorConfigError);
    expect(() => resolveConfig({ port: 70000 })).toThrow(/^port:/);
    expect(() => resolveConfig({ queue: { maxWaitTimeoutSeconds: -1 } })).toThrow(/queue\.maxWaitTimeoutSeconds/);
    // 0 would stop the delay scan, or have it re-read displaced messages without end.
    expect(() => resolveConfig({ queue: { delayInFlightLimit: 0 } })).toThrow(/queue\.delayInFlightLimit/);
    expect(() => resolveConfig({ queue: { delayAckWaitMs: 0 } })).toThrow(/queue\.delayAckWaitMs/);
    expect(() => resolveConfig({ tls: { certPem: 'c', keyPem: 'k', requireClientCert: true } })).toThrow(/tls\.caPem/);
    expect(() => resolveConfig({ auth: { token: '' } })).toThrow(/auth\.token/);
  });
});

describe('optionsFromEnv (broker-behaviour.md §1.2)', () => {
  it('reads the server variables and ignores REST/API ports', () => {
    const opts = optionsFromEnv(
      {
        GRPC_PORT: '50123',
        REST_PORT: '9090',
        API_PORT: '8080',
        GRPC_BODY_LIMIT: '1000',
        GRPC_SUB_BUFF_SIZE: '7',
        STORE_STORE_PATH: './store',
        STORE_CLEAN_STORE: 'true',
        STORE_MAX_RETENTION: '60',
        HOST: 'kubemq-test',
        LOG_LEVEL: 'warn',
        QUEUE_MAX_NUMBER_OF_MESSAGES: '10',
        QUEUE_MAX_WAIT_TIMEOUT_SECONDS: '11',
        QUEUE_MAX_EXPIRATION_SECONDS: '12',
        QUEUE_MAX_DELAY_SECONDS: '13',
        QUEUE_MAX_RECEIVE_COUNT: '14',
        QUEUE_MAX_VISIBILITY_SECONDS: '15',
        QUEUE_DEFAULT_VISIBILITY_SECONDS: '16',
        QUEUE_DEFAULT_WAIT_TIMEOUT_SECONDS: '17',
      },
      noFile,
    );
    expect(opts).toEqual({
      port: 50123,
      bodyLimit: 1000,
      subscriptionBuffer: 7,
      dataDir: './store',
      cleanStore: true,
      retentionMinutes: 60,
      nodeName: 'kubemq-test',
      logLevel: 'warn',
      queue: {
        maxNumberOfMessages: 10,
        maxWaitTimeoutSeconds: 11,
        maxExpirationSeconds: 12,
        maxDelaySeconds: 13,
        maxReceiveCount: 14,
        maxVisibilitySeconds: 15,
        defaultVisibilitySeconds: 16,
        defaultWaitTimeoutSeconds: 17,
      },
    });
  });

  it('reads TLS from SECURITY_*_DATA or *_FILENAME', () => {
    expect(optionsFromEnv({ SECURITY_CERT_DATA: 'C', SECURITY_KEY_DATA: 'K' }, noFile).tls).toEqual({ certPem: 'C', keyPem: 'K', caPem: undefined });
    const files: Record<string, string> = { '/c': 'CF', '/k': 'KF', '/a': 'AF' };
    expect(
      optionsFromEnv({ SECURITY_CERT_FILENAME: '/c', SECURITY_KEY_FILENAME: '/k', SECURITY_CA_FILENAME: '/a' }, (p) => files[p]!).tls,
    ).toEqual({ certPem: 'CF', keyPem: 'KF', caPem: 'AF' });
    expect(() => optionsFromEnv({ SECURITY_CERT_FILENAME: '/missing', SECURITY_KEY_DATA: 'K' }, noFile)).toThrow(/SECURITY_CERT_FILENAME/);
  });

  it('names a bad variable', () => {
    expect(() => optionsFromEnv({ GRPC_PORT: 'abc' }, noFile)).toThrow(/GRPC_PORT/);
    expect(() => optionsFromEnv({ STORE_CLEAN_STORE: 'maybe' }, noFile)).toThrow(/STORE_CLEAN_STORE/);
    expect(() => optionsFromEnv({ LOG_LEVEL: 'loud' }, noFile)).toThrow(/LOG_LEVEL/);
  });
});
