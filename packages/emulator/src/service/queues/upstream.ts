// QueuesUpstream (§2.4, services/array/array_queues_upstream.go): each request is a batch
// send answered by RefRequestID, not necessarily in request order. The server ignores half-close (§5.3): the call stays open
// until the client cancels, and a cancel its reader sees before the half-close crashes it.
import type * as grpc from '@grpc/grpc-js';
import type { QueuesUpstreamRequest, QueuesUpstreamResponse } from '../../generated/kubemq.js';
import { HalfCloseWatch } from '../../transport/half-close.js';
import { replyWithBackpressure } from '../../transport/reply-backpressure.js';
import { sendBatch, type QueueContext } from './shared.js';
import { UPSTREAM_NO_MESSAGES } from './texts.js';

export function queuesUpstreamHandler(ctx: QueueContext): grpc.handleBidiStreamingCall<QueuesUpstreamRequest, QueuesUpstreamResponse> {
  return (call) => {
    const halfClose = new HalfCloseWatch(call);
    let answered = 0;
    let received = 0;
    const reply = replyWithBackpressure(call, { method: 'QueuesUpstream', log: ctx.log });
    // §2.4: the server runs each request in its own goroutine, so overlapping requests are stored
    // and answered in any order. The requests that arrived in the same turn of the event loop are
    // stored last first (a client that counts on overlapping batches keeping their order fails
    // here, not only now and then on a server), then answered smallest first, as concurrent work
    // would finish.
    let batch: QueuesUpstreamRequest[] = [];
    const store = (req: QueuesUpstreamRequest): QueuesUpstreamResponse =>
      req.Messages.length === 0
        ? // §6: an empty RequestID stays empty in RefRequestID.
          { RefRequestID: req.RequestID, Results: [], IsError: true, Error: UPSTREAM_NO_MESSAGES }
        : // §6: IsError stays false even when items failed; each result says.
          { RefRequestID: req.RequestID, Results: sendBatch(ctx, req.Messages).results, IsError: false, Error: '' };
    const flush = (): void => {
      const out = batch.reverse().map(store);
      batch = [];
      if (out.length > 1) out.sort((a, b) => a.Results.length - b.Results.length);
      for (const resp of out) {
        answered++;
        if (call.cancelled) continue;
        reply(resp);
        halfClose.traffic();
      }
    };
    call.on('data', (req: QueuesUpstreamRequest) => {
      received++;
      if (batch.length === 0) setImmediate(flush);
      batch.push(req);
    });
    // §5.3: a half-close is ignored; the RPC stays open until the client cancels.
    call.on('cancelled', () => {
      // §5.3: unless the server's reader read the half-close first, it forwards a nil request,
      // and the upstream's request task dereferences it: a panic that takes the whole server
      // down. There it depends on goroutine scheduling; here it always happens, so a client that
      // cancels too early fails its tests rather than a production broker (a dropped connection
      // counts too).
      if (!halfClose.readCleanly()) ctx.panic(`QueuesUpstream cancelled before its half-close was read (${received} requests read, ${answered} answered): nil request dereferenced`);
    });
    call.on('error', () => undefined);
  };
}
