// What every service file works with: config, clock, logger and the engines.
import type { Clock } from '../clock.js';
import type { EmulatorConfig } from '../config.js';
import type { ChannelRegistry } from '../engines/channels/registry.js';
import type { EventsEngine } from '../engines/events/events-engine.js';
import type { ClientRegistry } from '../engines/events-store/client-registry.js';
import type { EventsStoreEngine } from '../engines/events-store/events-store-engine.js';
import type { SharedNatsConnection } from '../engines/nats-connection.js';
import type { QueryCache } from '../engines/requests/query-cache.js';
import type { RequestsEngine } from '../engines/requests/requests-engine.js';
import type { EmulatorLogger } from '../log.js';
import type { QueueServices } from './queues/index.js';

export interface ServiceContext {
  readonly config: EmulatorConfig;
  readonly clock: Clock;
  readonly log: EmulatorLogger;
  readonly channels: ChannelRegistry;
  /** Events carry their encoded EventReceive, shared by every subscriber. */
  readonly events: EventsEngine<Buffer>;
  readonly eventsStore: EventsStoreEngine;
  /** The one NATS connection that events, requests and responses are published on (§6). */
  readonly nats: SharedNatsConnection;
  readonly clients: ClientRegistry;
  readonly requests: RequestsEngine;
  /** Present when the emulator-only query cache is on. */
  readonly queryCache: QueryCache | undefined;
  readonly queues: QueueServices;
  /** Unix ms when the emulator started. */
  readonly startedAtMs: number;
  /**
   * The real server would crash here (a nil dereference it does not recover from): the broker
   * dies at once, as that process would. Nothing after a stop began counts.
   */
  panic(reason: string): void;
}

/** §6 quirk kept on purpose: a channel name that made a malformed NATS line closed the shared connection. */
export function natsConnectionBroken(ctx: ServiceContext, channel: string): void {
  ctx.log.warn('the shared NATS connection was closed by a control character in a channel name (broker-behaviour.md §6); restart to recover', {
    channel: JSON.stringify(channel),
  });
}
