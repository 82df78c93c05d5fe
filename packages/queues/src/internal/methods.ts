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
} from '@kubemq/core/internal';

export const SEND_QUEUE_MESSAGE = /* @__PURE__ */ unaryMethod('SendQueueMessage', QueueMessage, SendQueueMessageResult);
export const SEND_QUEUE_MESSAGES_BATCH = /* @__PURE__ */ unaryMethod(
  'SendQueueMessagesBatch',
  QueueMessagesBatchRequest,
  QueueMessagesBatchResponse,
);
export const RECEIVE_QUEUE_MESSAGES = /* @__PURE__ */ unaryMethod(
  'ReceiveQueueMessages',
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
);
export const ACK_ALL_QUEUE_MESSAGES = /* @__PURE__ */ unaryMethod(
  'AckAllQueueMessages',
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
);
export const QUEUES_INFO = /* @__PURE__ */ unaryMethod('QueuesInfo', QueuesInfoRequest, QueuesInfoResponse);
export const QUEUES_UPSTREAM = /* @__PURE__ */ bidiStreamMethod('QueuesUpstream', QueuesUpstreamRequest, QueuesUpstreamResponse);
export const QUEUES_DOWNSTREAM = /* @__PURE__ */ bidiStreamMethod(
  'QueuesDownstream',
  QueuesDownstreamRequest,
  QueuesDownstreamResponse,
);
