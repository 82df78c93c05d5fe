import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { capabilitiesFor } from '../capabilities.js';
import { trackDir } from '../internal/cleanup.js';
import { ownFile } from '../internal/own-file.js';
import type { StartKubemqOptions } from '../types.js';
import { emulatorArgs, emulatorEnv, type TlsFiles } from './launch-config.js';
import { ProcessBroker } from './process-broker.js';

/** The emulator CLI's ready line (any CLI given by KUBEMQ_EMULATOR_BIN must print "listening" or "ready"). */
export const EMULATOR_READY_LINE = /\b(listening|ready)\b/i;

/** Where the built CLI lives inside the @kubemq/emulator package. */
const CLI_PATH = join('dist', 'esm', 'cli', 'main.js');

/**
 * Finds the emulator's CLI: KUBEMQ_EMULATOR_BIN, else @kubemq/emulator resolved from the cwd, else
 * from @kubemq/testing's own location (an emulator installed as our dependency, not hoisted).
 */
export function locateEmulatorCli(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  ownBases: readonly string[] = ownLocations(cwd),
): string {
  const override = env['KUBEMQ_EMULATOR_BIN'];
  if (override !== undefined && override.trim() !== '') {
    const file = resolve(cwd, override);
    if (!existsSync(file)) throw new Error(`KUBEMQ_EMULATOR_BIN=${override}: no such file (${file})`);
    return file;
  }
  const tried: string[] = [];
  const bases = [join(cwd, 'noop.js'), ...ownBases];
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('@kubemq/emulator/package.json');
      const cli = join(dirname(pkg), CLI_PATH);
      if (existsSync(cli)) return cli;
      tried.push(`${cli} (not built: run \`npx nx run emulator:build\`)`);
    } catch {
      tried.push(`@kubemq/emulator from ${dirname(base)} (not installed)`);
    }
  }
  throw new Error(
    `@kubemq/testing: cannot find the emulator's CLI. Tried:\n  ${tried.join('\n  ')}\n` +
      'Install @kubemq/emulator, or set KUBEMQ_EMULATOR_BIN to its cli/main.js, or KUBEMQ_ADDRESS/KUBEMQ_BINARY.',
  );
}

/**
 * Where @kubemq/testing itself lives (this module's own file, under ESM as under CommonJS), then
 * our package.json as the cwd resolves it: an emulator nested in our node_modules is found too.
 */
function ownLocations(cwd: string): string[] {
  const bases: string[] = [];
  const own = ownFile();
  if (own !== undefined) bases.push(own);
  try {
    bases.push(createRequire(join(cwd, 'noop.js')).resolve('@kubemq/testing/package.json'));
  } catch {
    // @kubemq/testing not resolvable from the cwd: the other bases decide
  }
  return bases;
}

/** The command that runs a CLI file: node for JavaScript, the file itself otherwise. */
export function commandFor(cli: string, args: string[]): { command: string; args: string[] } {
  return /\.[cm]?js$/.test(cli) ? { command: process.execPath, args: [cli, ...args] } : { command: cli, args };
}

/** Writes the PEM options to files the emulator's --tls-* flags can read. */
async function writeTlsFiles(dir: string, options: StartKubemqOptions): Promise<TlsFiles | undefined> {
  if (options.tls === undefined) return undefined;
  const tlsDir = join(dir, 'tls');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const files: TlsFiles = { cert: join(tlsDir, 'server.crt'), key: join(tlsDir, 'server.key') };
  await writeFile(files.cert, options.tls.certPem, { mode: 0o600 });
  await writeFile(files.key, options.tls.keyPem, { mode: 0o600 });
  if (options.tls.caPem !== undefined) {
    files.ca = join(tlsDir, 'ca.crt');
    await writeFile(files.ca, options.tls.caPem, { mode: 0o600 });
  }
  return files;
}

/** The emulator in a child process with a data directory; restart keeps the data directory. */
export async function startEmulator(options: StartKubemqOptions, startTimeoutMs: number): Promise<ProcessBroker> {
  const cli = locateEmulatorCli();
  const tempDir = await mkdtemp(join(tmpdir(), 'kubemq-emulator-'));
  trackDir(tempDir);
  const dataDir = join(tempDir, 'data');
  const tlsFiles = await writeTlsFiles(tempDir, options);
  const env = emulatorEnv(process.env, options);
  return ProcessBroker.start({
    kind: 'emulator',
    capabilities: capabilitiesFor('emulator', options),
    tempDir,
    portCount: 1,
    startTimeoutMs,
    // A first start has a new data directory; only a restart({ cleanStore: true }) wipes one.
    launch: ([port], store) => ({
      ...commandFor(cli, [...emulatorArgs(options, { port: port as number, dataDir, tlsFiles }), ...(store === 'wiped' ? ['--clean-store'] : [])]),
      env,
      cwd: tempDir,
    }),
    // The CLI prints one line when it accepts calls (`kubemq-emulator listening on …`).
    readyLine: EMULATOR_READY_LINE,
    ping: (address) => ({
      address,
      // Readiness is liveness: a CA-signed certificate without its CA must not look like a dead broker.
      tls: options.tls !== undefined,
      authToken: options.auth?.token,
      tcpOnly: options.tls?.requireClientCert === true,
    }),
  });
}
