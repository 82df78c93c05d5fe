#!/usr/bin/env node
// The `kubemq-emulator` bin. Prints one line when ready, stops gracefully on SIGTERM/SIGINT,
// exits 2 on a bad command line and 1 when it cannot start (e.g. the port is taken), printing
// `error: …` like the real server (broker-behaviour.md §1.1).
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EmulatorConfigError } from '../config.js';
import { KubemqEmulator } from '../emulator.js';
import { ERR_201_TLS_KEYS } from '../service/errors.js';
import { PortInUseError } from '../transport/grpc-server.js';
import { USAGE, UsageError, parseArgs } from './args.js';

/** The package version, read next to the bin (dist/esm/cli/main.js → package.json). */
function packageVersion(): string {
  try {
    const file = join(dirname(realpathSync(process.argv[1] ?? '.')), '..', '..', '..', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  let cmd;
  try {
    cmd = parseArgs(process.argv.slice(2), process.env, (p) => readFileSync(p, 'utf8'));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  if (cmd.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (cmd.kind === 'version') {
    process.stdout.write(`kubemq-emulator ${packageVersion()}\n`);
    return;
  }
  let emulator: KubemqEmulator | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`kubemq-emulator: ${signal}, stopping\n`);
    if (!emulator) return; // still starting: stopped right after start below
    emulator.stop().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`error: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  // Handlers first, so a signal right after the ready line is never fatal.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGQUIT', () => stop('SIGQUIT'));
  try {
    emulator = await KubemqEmulator.start({ ...cmd.options, onPanic: 'exit' });
  } catch (err) {
    let message = (err as Error).message;
    if (err instanceof PortInUseError) message = `cannot listen: ${message}`;
    else if (err instanceof EmulatorConfigError) message = `invalid configuration: ${message}`;
    else if (/PEM|key|cert|SSL|TLS/i.test(message)) message = `${ERR_201_TLS_KEYS}: ${message}`;
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  }
  if (stopping) {
    await emulator.stop();
    process.exit(0);
  }
  process.stdout.write(`kubemq-emulator listening on ${emulator.address}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`error: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
