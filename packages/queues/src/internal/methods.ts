// The queue RPCs this package calls, and nothing else (so a bundle holds only these codecs).
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

export const SEND_QUEUE_MESSAGE = unaryMethod('SendQueueMessage', QueueMessage, SendQueueMessageResult);
export const SEND_QUEUE_MESSAGES_BATCH = unaryMethod(
  'SendQueueMessagesBatch',
  QueueMessagesBatchRequest,
  QueueMessagesBatchResponse,
);
export const RECEIVE_QUEUE_MESSAGES = unaryMethod(
  'ReceiveQueueMessages',
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
);
export const ACK_ALL_QUEUE_MESSAGES = unaryMethod(
  'AckAllQueueMessages',
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
);
export const QUEUES_INFO = unaryMethod('QueuesInfo', QueuesInfoRequest, QueuesInfoResponse);
export const QUEUES_UPSTREAM = bidiStreamMethod('QueuesUpstream', QueuesUpstreamRequest, QueuesUpstreamResponse);
export const QUEUES_DOWNSTREAM = bidiStreamMethod(
  'QueuesDownstream',
  QueuesDownstreamRequest,
  QueuesDownstreamResponse,
);
