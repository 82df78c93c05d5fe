// KubemqEmulator: a KubeMQ broker in process (docs/broker-behaviour.md). Wires config, store, engines,
// services and the gRPC server together; the CLI is a thin shell around it.
import { rmSync } from 'node:fs';
import { systemClock, type Clock } from './clock.js';
import { resolveConfig, type EmulatorConfig, type EmulatorOptions } from './config.js';
import { ChannelRegistry } from './engines/channels/registry.js';
import { EventsEngine } from './engines/events/events-engine.js';
import { SharedNatsConnection } from './engines/nats-connection.js';
import { ClientRegistry } from './engines/events-store/client-registry.js';
import { EventsStoreEngine } from './engines/events-store/events-store-engine.js';
import { QueryCache } from './engines/requests/query-cache.js';
import { RequestsEngine } from './engines/requests/requests-engine.js';
import { consoleLogger, type EmulatorLogger } from './log.js';
import type { ServiceContext } from './service/context.js';
import { createEventServices } from './service/events.js';
import { createPingService } from './service/ping.js';
import { createQueueServices } from './service/queues/index.js';
import { createRequestServices } from './service/requests.js';
import { fileStore, memoryStore, type Store } from './store/index.js';
import { startGrpcServer, type RunningServer } from './transport/grpc-server.js';
import type { MethodHandlers } from './transport/method-table.js';

/** Options of {@link KubemqEmulator.start}: the configuration plus the logger, clock and stop grace. */
export interface EmulatorStartOptions extends EmulatorOptions {
  /** A logger; default: console at `logLevel` (silent unless set). */
  logger?: EmulatorLogger | undefined;
  /** Time source (tests). */
  clock?: Clock | undefined;
  /**
   * How long stop() lets calls finish before dropping their connections (ms, default 0: at once,
   * as the server's SIGTERM stops its gRPC server before anything else). Emulator-only.
   */
  stopGraceMs?: number | undefined;
  /**
   * What a panic does (where the real server would crash, e.g. a queue upstream cancelled before
   * its half-close): `'stop'` (default) drops every connection and stops the broker for good;
   * `'exit'` ends the process with code 2, as a Go panic does (the CLI's choice).
   */
  onPanic?: 'stop' | 'exit' | undefined;
}

/**
 * A KubeMQ broker running in this process, speaking the server's gRPC API with the open-source
 * server's behaviour (docs/broker-behaviour.md), for tests and local development. Start one with
 * {@link KubemqEmulator.start}; stop it with {@link KubemqEmulator.stop} or `await using`.
 *
 * @example
 * ```ts
 * await using emulator = await KubemqEmulator.start({ port: 0 });
 * console.log(emulator.address); // e.g. 127.0.0.1:41234
 * ```
 */
export class KubemqEmulator implements AsyncDisposable {
  /** `host:port` to dial. */
  readonly address: string;
  private stopping: Promise<void> | undefined;
  private panicReason: string | undefined;

  private constructor(
    /** The effective configuration, with every default applied. */
    readonly config: EmulatorConfig,
    /** The port the gRPC server is bound to (the free port picked when `port: 0` was asked for). */
    readonly port: number,
    private readonly server: RunningServer,
    private readonly ctx: ServiceContext,
    private readonly store: Store,
    private readonly graceMs: number,
    private readonly onPanic: 'stop' | 'exit',
  ) {
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    this.address = `${host}:${port}`;
  }

  /** The address the gRPC server is bound to (`config.host`, default `127.0.0.1`). */
  get host(): string {
    return this.config.host;
  }

