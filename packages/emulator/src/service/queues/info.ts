// QueuesInfo (§2.4, §6 "Server"): the queues that exist (a message stored or a consumer came), filtered by trimmed name.
import type * as grpc from '@grpc/grpc-js';
import type { QueuesInfoRequest, QueuesInfoResponse } from '../../generated/kubemq.js';
import type { QueueContext } from './shared.js';

export function queuesInfoHandler(ctx: QueueContext): grpc.handleUnaryCall<QueuesInfoRequest, QueuesInfoResponse> {
  return (call, callback) => {
    // No ClientID check: QueuesInfo needs none (§3 "ClientID").
    callback(null, { RefRequestID: call.request.RequestID, Info: ctx.engine.info(call.request.QueueName) });
  };
}
