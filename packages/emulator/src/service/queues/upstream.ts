// QueuesUpstream (§2.4, services/array/array_queues_upstream.go): each request is a batch
// send answered by RefRequestID, not necessarily in request order. The server ignores half-close (§5.3): the call stays open
// until the client cancels.
import type * as grpc from '@grpc/grpc-js';
import type { QueuesUpstreamRequest, QueuesUpstreamResponse } from '../../generated/kubemq.js';
import { replyWithBackpressure } from '../../transport/reply-backpressure.js';
import { sendBatch, type QueueContext } from './shared.js';
import { UPSTREAM_NO_MESSAGES } from './texts.js';

export function queuesUpstreamHandler(ctx: QueueContext): grpc.handleBidiStreamingCall<QueuesUpstreamRequest, QueuesUpstreamResponse> {
  return (call) => {
    let halfClosed = false;
    let answered = 0;
    let received = 0;
    const reply = replyWithBackpressure(call, { method: 'QueuesUpstream', log: ctx.log });
    // §2.4: the server runs each request in its own goroutine, so responses may arrive out of
    // order. We store each request as it comes (before any answer), then answer the requests that
    // arrived in the same turn of the event loop smallest first, as concurrent work would finish.
    let batch: QueuesUpstreamResponse[] = [];
    const flush = (): void => {
      const out = batch;
      batch = [];
      if (out.length > 1) out.sort((a, b) => a.Results.length - b.Results.length);
      for (const resp of out) {
        answered++;
        if (!call.cancelled) reply(resp);
      }
    };
    call.on('data', (req: QueuesUpstreamRequest) => {
      received++;
      // §6: an empty RequestID stays empty in RefRequestID.
      let resp: QueuesUpstreamResponse;
      if (req.Messages.length === 0) {
        resp = { RefRequestID: req.RequestID, Results: [], IsError: true, Error: UPSTREAM_NO_MESSAGES };
      } else {
        // §6: IsError stays false even when items failed; each result says.
        resp = { RefRequestID: req.RequestID, Results: sendBatch(ctx, req.Messages).results, IsError: false, Error: '' };
      }
      if (batch.length === 0) setImmediate(flush);
      batch.push(resp);
    });
    call.on('end', () => {
      halfClosed = true; // §5.3: ignored; the RPC stays open until the client cancels
    });
    call.on('cancelled', () => {
      // §5.3: the real server may crash (nil dereference) when a client cancels an upstream
      // without half-closing first. We stay up, but say so loudly for SDK tests to notice.
      if (!halfClosed) {
        ctx.log.warn('QueuesUpstream cancelled without half-close: a real KubeMQ server may crash here (broker-behaviour.md §5.3)', {
          requests: received,
          answered,
        });
      }
    });
    call.on('error', () => undefined);
  };
}
