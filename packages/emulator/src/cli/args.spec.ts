import { UsageError, parseArgs } from './args.js';

const files: Record<string, string> = { 'c.pem': 'CERT', 'k.pem': 'KEY', 'ca.pem': 'CA' };
const read = (p: string) => {
  const v = files[p];
  if (v === undefined) throw new Error('ENOENT');
  return v;
};

describe('parseArgs', () => {
  it('parses the emulator flags', () => {
    const cmd = parseArgs(
      ['--port', '0', '--host=127.0.0.2', '--data-dir', '/tmp/d', '--auth-token', 't', '--query-cache', '--channel-management', '--no-keepalive-enforcement', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-ca', 'ca.pem', '--require-client-cert'],
      {},
      read,
    );
    expect(cmd.kind).toBe('run');
    expect(cmd.serverMode).toBe(false);
    expect(cmd.options).toMatchObject({
      port: 0,
      host: '127.0.0.2',
      dataDir: '/tmp/d',
      auth: { token: 't' },
      queryCache: true,
      channelManagement: true,
      keepalive: false,
      tls: { certPem: 'CERT', keyPem: 'KEY', caPem: 'CA', requireClientCert: true },
    });
  });

  it('has memory-only defaults without flags', () => {
    const cmd = parseArgs([], {}, read);
    expect(cmd.options.dataDir).toBeUndefined();
    expect(cmd.options.port).toBeUndefined();
  });

  it('accepts the real server command line and environment (broker-behaviour.md §1.7)', () => {
    const cmd = parseArgs(['server'], { GRPC_PORT: '50001', REST_PORT: '1', API_PORT: '2', STORE_CLEAN_STORE: 'true', HOST: 'kubemq-test', LOG_LEVEL: 'warn' }, read);
    expect(cmd.serverMode).toBe(true);
    expect(cmd.options).toMatchObject({ port: 50001, dataDir: './store', cleanStore: true, nodeName: 'kubemq-test', logLevel: 'warn' });
  });

  it('answers --help', () => {
    expect(parseArgs(['--help'], {}, read).kind).toBe('help');
  });

  it.each([
    [['--bogus'], /unknown option: --bogus/],
    [['extra'], /unknown argument: extra/],
    [['--port'], /--port needs a value/],
    [['--port', 'x'], /--port must be an integer/],
    [['--port', '70000'], /--port must be an integer/],
    [['--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
    [['--tls-cert', 'nope.pem', '--tls-key', 'k.pem'], /--tls-cert: cannot read nope.pem/],
    [['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--require-client-cert'], /--require-client-cert needs --tls-ca/],
    [['--query-cache=1'], /takes no value/],
    [['--log-level', 'loud'], /--log-level/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv, {}, read)).toThrow(UsageError);
    expect(() => parseArgs(argv, {}, read)).toThrow(message);
  });

  it('reports a bad environment variable as a usage error', () => {
    expect(() => parseArgs(['server'], { GRPC_PORT: 'x' }, read)).toThrow(/GRPC_PORT/);
  });
});
