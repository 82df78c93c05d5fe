import type { StartKubemqOptions } from '../types.js';

export interface TlsFiles {
  cert: string;
  key: string;
  ca?: string;
}

/** The emulator CLI's command line for `options` (flags documented in packages/emulator's CLI). */
export function emulatorArgs(
  options: StartKubemqOptions,
  where: { port: number; dataDir: string; tlsFiles?: TlsFiles },
): string[] {
  const args = ['--port', String(where.port), '--host', '127.0.0.1', '--data-dir', where.dataDir];
  if (options.auth !== undefined) {
    if (typeof options.auth.token !== 'string' || options.auth.token === '') {
      throw new TypeError('options.auth.token must be a non-empty string');
    }
    args.push('--auth-token', options.auth.token);
  }
  if (options.queryCache === true) args.push('--query-cache');
  if (options.channelManagement === true) args.push('--channel-management');
  if (options.tls !== undefined) {
    if (where.tlsFiles === undefined) throw new Error('TLS was asked for but no TLS files were written');
    args.push('--tls-cert', where.tlsFiles.cert, '--tls-key', where.tlsFiles.key);
    if (where.tlsFiles.ca !== undefined) args.push('--tls-ca', where.tlsFiles.ca);
    if (options.tls.requireClientCert === true) args.push('--require-client-cert');
  }
  if (options.keepaliveEnforcement === false) args.push('--no-keepalive-enforcement');
  return args;
}

/** The prefixes of the server's settings read from the environment (§1.2, §4). */
const SERVER_SETTING = /^(SECURITY|GRPC|REST|API|STORE|QUEUE|BROKER|LOG|AUTHENTICATION|AUTHORIZATION|ROUTING)_/;

/**
 * The parent's environment without what would configure a broker: a CONFIG would replace our
 * settings, DEV sends reports every 5 s (§1.5), and the server's own settings exported in this
 * shell (to run another server, say) would change the limits the tests pin, since env beats the
 * config file (§1.2). Only options.env sets those.
 */
function inheritedEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env['DEV'];
  delete env['CONFIG'];
  for (const key of Object.keys(env)) if (SERVER_SETTING.test(key)) delete env[key];
  return env;
}

/**
 * The environment for the emulator's CLI, which reads the server's variables too: the parent's
 * without them (a LOG_LEVEL meant for another tool failed the start; a HOST became Ping's host),
 * then options.env.
 */
export function emulatorEnv(base: NodeJS.ProcessEnv, options: StartKubemqOptions): NodeJS.ProcessEnv {
  const env = inheritedEnv(base);
  delete env['HOST'];
  return Object.assign(env, options.env ?? {});
}

export interface BinaryPorts {
  grpc: number;
  rest: number;
  api: number;
}

/**
 * The environment for a kubemq-community binary, as docs/broker-behaviour.md §1.7 says: three loopback
 * ports, a store in the cwd (wiped on a first start, kept on restart), quiet logs, a valid HOST,
 * the usage report (§1.5) pointed at a dead proxy, DEV unset; TLS as PEM data (§1.2).
 */
export function binaryEnv(
  base: NodeJS.ProcessEnv,
  options: StartKubemqOptions,
  ports: BinaryPorts,
  cleanStore: boolean,
): NodeJS.ProcessEnv {
  const env = inheritedEnv(base);
  // HOST is what Ping reports: a test may set its own, else one the server accepts (§1.7).
  Object.assign(env, { LOG_LEVEL: 'warn', HOST: 'kubemq-test' }, options.env ?? {});
  Object.assign(env, {
    GRPC_PORT: String(ports.grpc),
    REST_PORT: String(ports.rest),
    API_PORT: String(ports.api),
    STORE_STORE_PATH: './store',
    STORE_CLEAN_STORE: cleanStore ? 'true' : 'false',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
  });
  delete env['https_proxy'];
  delete env['http_proxy'];
  delete env['no_proxy'];
  if (options.tls !== undefined) {
    env['SECURITY_CERT_DATA'] = options.tls.certPem;
    env['SECURITY_KEY_DATA'] = options.tls.keyPem;
    if (options.tls.caPem !== undefined) env['SECURITY_CA_DATA'] = options.tls.caPem;
  }
  return env;
}

/** Checks the options' shapes before anything starts: bad input names its field. */
export function validateOptions(options: StartKubemqOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (options.tls !== undefined) {
    if (typeof options.tls.certPem !== 'string' || !options.tls.certPem.includes('-----BEGIN')) {
      throw new TypeError('options.tls.certPem must be a PEM string');
    }
    if (typeof options.tls.keyPem !== 'string' || !options.tls.keyPem.includes('-----BEGIN')) {
      throw new TypeError('options.tls.keyPem must be a PEM string');
    }
    if (options.tls.caPem !== undefined && (typeof options.tls.caPem !== 'string' || !options.tls.caPem.includes('-----BEGIN'))) {
      throw new TypeError('options.tls.caPem must be a PEM string');
    }
    if (options.tls.requireClientCert === true && options.tls.caPem === undefined) {
      throw new TypeError('options.tls.caPem is required with options.tls.requireClientCert');
    }
  }
  if (options.auth !== undefined && (typeof options.auth.token !== 'string' || options.auth.token === '')) {
    throw new TypeError('options.auth.token must be a non-empty string');
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (typeof value !== 'string') throw new TypeError(`options.env.${key} must be a string`);
  }
  if (options.startTimeoutMs !== undefined && !(options.startTimeoutMs > 0)) {
    throw new TypeError('options.startTimeoutMs must be a positive number');
  }
}
