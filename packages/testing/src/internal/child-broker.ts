import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from './cleanup.js';
import { OutputTail } from './output-tail.js';
import { waitForPing, type PingTarget } from './ping.js';

export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ChildBrokerOptions {
  /** Names the broker in messages, e.g. `emulator 127.0.0.1:41234`. */
  label: string;
  ping: PingTarget;
  /** A line the process prints when it is ready (checked in addition to Ping). */
  readyLine?: RegExp;
  startTimeoutMs: number;
}

/** Thrown when the child exits or never answers; carries the output it wrote. */
export class BrokerStartError extends Error {
  /** Always `'BrokerStartError'`. */
  override readonly name = 'BrokerStartError';
  constructor(
    message: string,
    /** The last lines (at most 80) the broker process wrote to stdout and stderr before it failed. */
    readonly output: string,
    /** True when the process exited on its own during startup; false when it was killed for not answering in time. */
    readonly exitedEarly: boolean,
  ) {
    super(`${message}\n--- last output ---\n${output}`);
  }
}

const STOP_GRACE_MS = 20_000;

/**
 * One broker process: starts it, knows when it is ready, stops or kills it, and reports loudly
 * when it dies on its own (the real server can crash on an aborted QueuesUpstream: broker-behaviour.md §5.3).
 */
export class ChildBroker {
  private child: ChildProcess | undefined;
  private tail = new OutputTail();
  private expectingExit = false;
  /** Set when the process died on its own after it was ready. */
  unexpectedExit: string | undefined;
  private exitPromise: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ChildBrokerOptions) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The captured output of the current (or last) process. */
  output(): string {
    return this.tail.text();
  }

  async start(spec: LaunchSpec): Promise<void> {
    if (this.running) throw new Error(`${this.opts.label} is already running`);
    this.tail = new OutputTail();
    const tail = this.tail;
    let readySeen = this.opts.readyLine === undefined;
    let started = false;
    const stopWatching = tail.onLine((line) => {
      if (this.opts.readyLine?.test(line)) readySeen = true;
    });
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.expectingExit = false;
    trackChild(child);
    child.stdout?.on('data', (chunk: Buffer) => tail.push('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push('stderr', chunk));
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('close', (code, signal) => {
        tail.flush();
        if (!this.expectingExit && started) this.reportUnexpectedExit(code, signal);
        resolve();
      });
    });
    const dead = () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;

    try {
      const deadline = performance.now() + this.opts.startTimeoutMs;
      await waitForPing(this.opts.ping, { timeoutMs: this.opts.startTimeoutMs, isDead: dead });
      while (!readySeen) {
        if (dead()) throw new Error('the broker process exited before its ready line');
        if (performance.now() > deadline) throw new Error(`no ready line (${String(this.opts.readyLine)})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      started = true;
    } catch (err) {
      const exitedEarly = dead();
      if (!exitedEarly) await this.signalAndWait('SIGKILL');
      else await this.exitPromise;
      const why = spawnError
        ? `could not run ${spec.command}: ${spawnError.message}`
        : exitedEarly
          ? `exited during startup (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`
          : (err as Error).message;
      throw new BrokerStartError(`${this.opts.label} failed to start: ${why}`, tail.text(), exitedEarly);
    } finally {
      stopWatching();
    }
  }

  /** SIGTERM, then SIGKILL if it takes longer than the real server's shutdown (about 11 s). */
  async stop(): Promise<void> {
    if (!this.running) return this.exitPromise;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await this.signalAndWait('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (!this.running) return this.exitPromise;
    await this.signalAndWait('SIGKILL');
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    this.expectingExit = true;
    this.child?.kill(signal);
    await this.exitPromise;
  }

  private reportUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.unexpectedExit = `the ${this.opts.label} broker died unexpectedly (code ${String(code)}, signal ${String(signal)})\n${this.tail.text()}`;
    const banner = '!'.repeat(78);
    console.error(
      [
        banner,
        `@kubemq/testing: the ${this.opts.label} broker DIED UNEXPECTEDLY (code ${String(code)}, signal ${String(signal)}).`,
        'Tests using it will fail from now on. Its last output:',
        this.tail.text(),
        banner,
      ].join('\n'),
    );
  }
}
