// Runs the built CLI (dist/esm/cli/main.js) as a child process, as users and @kubemq/testing do.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const packageDir = join(__dirname, '..', '..', '..');
export const cliPath = join(packageDir, 'dist', 'esm', 'cli', 'main.js');

/** CI builds before testing; a fresh checkout without dist gets built once here. */
export function ensureBuilt(): void {
  if (!existsSync(cliPath)) execFileSync(process.execPath, [join(packageDir, '..', '..', 'tools', 'build', 'build-package.mjs')], { cwd: packageDir, stdio: 'inherit' });
}

export interface CliRun {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Resolves with `host:port` from the ready line. */
  ready(timeoutMs?: number): Promise<string>;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: opts.cwd ?? packageDir, env: { ...cleanEnv(), ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CliRun = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1))),
    ready: (timeoutMs = 15000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${run.stderr}`)), timeoutMs);
        const check = () => {
          const m = /kubemq-emulator listening on (\S+)/.exec(run.stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        child.stdout!.on('data', check);
        void run.exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`exited before ready; stderr: ${run.stderr}`));
        });
        check();
      }),
  };
  child.stdout!.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return run;
}

/** The environment without variables the server reads, so tests are not influenced by the shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(GRPC_|STORE_|QUEUE_|SECURITY_|LOG_LEVEL$|HOST$)/.test(k)) delete env[k];
  return env;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
