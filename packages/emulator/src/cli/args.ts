// Command-line parsing for `kubemq-emulator`. Two styles:
//   kubemq-emulator [--port N] [--host H] [--data-dir D] …   the emulator's flags
//   kubemq-emulator server|s|serve [--port N] …                the open-source server's style:
//     configured by its environment (broker-behaviour.md §1.1, §1.2, §1.7), store in ./store by
//     default; it takes the same flags, and flags win over the environment
import { optionsFromEnv, type EmulatorOptions } from '../config.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliCommand {
  kind: 'run' | 'help' | 'version';
  options: EmulatorOptions;
  /** Started as `server` (the open-source server's command line). */
  serverMode: boolean;
}

export const USAGE = `Usage: kubemq-emulator [options]
       kubemq-emulator server        (configured by the KubeMQ server's environment variables)

A KubeMQ broker (gRPC service kubemq.kubemq) for tests and local development.

Options:
  --port <n>                 gRPC port (default 50000; 0 = any free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --data-dir <dir>           keep data in this directory (default: memory only)
  --clean-store              wipe --data-dir at start
  --tls-cert <file>          server certificate (PEM); with --tls-key enables TLS
  --tls-key <file>           server private key (PEM)
  --tls-ca <file>            CA (PEM); like the real server, client certificates are NOT verified…
  --require-client-cert      …unless this is set (emulator-only)
  --auth-token <token>       require this token in 'authorization' metadata (emulator-only)
  --query-cache              answer queries with CacheKey/CacheTTL from a cache (emulator-only)
  --channel-management       answer create/delete/list channel queries on
                             kubemq.cluster.internal.requests (emulator-only)
  --no-keepalive-enforcement do not GOAWAY clients that ping more often than every 5 minutes
  --log-level <level>        trace|debug|info|warn|error|fatal|silent (default info)
  --help                     show this help
  --version                  print the version

Environment (both styles; flags win): GRPC_PORT, GRPC_BODY_LIMIT, GRPC_SUB_BUFF_SIZE,
STORE_STORE_PATH, STORE_CLEAN_STORE, STORE_MAX_RETENTION, HOST, LOG_LEVEL, QUEUE_* limits,
SECURITY_{CERT,KEY,CA}_{DATA,FILENAME}. REST_PORT and API_PORT are accepted and ignored.
`;

const VALUE_FLAGS = new Set(['--port', '--host', '--data-dir', '--tls-cert', '--tls-key', '--tls-ca', '--auth-token', '--log-level']);
const BOOL_FLAGS = new Set(['--clean-store', '--require-client-cert', '--query-cache', '--channel-management', '--no-keepalive-enforcement', '--help', '-h', '--version']);

/**
 * Parses argv (without node and the script) and the environment. `readFile` loads PEM files.
 * Throws UsageError naming the bad flag.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv, readFile: (path: string) => string): CliCommand {
  const args = [...argv];
  let serverMode = false;
  if (args[0] === 'server' || args[0] === 's' || args[0] === 'serve') {
    serverMode = true;
    args.shift();
  }
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else if (BOOL_FLAGS.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    } else {
      throw new UsageError(`unknown ${arg.startsWith('-') ? 'option' : 'argument'}: ${arg}`);
    }
  }
  if (flags.has('--help') || flags.has('-h')) return { kind: 'help', options: {}, serverMode };
  if (flags.has('--version')) return { kind: 'version', options: {}, serverMode };

  let options: EmulatorOptions;
  try {
    options = optionsFromEnv(env, readFile);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // The real server always keeps a store, ./store by default (§1.2).
  if (serverMode && options.dataDir === undefined) options.dataDir = './store';
  if (options.logLevel === undefined) options.logLevel = 'info';

  const str = (f: string) => flags.get(f) as string | undefined;
  const port = str('--port');
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d+$/.test(port) || n > 65535) throw new UsageError(`--port must be an integer in 0..65535, got ${JSON.stringify(port)}`);
    options.port = n;
  }
  if (str('--host')) options.host = str('--host');
  if (str('--data-dir')) options.dataDir = str('--data-dir');
  if (flags.has('--clean-store')) options.cleanStore = true;
  if (str('--auth-token')) options.auth = { token: str('--auth-token')! };
  if (flags.has('--query-cache')) options.queryCache = true;
  if (flags.has('--channel-management')) options.channelManagement = true;
  if (flags.has('--no-keepalive-enforcement')) options.keepalive = false;
  const level = str('--log-level');
  if (level) {
    if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) throw new UsageError(`--log-level must be one of trace, debug, info, warn, error, fatal, silent`);
    options.logLevel = level as EmulatorOptions['logLevel'];
  }
  const load = (flag: string): string | undefined => {
    const file = str(flag);
    if (!file) return undefined;
    try {
      return readFile(file);
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = load('--tls-cert');
  const key = load('--tls-key');
  const ca = load('--tls-ca');
  if (cert || key || ca || flags.has('--require-client-cert')) {
    if (!cert || !key) {
      if (cert || key) throw new UsageError('--tls-cert and --tls-key go together');
      if (!options.tls) throw new UsageError('--tls-ca and --require-client-cert need --tls-cert and --tls-key');
    }
    const base = options.tls;
    options.tls = {
      certPem: cert ?? base!.certPem,
      keyPem: key ?? base!.keyPem,
      caPem: ca ?? base?.caPem,
      requireClientCert: flags.has('--require-client-cert'),
    };
    if (options.tls.requireClientCert && !options.tls.caPem) throw new UsageError('--require-client-cert needs --tls-ca');
  }
  return { kind: 'run', options, serverMode };
}
