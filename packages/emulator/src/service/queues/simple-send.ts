// SendQueueMessage and SendQueueMessagesBatch (§2.4 "Send", §5.1).
import * as grpc from '@grpc/grpc-js';
import type { QueueMessage, QueueMessagesBatchRequest, QueueMessagesBatchResponse, SendQueueMessageResult } from '../../generated/kubemq.js';
import { EMPTY_MESSAGES_BATCH } from '../errors.js';
import { sendBatch, type QueueContext } from './shared.js';

export function sendQueueMessageHandler(ctx: QueueContext): grpc.handleUnaryCall<QueueMessage, SendQueueMessageResult> {
  return (call, callback) => {
    // Errors travel in Result.IsError/Error with gRPC OK (§5.1).
    const { results } = sendBatch(ctx, [call.request]);
    callback(null, results[0]);
  };
}

export function sendQueueMessagesBatchHandler(ctx: QueueContext): grpc.handleUnaryCall<QueueMessagesBatchRequest, QueueMessagesBatchResponse> {
  return (call, callback) => {
    const batch = call.request;
    // §2.4/§5.1: an empty batch is a raw error, gRPC UNKNOWN.
    if (batch.Messages.length === 0) {
      callback({ code: grpc.status.UNKNOWN, details: EMPTY_MESSAGES_BATCH });
      return;
    }
    const { results, haveErrors } = sendBatch(ctx, batch.Messages);
    callback(null, { BatchID: batch.BatchID, Results: results, HaveErrors: haveErrors });
  };
}
