import { rm } from 'node:fs/promises';
import { BrokerStartError, ChildBroker, type LaunchSpec } from '../internal/child-broker.js';
import { untrackDir } from '../internal/cleanup.js';
import type { PingTarget } from '../internal/ping.js';
import { findFreePorts } from '../internal/ports.js';
import type { BrokerCapabilities, BrokerKind, KubemqBroker, RestartOptions } from '../types.js';

/** The store a (re)start begins with. */
export type StoreAtStart = 'new' | 'wiped' | 'kept';

export interface ProcessBrokerSpec {
  kind: Extract<BrokerKind, 'binary' | 'emulator'>;
  capabilities: BrokerCapabilities;
  /** The temp dir this broker owns; removed on dispose. */
  tempDir: string;
  /** How many free ports to find; the first is the gRPC port. */
  portCount: number;
  /** `store`: a first start's new store, one a restart({ cleanStore: true }) wipes, or the one kept. */
  launch(ports: number[], store: StoreAtStart): LaunchSpec;
  ping(address: string): PingTarget;
  readyLine?: RegExp;
  startTimeoutMs: number;
}

const PORT_ATTEMPTS = 4;
const PORT_IN_USE = /EADDRINUSE|address already in use|cannot listen|port .*(in use|taken)/i;

/** A broker in a child process (a real binary or the emulator's CLI). */
export class ProcessBroker implements KubemqBroker {
  readonly kind: ProcessBrokerSpec['kind'];
  readonly capabilities: BrokerCapabilities;
  private ports: number[] = [];
  private child: ChildBroker | undefined;
  private crashes: string[] = [];
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly spec: ProcessBrokerSpec) {
    this.kind = spec.kind;
    this.capabilities = spec.capabilities;
  }

  /** Starts on free ports, trying new ones when another process took them in between. */
  static async start(spec: ProcessBrokerSpec): Promise<ProcessBroker> {
    const broker = new ProcessBroker(spec);
    try {
      for (let attempt = 1; ; attempt++) {
        broker.ports = await findFreePorts(spec.portCount);
        broker.child = broker.newChild();
        try {
          await broker.launch('new');
          return broker;
        } catch (err) {
          const portTaken = err instanceof BrokerStartError && err.exitedEarly && PORT_IN_USE.test(err.output);
          if (!portTaken || attempt >= PORT_ATTEMPTS) throw err;
        }
      }
    } catch (err) {
      await broker.removeTempDir();
      throw err;
    }
  }

  /** Unexpected deaths so far (the real server can crash: broker-behaviour.md §5.3); empty when none. */
  get crashReports(): readonly string[] {
    const current = this.child?.unexpectedExit;
    return current !== undefined ? [...this.crashes, current] : this.crashes;
  }

  get workDir(): string {
    return this.spec.tempDir;
  }

  get address(): string {
    return `127.0.0.1:${String(this.ports[0])}`;
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      await this.child?.stop();
    });
  }

  kill(): Promise<void> {
    return this.serial(async () => {
      await this.child?.kill();
    });
  }

  restart(options: RestartOptions = {}): Promise<void> {
    return this.serial(async () => {
      if (this.disposed) throw new Error(`the ${this.kind} broker at ${this.address} was disposed; start a new one`);
      await this.child?.stop();
      if (this.child?.unexpectedExit !== undefined) this.crashes.push(this.child.unexpectedExit);
      this.child = this.newChild();
      await this.launch(options.cleanStore === true ? 'wiped' : 'kept');
    });
  }

  /** Final stop: the process and its temp dir (store, config, TLS files) are gone. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.serial(async () => {
      if (this.disposed) return;
      this.disposed = true;
      await this.child?.stop();
      await this.removeTempDir();
    });
  }

  /** Starts the current child. */
  private async launch(store: StoreAtStart): Promise<void> {
    await (this.child as ChildBroker).start(this.spec.launch(this.ports, store));
  }

  private newChild(): ChildBroker {
    return new ChildBroker({
      label: `${this.kind} 127.0.0.1:${String(this.ports[0])}`,
      ping: this.spec.ping(`127.0.0.1:${String(this.ports[0])}`),
      readyLine: this.spec.readyLine,
      startTimeoutMs: this.spec.startTimeoutMs,
    });
  }

  private async removeTempDir(): Promise<void> {
    await rm(this.spec.tempDir, { recursive: true, force: true, maxRetries: 3 });
    untrackDir(this.spec.tempDir);
  }

  /** One lifecycle operation at a time (a restart racing a kill would leave two processes). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
