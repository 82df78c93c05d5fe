// ReceiveQueueMessages (receive and peek) and AckAllQueueMessages (§2.4).
import type * as grpc from '@grpc/grpc-js';
import { nuid } from '../../engines/ids.js';
import type {
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
} from '../../generated/kubemq.js';
import { waitMs, type QueueContext } from './shared.js';
import { ackAllError, receiveError, subscribeError } from './validation.js';

function abortOnCancel(call: grpc.ServerUnaryCall<unknown, unknown>): AbortSignal {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort());
  return ac.signal;
}

export function receiveQueueMessagesHandler(ctx: QueueContext): grpc.handleUnaryCall<ReceiveQueueMessagesRequest, ReceiveQueueMessagesResponse> {
  return (call, callback) => {
    const req = call.request;
    const requestId = req.RequestID || nuid();
    const base: ReceiveQueueMessagesResponse = {
      RequestID: requestId,
      Messages: [],
      MessagesReceived: 0,
      MessagesExpired: 0,
      IsPeak: req.IsPeak,
      IsError: false,
      Error: '',
    };
    const error = receiveError(req, ctx.limits) ?? subscribeError(req.Channel);
    if (error !== undefined) {
      callback(null, { ...base, IsError: true, Error: error });
      return;
    }
    const signal = abortOnCancel(call);
    ctx.engine
      .receive(req.Channel, { max: req.MaxNumberOfMessages, waitMs: waitMs(req.WaitTimeSeconds, ctx.limits), peek: req.IsPeak, signal })
      .then(
        ({ messages, expired }) => {
          if (signal.aborted) return;
          callback(null, { ...base, Messages: messages, MessagesReceived: messages.length, MessagesExpired: expired });
        },
        (err: unknown) => callback(err as Error),
      );
  };
}

export function ackAllQueueMessagesHandler(ctx: QueueContext): grpc.handleUnaryCall<AckAllQueueMessagesRequest, AckAllQueueMessagesResponse> {
  return (call, callback) => {
    const req = call.request;
    const requestId = req.RequestID || nuid();
    const error = ackAllError(req, ctx.limits) ?? subscribeError(req.Channel);
    if (error !== undefined) {
      callback(null, { RequestID: requestId, AffectedMessages: 0n, IsError: true, Error: error });
      return;
    }
    const signal = abortOnCancel(call);
    ctx.engine.ackAll(req.Channel, waitMs(req.WaitTimeSeconds, ctx.limits), signal).then(
      (count) => {
        if (signal.aborted) return;
        callback(null, { RequestID: requestId, AffectedMessages: BigInt(count), IsError: false, Error: '' });
      },
      (err: unknown) => callback(err as Error),
    );
  };
}
