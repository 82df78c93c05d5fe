// The queue RPCs this package calls, and nothing else. Each descriptor is pure, so a bundle holds
// only the codecs of the calls an app makes (no upstream codecs without queueUpstream()).
import {
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  bidiStreamMethod,
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
  unaryMethod,
  type MethodDescriptor,
} from '@kubemq/core/internal';

// Typed, not inferred: tsc would name core's descriptor type by a path into core's files in this
// package's declarations.
export const SEND_QUEUE_MESSAGE: MethodDescriptor<QueueMessage, SendQueueMessageResult> = /* @__PURE__ */ unaryMethod('SendQueueMessage', QueueMessage, SendQueueMessageResult);
export const SEND_QUEUE_MESSAGES_BATCH: MethodDescriptor<QueueMessagesBatchRequest, QueueMessagesBatchResponse> = /* @__PURE__ */ unaryMethod(
  'SendQueueMessagesBatch',
  QueueMessagesBatchRequest,
  QueueMessagesBatchResponse,
);
export const RECEIVE_QUEUE_MESSAGES: MethodDescriptor<ReceiveQueueMessagesRequest, ReceiveQueueMessagesResponse> = /* @__PURE__ */ unaryMethod(
  'ReceiveQueueMessages',
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
);
export const ACK_ALL_QUEUE_MESSAGES: MethodDescriptor<AckAllQueueMessagesRequest, AckAllQueueMessagesResponse> = /* @__PURE__ */ unaryMethod(
  'AckAllQueueMessages',
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
);
export const QUEUES_INFO: MethodDescriptor<QueuesInfoRequest, QueuesInfoResponse> = /* @__PURE__ */ unaryMethod('QueuesInfo', QueuesInfoRequest, QueuesInfoResponse);
export const QUEUES_UPSTREAM: MethodDescriptor<QueuesUpstreamRequest, QueuesUpstreamResponse> = /* @__PURE__ */ bidiStreamMethod('QueuesUpstream', QueuesUpstreamRequest, QueuesUpstreamResponse);
export const QUEUES_DOWNSTREAM: MethodDescriptor<QueuesDownstreamRequest, QueuesDownstreamResponse> = /* @__PURE__ */ bidiStreamMethod(
  'QueuesDownstream',
  QueuesDownstreamRequest,
  QueuesDownstreamResponse,
);
