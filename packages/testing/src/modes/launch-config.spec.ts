import { binaryEnv, emulatorArgs, emulatorEnv, validateOptions } from './launch-config.js';

const PEM = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';

describe('emulatorArgs', () => {
  it('always gives port, loopback host and data dir', () => {
    expect(emulatorArgs({}, { port: 1234, dataDir: '/d' })).toEqual(['--port', '1234', '--host', '127.0.0.1', '--data-dir', '/d']);
  });

  it('maps every option to its flag', () => {
    const args = emulatorArgs(
      {
        auth: { token: 'secret' },
        queryCache: true,
        channelManagement: true,
        tls: { certPem: PEM, keyPem: PEM, caPem: PEM, requireClientCert: true },
        keepaliveEnforcement: false,
      },
      { port: 1, dataDir: '/d', tlsFiles: { cert: '/t/c', key: '/t/k', ca: '/t/a' } },
    );
    expect(args.slice(6)).toEqual([
      '--auth-token',
      'secret',
      '--query-cache',
      '--channel-management',
      '--tls-cert',
      '/t/c',
      '--tls-key',
      '/t/k',
      '--tls-ca',
      '/t/a',
      '--require-client-cert',
      '--no-keepalive-enforcement',
    ]);
  });

  it('leaves defaults off the command line', () => {
    const args = emulatorArgs({ queryCache: false, channelManagement: false, keepaliveEnforcement: true }, { port: 1, dataDir: '/d' });
    expect(args).toHaveLength(6);
  });
});

describe('binaryEnv (docs/broker-behaviour.md §1.7)', () => {
  const ports = { grpc: 5001, rest: 5002, api: 5003 };

  it('sets ports, store, log level, host, the dead proxy, and removes DEV and CONFIG', () => {
    const env = binaryEnv({ PATH: '/bin', DEV: 'true', CONFIG: 'x', http_proxy: 'p', SECURITY_CERT_DATA: 'old' }, {}, ports, true);
    expect(env).toEqual({
      PATH: '/bin',
      GRPC_PORT: '5001',
      REST_PORT: '5002',
      API_PORT: '5003',
      STORE_STORE_PATH: './store',
      STORE_CLEAN_STORE: 'true',
      LOG_LEVEL: 'warn',
      HOST: 'kubemq-test',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '',
    });
  });

  it("drops the server's settings exported in this shell; only options.env sets them", () => {
    const base = { PATH: '/bin', QUEUE_MAX_DELAY_SECONDS: '60', GRPC_BODY_LIMIT: '1024', AUTHENTICATION_ENABLE: 'true', LOG_FORMAT: 'json' };
    const env = binaryEnv(base, { env: { QUEUE_MAX_RECEIVE_COUNT: '5' } }, ports, true);
    expect(env['QUEUE_MAX_DELAY_SECONDS']).toBeUndefined();
    expect(env['GRPC_BODY_LIMIT']).toBeUndefined();
    expect(env['AUTHENTICATION_ENABLE']).toBeUndefined();
    expect(env['LOG_FORMAT']).toBeUndefined();
    expect(env).toMatchObject({ PATH: '/bin', QUEUE_MAX_RECEIVE_COUNT: '5', LOG_LEVEL: 'warn' });
  });

  it("takes the test's own HOST (what Ping reports), and replaces one from the shell", () => {
    expect(binaryEnv({ HOST: 'my laptop' }, { env: { HOST: 'own-broker-test' } }, ports, true)['HOST']).toBe('own-broker-test');
    expect(binaryEnv({ HOST: 'my laptop' }, {}, ports, true)['HOST']).toBe('kubemq-test');
  });

  it('keeps the store on restart', () => {
    expect(binaryEnv({}, {}, ports, false)['STORE_CLEAN_STORE']).toBe('false');
  });

  it('passes TLS as PEM data and extra env, but never lets extra env move the ports or store', () => {
    const env = binaryEnv(
      {},
      {
        tls: { certPem: 'C', keyPem: 'K', caPem: 'A' },
        env: { QUEUE_MAX_RECEIVE_COUNT: '5', LOG_LEVEL: 'debug', GRPC_PORT: '1', STORE_STORE_PATH: '/x' },
      },
      ports,
      true,
    );
    expect(env).toMatchObject({
      SECURITY_CERT_DATA: 'C',
      SECURITY_KEY_DATA: 'K',
      SECURITY_CA_DATA: 'A',
      QUEUE_MAX_RECEIVE_COUNT: '5',
      LOG_LEVEL: 'debug',
      GRPC_PORT: '5001',
      STORE_STORE_PATH: './store',
    });
  });
});

describe('emulatorEnv', () => {
  it("drops the server's settings, HOST, DEV and CONFIG inherited from the shell; options.env sets them", () => {
    const base = { PATH: '/bin', LOG_LEVEL: 'verbose', HOST: '0.0.0.0', GRPC_BODY_LIMIT: 'abc', STORE_MAX_RETENTION: '1h', STORE_CLEAN_STORE: 'true', SECURITY_CERT_FILENAME: '/nonexistent', QUEUE_MAX_RECEIVE_COUNT: '1', DEV: 'true', CONFIG: 'eA==' };
    expect(emulatorEnv(base, {})).toEqual({ PATH: '/bin' });
    expect(emulatorEnv(base, { env: { HOST: 'mine', QUEUE_MAX_RECEIVE_COUNT: '5' } })).toEqual({ PATH: '/bin', HOST: 'mine', QUEUE_MAX_RECEIVE_COUNT: '5' });
  });
});

describe('validateOptions', () => {
  it('accepts empty and full options', () => {
    expect(() => validateOptions({})).not.toThrow();
    expect(() =>
      validateOptions({ auth: { token: 't' }, tls: { certPem: PEM, keyPem: PEM, caPem: PEM, requireClientCert: true }, env: { A: 'b' } }),
    ).not.toThrow();
  });

  it('names the bad field', () => {
    expect(() => validateOptions({ auth: { token: '' } })).toThrow('options.auth.token');
    expect(() => validateOptions({ tls: { certPem: 'nope', keyPem: PEM } })).toThrow('options.tls.certPem');
    expect(() => validateOptions({ tls: { certPem: PEM, keyPem: 'nope' } })).toThrow('options.tls.keyPem');
    expect(() => validateOptions({ tls: { certPem: PEM, keyPem: PEM, requireClientCert: true } })).toThrow('options.tls.caPem');
    expect(() => validateOptions({ env: { A: 1 as unknown as string } })).toThrow('options.env.A');
    expect(() => validateOptions({ startTimeoutMs: 0 })).toThrow('options.startTimeoutMs');
  });
});