  /** Starts a broker; resolves when it accepts calls. `port: 0` picks a free port. */
  static async start(options: EmulatorStartOptions = {}): Promise<KubemqEmulator> {
    const config = resolveConfig(options);
    const log = options.logger ?? consoleLogger(config.logLevel);
    const clock = options.clock ?? systemClock;
    // Bound to the emulator once it exists: nothing can panic before the server accepts calls.
    let panicTarget = (_reason: string): void => undefined;
    const panic = (reason: string): void => panicTarget(reason);
    if (config.dataDir && config.cleanStore) rmSync(config.dataDir, { recursive: true, force: true });
    const store = config.dataDir ? fileStore(config.dataDir) : memoryStore();
    const channels = new ChannelRegistry(() => clock.nowMs());
    const ctx: ServiceContext = {
      config,
      clock,
      log,
      channels,
      events: new EventsEngine<Buffer>(channels),
      nats: new SharedNatsConnection(),
      eventsStore: new EventsStoreEngine({
        store,
        clock,
        channels,
        dropAfterMs: config.slowConsumerDropMs,
        retentionMs: config.retentionMinutes * 60_000,
        ackWaitMs: config.eventsStoreAckWaitMs,
        maxInflight: config.eventsStoreMaxInflight,
      }),
      clients: new ClientRegistry(clock, config.clientIdReleaseMs),
      requests: new RequestsEngine(clock, channels),
      queryCache: config.queryCache ? new QueryCache(clock) : undefined,
      queues: createQueueServices({ store, clock, config, log, panic }),
      startedAtMs: clock.nowMs(),
      panic,
    };
    const events = createEventServices(ctx);
    const requests = createRequestServices(ctx);
    const { ping } = createPingService(ctx);
    const q = ctx.queues;
    const handlers: MethodHandlers = {
      sendEvent: events.sendEvent,
      sendEventsStream: events.sendEventsStream,
      subscribeToEvents: events.subscribeToEvents,
      subscribeToRequests: requests.subscribeToRequests,
      sendRequest: requests.sendRequest,
      sendResponse: requests.sendResponse,
      sendQueueMessage: q.sendQueueMessage,
      sendQueueMessagesBatch: q.sendQueueMessagesBatch,
      receiveQueueMessages: q.receiveQueueMessages,
      streamQueueMessage: q.streamQueueMessage,
      ackAllQueueMessages: q.ackAllQueueMessages,
      ping,
      queuesDownstream: q.queuesDownstream,
      queuesUpstream: q.queuesUpstream,
      queuesInfo: q.queuesInfo,
    } as MethodHandlers;
    let server: RunningServer;
    try {
      server = await startGrpcServer(config, handlers, log, panic);
    } catch (err) {
      await closeEngines(ctx, store);
      throw err;
    }
    log.info('kubemq emulator started', { port: server.port, dataDir: config.dataDir ?? null });
    const emulator = new KubemqEmulator(config, server.port, server, ctx, store, options.stopGraceMs ?? 0, options.onPanic ?? 'stop');
    panicTarget = (reason) => emulator.panic(reason);
    return emulator;
  }

  /**
   * Why the broker died where the real server would have crashed (see `onPanic`), or undefined
   * while it has not. After a panic every call fails as against a dead server: UNAVAILABLE.
   */
  get panicked(): string | undefined {
    return this.panicReason;
  }

  private panic(reason: string): void {
    if (this.stopping) return; // calls cancelled by a stop are not a client's doing
    this.panicReason = reason;
    process.stderr.write(`kubemq-emulator: panic: ${reason}\n`);
    if (this.onPanic === 'exit') process.exit(2);
    this.stopping = (async () => {
      await this.server.close(0);
      await closeEngines(this.ctx, this.store);
    })();
  }

  /**
   * Stops the broker: drops every connection (after `stopGraceMs`, 0 by default), then stops
   * timers and flushes the store. Calls in flight end as on the server: their clients see the
   * connection go, not an answer. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.server.close(this.graceMs);
      await closeEngines(this.ctx, this.store);
      this.ctx.log.info('kubemq emulator stopped');
    })();
    return this.stopping;
  }

  /** Same as {@link KubemqEmulator.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

async function closeEngines(ctx: ServiceContext, store: Store): Promise<void> {
  ctx.requests.close();
  await ctx.queues.close();
  await ctx.eventsStore.close();
  ctx.clients.close();
  await store.close();
}
