// StreamQueueMessage, the legacy one-message stream (§2.4 "Stream API v1", §6 "Queues";
// pkg/client/queue.go StreamQueueMessage). Requests are handled as they arrive, so a pending
// receive does not block an Ack (which then finds no active message). Validation errors keep
// the stream open; Error 138, visibility expiry and every successful settle end it. The stream's
// subscription stays in the queue's group until the stream ends, as the server's does.
import type * as grpc from '@grpc/grpc-js';
import type { TimerHandle } from '../../clock.js';
import { delivered, type StoredMessage } from '../../engines/queues/messages.js';
import { nuid } from '../../engines/ids.js';
import { StreamRequestType, type QueueMessage, type StreamQueueMessagesRequest, type StreamQueueMessagesResponse } from '../../generated/kubemq.js';
import {
  ERR_124_NO_ACTIVE_ACK,
  ERR_125_ACK_SEQUENCE,
  ERR_126_NO_ACTIVE_SEND,
  ERR_128_SUBSCRIPTION_ACTIVE,
  ERR_129_VISIBILITY_EXPIRED,
  ERR_130_SENDING,
  ERR_137_NO_ACTIVE_REJECT,
  ERR_138_NO_NEW_MESSAGE,
} from '../errors.js';
import { replyWithBackpressure } from '../../transport/reply-backpressure.js';
import { endStreamOk } from '../status.js';
import { consumeError, failedResult, sendBatch, waitMs, type QueueContext } from './shared.js';
import { streamRequestError } from './validation.js';

function ok(req: StreamQueueMessagesRequest, message?: QueueMessage): StreamQueueMessagesResponse {
  return { RequestID: req.RequestID, StreamRequestTypeData: req.StreamRequestTypeData, Message: message, IsError: false, Error: '' };
}

function failed(req: StreamQueueMessagesRequest, error: string): StreamQueueMessagesResponse {
  return { RequestID: req.RequestID, StreamRequestTypeData: req.StreamRequestTypeData, Message: undefined, IsError: true, Error: error };
}

