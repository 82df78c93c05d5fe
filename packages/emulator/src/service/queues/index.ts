// The queue RPCs: the entry point the transport wires into the method table.
import * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../clock.js';
import type { EmulatorConfig } from '../../config.js';
import type { EmulatorLogger } from '../../log.js';
import type { Store } from '../../store/store.js';
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

export interface QueueServiceDeps {
  store: Store;
  clock: Clock;
  config: EmulatorConfig;
  log: EmulatorLogger;
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
  /** Stops timers (delay scan) and flushes state. */
  close(): Promise<void>;
}

// First wiring contract: every handler answers UNIMPLEMENTED until the engine lands.
export function createQueueServices(_deps: QueueServiceDeps): QueueServices {
  const unary = (cb: grpc.sendUnaryData<never>) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'queues: not wired yet' });
  const stream = (call: grpc.ServerDuplexStream<unknown, unknown>) =>
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'queues: not wired yet' });
  return {
    sendQueueMessage: (_c, cb) => unary(cb as grpc.sendUnaryData<never>),
    sendQueueMessagesBatch: (_c, cb) => unary(cb as grpc.sendUnaryData<never>),
    receiveQueueMessages: (_c, cb) => unary(cb as grpc.sendUnaryData<never>),
    ackAllQueueMessages: (_c, cb) => unary(cb as grpc.sendUnaryData<never>),
    streamQueueMessage: (c) => stream(c as grpc.ServerDuplexStream<unknown, unknown>),
    queuesDownstream: (c) => stream(c as grpc.ServerDuplexStream<unknown, unknown>),
    queuesUpstream: (c) => stream(c as grpc.ServerDuplexStream<unknown, unknown>),
    queuesInfo: (_c, cb) => unary(cb as grpc.sendUnaryData<never>),
    close: async () => undefined,
  };
}
