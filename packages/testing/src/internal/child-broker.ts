import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { groupRuns, signalGroup, trackChild } from './cleanup.js';
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

/**
 * Thrown when a broker cannot be had: the child exits or never answers (carrying the output it
 * wrote), or the external broker of KUBEMQ_ADDRESS does not answer (no output: none was started).
 */
export class BrokerStartError extends Error {
  /** Always `'BrokerStartError'`. */
  override readonly name = 'BrokerStartError';
  constructor(
    message: string,
    /** The last lines (at most 80) the broker process wrote to stdout and stderr before it failed; empty for an external broker. */
    readonly output: string,
    /** True when the process exited on its own during startup; false when it was killed for not answering in time, or was external. */
    readonly exitedEarly: boolean,
  ) {
    super(output === '' ? message : `${message}\n--- last output ---\n${output}`);
  }
}

const STOP_GRACE_MS = 20_000;
/** How long after a process exits its output pipes may stay open (a wrapper's orphaned child) before we stop reading. */
const CLOSE_GRACE_MS = 500;
/** How long a process group killed with its leader may take to go. */
const GROUP_GONE_MS = 1000;

/** Resolves once no process of the group `pid` leads runs any more (at most GROUP_GONE_MS). */
async function groupGone(pid: number | undefined): Promise<void> {
  if (pid === undefined || process.platform === 'win32') return;
  const deadline = performance.now() + GROUP_GONE_MS;
  while (groupRuns(pid) && performance.now() < deadline) await delay(10);
}

/**
 * One broker process: starts it, knows when it is ready, stops or kills it, and reports loudly
 * when it dies on its own (the real server can crash on an aborted QueuesUpstream: broker-behaviour.md §5.3).
 */
export class ChildBroker {
  private child: ChildProcess | undefined;
  private tail = new OutputTail();
  private expectingExit = false;
  /** The signals stop() and kill() sent the current process. */
  private sentSignals = new Set<NodeJS.Signals>();
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
      // A process group of its own: stop() and kill() reach a wrapper script's children too.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    this.expectingExit = false;
    this.sentSignals = new Set();
    const sentSignals = this.sentSignals;
    trackChild(child);
    // A broker nobody stopped must not keep the test process alive (jest would wait, or
    // force-exit its worker); stop(), kill() and start() hold it while they wait for it.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdout?.on('data', (chunk: Buffer) => tail.push('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push('stderr', chunk));
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        // What is left of its group (a wrapper's child) goes with it, before a restart reuses its port.
        signalGroup(child, 'SIGKILL');
        // Its last output may still be in the pipes; a child that outlived it may hold them open.
        const closed = new Promise<void>((r) => child.once('close', () => r()));
        let timer: NodeJS.Timeout | undefined;
        const pipes = Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
        void Promise.all([pipes, groupGone(child.pid)]).then(() => {
          clearTimeout(timer);
          child.stdout?.destroy();
          child.stderr?.destroy();
          tail.flush();
          // Ours only if we asked for it and it ended as asked: a death already under way when
          // stop() came (its 'exit' not yet seen) is still a crash.
          const asked =
            this.expectingExit &&
            (code === 0 || (signal !== null && sentSignals.has(signal)) || [...sentSignals].some((s) => code === 128 + constants.signals[s]));
          if (!asked && started) this.reportUnexpectedExit(code, signal);
          resolve();
        });
      });
      child.once('error', () => {
        if (child.pid === undefined) resolve(); // never ran: no 'exit' will come
      });
    });
    const dead = () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;

    try {
      const deadline = performance.now() + this.opts.startTimeoutMs;
      await waitForPing(this.opts.ping, { timeoutMs: this.opts.startTimeoutMs, isDead: dead });
      while (!readySeen) {
        if (dead()) throw new Error('the broker process exited before its ready line');
        if (performance.now() > deadline) throw new Error(`no ready line (${String(this.opts.readyLine)})`);
        await delay(50);
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
    const timer = setTimeout(() => this.signal('SIGKILL'), STOP_GRACE_MS);
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

  private signal(signal: NodeJS.Signals): void {
    if (this.child === undefined) return;
    this.sentSignals.add(signal);
    signalGroup(this.child, signal);
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    this.expectingExit = true;
    this.child?.ref(); // the wait must keep this process alive
    try {
      this.signal(signal);
      await this.exitPromise;
    } finally {
      this.child?.unref();
    }
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
