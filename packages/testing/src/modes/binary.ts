import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { capabilitiesFor } from '../capabilities.js';
import { trackDir } from '../internal/cleanup.js';
import type { StartKubemqOptions } from '../types.js';
import { commandFor } from './emulator.js';
import { binaryEnv } from './launch-config.js';
import { ProcessBroker } from './process-broker.js';

/**
 * A kubemq-community binary (or anything with its command line) started as docs/broker-behaviour.md §1.7
 * says: a fresh temp cwd, `server`, env only. The store is wiped on the first start and kept on
 * restart; the temp cwd goes on dispose.
 */
export async function startBinary(
  binary: string,
  options: StartKubemqOptions,
  startTimeoutMs: number,
): Promise<ProcessBroker> {
  // npm runs each project's tests in its own folder; a relative path means where npm was started.
  const file = resolve(process.env['INIT_CWD'] ?? process.cwd(), binary);
  if (!existsSync(file)) throw new Error(`KUBEMQ_BINARY=${binary}: no such file (${file})`);
  // The server reads config.yaml next to its binary before the one in its cwd, and writes its
  // settings back to it (§1.2): every broker started here would inherit the last one's (TLS,
  // limits). Refuse rather than edit a file that is not ours.
  const beside = join(dirname(file), 'config.yaml');
  if (existsSync(beside)) {
    throw new Error(
      `KUBEMQ_BINARY=${binary}: ${beside} exists; the server reads and rewrites the config.yaml next to its binary, so one test broker's settings would leak into the next. Move it away (or copy the binary to a folder of its own).`,
    );
  }
  // A fresh cwd per server: the server writes ./config.yaml and reuses it on later starts (§1.2).
  const tempDir = await mkdtemp(join(tmpdir(), 'kubemq-binary-'));
  trackDir(tempDir);
  return ProcessBroker.start({
    kind: 'binary',
    capabilities: capabilitiesFor('binary', options),
    tempDir,
    portCount: 3,
    startTimeoutMs,
    launch: ([grpc, rest, api], store) => ({
      ...commandFor(file, ['server']),
      env: binaryEnv(process.env, options, { grpc: grpc as number, rest: rest as number, api: api as number }, store !== 'kept'),
      cwd: tempDir,
    }),
    ping: (address) => ({
      address,
      // Readiness is liveness: a CA-signed certificate without its CA must not look like a dead broker.
      tls: options.tls !== undefined,
    }),
  });
}