export function streamQueueMessageHandler(ctx: QueueContext): grpc.handleBidiStreamingCall<StreamQueueMessagesRequest, StreamQueueMessagesResponse> {
  return (call) => {
    const { engine, clock, limits } = ctx;
    const gone = new AbortController();
    let finished = false;
    let subscribed = false;
    let channel = '';
    let current: StoredMessage | undefined;
    let shown: QueueMessage | undefined;
    /** Takes the stream's subscription out of the queue's group; set once a message came. */
    let leaveQueue: (() => void) | undefined;
    let lastRequest: StreamQueueMessagesRequest | undefined;
    let visibilityTimer: TimerHandle | undefined;
    /** The broker stopped: the call is gone with its connection, so no status goes out. */
    let brokerStopped = false;

    const reply = replyWithBackpressure(call, { method: 'StreamQueueMessage', log: ctx.log });
    const write = (r: StreamQueueMessagesResponse): void => {
      if (!finished && !call.cancelled) reply(r);
    };
    /** The server returns from the handler: status OK, with an empty status message. */
    const end = (): void => {
      if (finished) return;
      finished = true;
      if (visibilityTimer !== undefined) clock.clearTimeout(visibilityTimer);
      gone.abort();
      leaveQueue?.();
      ctx.streams.delete(stopByBroker);
      if (!call.cancelled && !brokerStopped) endStreamOk(call);
    };
    const startVisibility = (seconds: number): void => {
      if (visibilityTimer !== undefined) clock.clearTimeout(visibilityTimer);
      visibilityTimer = clock.setTimeout(() => {
        visibilityTimer = undefined;
        if (finished) return;
        // §2.4: expiry → Error 129, the message is requeued (negative settle), the stream ends.
        write(failed(lastRequest as StreamQueueMessagesRequest, ERR_129_VISIBILITY_EXPIRED));
        if (current) engine.nack(channel, [current]);
        current = undefined;
        end();
      }, seconds * 1000);
    };
    const visibilitySeconds = (v: number): number => (v === 0 ? limits.defaultVisibilitySeconds : v);

    const receive = (req: StreamQueueMessagesRequest): void => {
      if (subscribed) {
        write(failed(req, ERR_128_SUBSCRIPTION_ACTIVE));
        return;
      }
      const refused = consumeError(ctx, req.Channel);
      if (refused !== undefined) {
        write(failed(req, refused)); // the subscription failed: the stream stays open
        return;
      }
      subscribed = true;
      channel = req.Channel;
      const visibility = visibilitySeconds(req.VisibilitySeconds);
      void engine.receiveOne(channel, waitMs(req.WaitTimeSeconds, limits), gone.signal).then((got) => {
        if (finished) {
          if (got) {
            engine.nack(channel, [got.message]); // the client left while it arrived: negative settle
            got.leave();
          }
          return;
        }
        if (!got) {
          write(failed(req, ERR_138_NO_NEW_MESSAGE)); // §5.2: not an error, the queue was empty
          end();
          return;
        }
        current = got.message;
        leaveQueue = got.leave;
        shown = delivered(current);
        startVisibility(visibility);
        write(ok(req, shown));
      });
    };

    const resendCopy = (msg: QueueMessage): boolean => {
      const r = sendBatch(ctx, [msg]).results[0] ?? failedResult(msg.MessageID, ERR_130_SENDING);
      return !r.IsError;
    };

    const handle = (req: StreamQueueMessagesRequest): void => {
      if (req.RequestID === '') req.RequestID = nuid();
      lastRequest = req;
      const error = streamRequestError(req, limits);
      if (error !== undefined) {
        write(failed(req, error)); // validation errors keep the stream open (§6)
        return;
      }
      switch (req.StreamRequestTypeData) {
        case StreamRequestType.ReceiveMessage:
          receive(req);
          return;
        case StreamRequestType.AckMessage:
          if (!current) return write(failed(req, ERR_124_NO_ACTIVE_ACK));
          // §6: a wrong RefSequence also says Error 125.
          if (BigInt(current.seq) !== req.RefSequence) return write(failed(req, ERR_125_ACK_SEQUENCE));
          engine.ack(channel, [current]);
          current = undefined;
          write(ok(req));
          return end();
        case StreamRequestType.RejectMessage:
          if (!current) return write(failed(req, ERR_137_NO_ACTIVE_REJECT));
          if (BigInt(current.seq) !== req.RefSequence) return write(failed(req, ERR_125_ACK_SEQUENCE));
          engine.nack(channel, [current]);
          current = undefined;
          write(ok(req));
          return end();
        case StreamRequestType.ModifyVisibility:
          // The server resets the timer without looking for an active message.
          startVisibility(visibilitySeconds(req.VisibilitySeconds));
          return write(ok(req));
        case StreamRequestType.ResendMessage: {
          if (!current || !shown) return write(failed(req, ERR_126_NO_ACTIVE_SEND));
          const copy: QueueMessage = { ...shown, Channel: req.Channel, Tags: { ...shown.Tags }, Attributes: undefined };
          if (!resendCopy(copy)) return write(failed(req, ERR_130_SENDING));
          engine.ack(channel, [current]);
          current = undefined;
          write(ok(req));
          return end();
        }
        case StreamRequestType.SendModifiedMessage: {
          if (!current) return write(failed(req, ERR_124_NO_ACTIVE_ACK));
          const modified = req.ModifiedMessage as QueueMessage;
          modified.Attributes = undefined;
          if (!resendCopy(modified)) return write(failed(req, ERR_130_SENDING));
          engine.ack(channel, [current]);
          current = undefined;
          write(ok(req));
          return end();
        }
      }
    };

    // The stream runs on one of the server's pooled downstream clients and holds it to its end
    // (downstream-clients.ts); until that client is free, its requests wait.
    let onClient = false;
    const early: StreamQueueMessagesRequest[] = [];
    void ctx.downstreamClients.run(
      () =>
        new Promise<void>((release) => {
          onClient = true;
          for (const req of early.splice(0)) if (!finished) handle(req);
          if (finished) release();
          else gone.signal.addEventListener('abort', () => release(), { once: true });
        }),
    );
    call.on('data', (req: StreamQueueMessagesRequest) => {
      if (finished) return;
      if (onClient) handle(req);
      else early.push(req);
    });
    call.on('end', () => undefined); // §5.3: half-close is ignored
    const disconnect = (): void => {
      if (finished) return;
      // §2.4: a disconnect with a message in flight is a negative settle.
      if (current) engine.nack(channel, [current]);
      current = undefined;
      end();
    };
    const stopByBroker = (): void => {
      brokerStopped = true;
      disconnect();
    };
    ctx.streams.add(stopByBroker);
    call.on('cancelled', disconnect);
    call.on('error', disconnect);
  };
}
