// The queue RPCs: the entry point the transport wires into the method table.
import { setMaxListeners } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../clock.js';
import type { EmulatorConfig } from '../../config.js';
import { QueueEngine } from '../../engines/queues/engine.js';
import type {
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  QueueMessage,
  QueueMessagesBatchRequest,
  QueueMessagesBatchResponse,
  QueuesDownstreamRequest,
  QueuesDownstreamResponse,
  QueuesInfoRequest,
  QueuesInfoResponse,
  QueuesUpstreamRequest,
  QueuesUpstreamResponse,
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
  SendQueueMessageResult,
  StreamQueueMessagesRequest,
  StreamQueueMessagesResponse,
} from '../../generated/kubemq.js';
import type { EmulatorLogger } from '../../log.js';
import type { Store } from '../../store/store.js';
import { queuesDownstreamHandler } from './downstream.js';
import { queuesInfoHandler } from './info.js';
import { DownstreamClients } from './downstream-clients.js';
import { ReceiverLanes } from './receiver-lanes.js';
import type { QueueContext } from './shared.js';
import { sendQueueMessageHandler, sendQueueMessagesBatchHandler } from './simple-send.js';
import { ackAllQueueMessagesHandler, receiveQueueMessagesHandler } from './simple-receive.js';
import { streamQueueMessageHandler } from './stream-v1.js';
import { queuesUpstreamHandler } from './upstream.js';
import { queueMessageError } from './validation.js';

export interface QueueServiceDeps {
  store: Store;
  clock: Clock;
  config: EmulatorConfig;
  log: EmulatorLogger;
  /** Where the real server would crash (ServiceContext.panic). */
  panic(reason: string): void;
}

export interface QueueServices {
  sendQueueMessage: grpc.handleUnaryCall<QueueMessage, SendQueueMessageResult>;
  sendQueueMessagesBatch: grpc.handleUnaryCall<QueueMessagesBatchRequest, QueueMessagesBatchResponse>;
  receiveQueueMessages: grpc.handleUnaryCall<ReceiveQueueMessagesRequest, ReceiveQueueMessagesResponse>;
  ackAllQueueMessages: grpc.handleUnaryCall<AckAllQueueMessagesRequest, AckAllQueueMessagesResponse>;
  streamQueueMessage: grpc.handleBidiStreamingCall<StreamQueueMessagesRequest, StreamQueueMessagesResponse>;
  queuesDownstream: grpc.handleBidiStreamingCall<QueuesDownstreamRequest, QueuesDownstreamResponse>;
  queuesUpstream: grpc.handleBidiStreamingCall<QueuesUpstreamRequest, QueuesUpstreamResponse>;
  queuesInfo: grpc.handleUnaryCall<QueuesInfoRequest, QueuesInfoResponse>;
  /**
   * A graceful stop, as the server's: every call ends, the store closes (what consumers still
   * hold then is stranded, §5.3) and timers stop. Appends are synchronous: nothing is left to flush.
   */
  close(): Promise<void>;
}

/**
 * How long after its gRPC stop the server's store closes, at least: its services' close sleeps
 * 100 ms and then 1 s before it. The emulator counts 1 s, the less forgiving side.
 */
const STORE_CLOSES_AFTER_MS = 1000;

export function createQueueServices(deps: QueueServiceDeps): QueueServices {
  const limits = deps.config.queue;
  const engine = new QueueEngine({
    store: deps.store,
    clock: deps.clock,
    limits,
    log: deps.log,
    validate: (m) => queueMessageError(m, limits),
    retentionMs: deps.config.retentionMinutes * 60_000,
  });
  const stopping = new AbortController();
  // Every waiting Get listens to it: past 10, Node would warn of a leak in the user's test output.
  setMaxListeners(0, stopping.signal);
  const receivers = new ReceiverLanes(deps.clock);
  const downstreamClients = new DownstreamClients();
  const streams = new Set<() => void>();
  const ctx: QueueContext = { engine, limits, clock: deps.clock, log: deps.log, panic: deps.panic, stopping: stopping.signal, receivers, downstreamClients, streams };
  return {
    sendQueueMessage: sendQueueMessageHandler(ctx),
    sendQueueMessagesBatch: sendQueueMessagesBatchHandler(ctx),
    receiveQueueMessages: receiveQueueMessagesHandler(ctx),
    ackAllQueueMessages: ackAllQueueMessagesHandler(ctx),
    streamQueueMessage: streamQueueMessageHandler(ctx),
    queuesDownstream: queuesDownstreamHandler(ctx),
    queuesUpstream: queuesUpstreamHandler(ctx),
    queuesInfo: queuesInfoHandler(ctx),
    close: async () => {
      // The gRPC server stopped first, ending every call (the transport may report it later).
      for (const end of [...streams]) end();
      // Downstream Gets run on the server's own context: those whose wait ends before the store
      // closes answer, and their streams then close their transactions (one macrotask: promises).
      engine.finishGetsWithin(STORE_CLOSES_AFTER_MS);
      await new Promise((r) => setImmediate(r));
      engine.close();
      stopping.abort(); // the Gets still waiting were stranded by the close: end their waits
      receivers.close();
    },
  };
}
