// QueuesDownstream (§2.4, services/array/array_queues_downstream.go): transactional polls.
// Requests on one stream run one at a time, so a pending Get blocks the settlements behind
// it, and each Get runs on one of the server's pooled clients, waiting while another Get holds it
// (downstream-clients.ts). Settlements answer only on error. When the stream ends, the request being handled runs to
// its end, and so does one more that was read (the server's one-slot request buffer); then every
// open transaction is closed, unless the handler produced two answers after the end: the server
// hands answers over through a one-slot buffer that nobody reads any more, so the second one
// blocks its handler for good, and the transactions stay open; a stop strands them (§5.3).
import type * as grpc from '@grpc/grpc-js';
import type { DownstreamTransaction, TransactionError } from '../../engines/queues/transaction.js';
import { uuid } from '../../engines/ids.js';
import { QueuesDownstreamRequestType, type QueuesDownstreamRequest, type QueuesDownstreamResponse } from '../../generated/kubemq.js';
import { replyWithBackpressure } from '../../transport/reply-backpressure.js';
import { OneAtATime } from './one-at-a-time.js';
import { consumeError, refusalText, type QueueContext } from './shared.js';
import * as T from './texts.js';
import { downstreamGetError } from './validation.js';

type RequestType = QueuesDownstreamRequestType;

function response(fields: Partial<QueuesDownstreamResponse> & Pick<QueuesDownstreamResponse, 'RequestTypeData'>): QueuesDownstreamResponse {
  return {
    TransactionId: '',
    RefRequestId: '',
    Messages: [],
    ActiveOffsets: [],
    IsError: false,
    Error: '',
    TransactionComplete: false, // §2.4: never set
    Metadata: {},
    ...fields,
  };
}

/** The server's text for a failed settle, per request type (§2.4, §6). */
function settleErrorText(type: RequestType, err: TransactionError): string {
  const nack = type === QueuesDownstreamRequestType.NAckAll || type === QueuesDownstreamRequestType.NAckRange;
  const requeue = type === QueuesDownstreamRequestType.ReQueueAll || type === QueuesDownstreamRequestType.ReQueueRange;
  switch (err.code) {
    case 'closed':
      if (type === QueuesDownstreamRequestType.ActiveOffsets) return T.DOWNSTREAM_ACTIVE_OFFSETS_CLOSED;
      if (nack) return T.DOWNSTREAM_NACK_CLOSED;
      // §2.4: ReQueueAll says the ack text; only ReQueueRange says "requeue".
      if (type === QueuesDownstreamRequestType.ReQueueRange) return T.DOWNSTREAM_REQUEUE_CLOSED;
      return T.DOWNSTREAM_ACK_CLOSED;
    case 'empty-list':
      return nack ? T.DOWNSTREAM_NACK_EMPTY_LIST : requeue ? T.DOWNSTREAM_REQUEUE_EMPTY_LIST : T.DOWNSTREAM_ACK_EMPTY_LIST;
    case 'empty-channel':
      return T.DOWNSTREAM_REQUEUE_EMPTY_CHANNEL;
    case 'invalid-sequence':
      // §6: ReQueueRange with an unknown sequence says "invalid ack sequence id N".
      return nack ? T.downstreamInvalidNackSequence(err.seq) : T.downstreamInvalidAckSequence(err.seq);
    case 'requeue-failed':
      return T.downstreamRequeueFailed(err.seq, refusalText(err.refusal));
  }
}

export function queuesDownstreamHandler(ctx: QueueContext): grpc.handleBidiStreamingCall<QueuesDownstreamRequest, QueuesDownstreamResponse> {
  return (call) => {
    const transactions = new Map<string, DownstreamTransaction>();
    const ended = new AbortController();
    const requests = new OneAtATime();
    let answersAfterEnd = 0;

    const reply = replyWithBackpressure(call, { method: 'QueuesDownstream', log: ctx.log });
    const send = (r: QueuesDownstreamResponse): void => {
      if (ended.signal.aborted || call.cancelled) answersAfterEnd++;
      else reply(r);
    };

    // The Get runs on the next of the server's pooled downstream clients, once that is free.
    const get = (req: QueuesDownstreamRequest): Promise<void> => ctx.downstreamClients.run(() => getOnClient(req));

    const getOnClient = async (req: QueuesDownstreamRequest): Promise<void> => {
      const error = downstreamGetError(req) ?? consumeError(ctx, req.Channel);
      if (error !== undefined) {
        send(response({ TransactionId: uuid(), RefRequestId: req.RequestID, RequestTypeData: QueuesDownstreamRequestType.Get, IsError: true, Error: error }));
        return;
      }
      const limits = ctx.limits;
      // Not ended by the stream's end: the server serves a stream's requests one at a time and
      // notices the end only between them, so a Get that is waiting when its client cancels
      // waits on, holding what it takes (and what arrives), until it is full or its wait is over;
      // only then are its messages returned with the stream's other transactions.
      const tx = await ctx.engine.get(req.Channel, {
        maxItems: req.MaxItems <= 0 ? limits.downstreamDefaultMaxItems : req.MaxItems,
        waitMs: Math.max(req.WaitTimeout, limits.downstreamMinWaitTimeoutMs), // WaitTimeout is ms (§2.4)
        autoAck: req.AutoAck,
        signal: ctx.stopping,
      });
      if (!tx) return;
      transactions.set(tx.id, tx); // settled transactions stay known (§2.4 "closed response")
      send(response({ TransactionId: tx.id, RefRequestId: req.RequestID, RequestTypeData: QueuesDownstreamRequestType.Get, Messages: tx.messages }));
    };

    const settle = (req: QueuesDownstreamRequest): void => {
      const type = req.RequestTypeData;
      const tx = transactions.get(req.RefTransactionId);
      const fail = (requestType: RequestType, text: string): void =>
        send(response({ TransactionId: req.RefTransactionId, RefRequestId: req.RequestID, RequestTypeData: requestType, IsError: true, Error: text }));
      if (!tx) {
        fail(type, T.DOWNSTREAM_TRANSACTION_NOT_FOUND); // §6: echoes the request type
        return;
      }
      let err: TransactionError | undefined;
      switch (type) {
        case QueuesDownstreamRequestType.AckAll:
          err = tx.ackAll();
          break;
        case QueuesDownstreamRequestType.AckRange:
          err = tx.ackRange(req.SequenceRange);
          break;
        case QueuesDownstreamRequestType.NAckAll:
          err = tx.nackAll();
          break;
        case QueuesDownstreamRequestType.NAckRange:
          err = tx.nackRange(req.SequenceRange);
          break;
        case QueuesDownstreamRequestType.ReQueueAll:
          err = tx.requeueAll(req.ReQueueChannel);
          break;
        case QueuesDownstreamRequestType.ReQueueRange:
          err = tx.requeueRange(req.SequenceRange, req.ReQueueChannel);
          break;
        case QueuesDownstreamRequestType.CloseByClient:
          tx.close(); // silent, also on a settled transaction (§6)
          return;
        case QueuesDownstreamRequestType.ActiveOffsets: {
          const offsets = tx.activeOffsets();
          if (Array.isArray(offsets)) {
            send(response({ TransactionId: tx.id, RefRequestId: req.RequestID, RequestTypeData: type, ActiveOffsets: offsets }));
            return;
          }
          err = offsets;
          break;
        }
        default:
          // §2.4/§6: TransactionStatus, CloseByServer and unknown types with a known id.
          fail(QueuesDownstreamRequestType.PollRequestTypeUnknown, T.DOWNSTREAM_REQUEST_UNKNOWN);
          return;
      }
      if (err) fail(type, settleErrorText(type, err)); // success sends nothing (§2.4)
    };

    /** Handles one request; once the stream ended, only the one in hand and the next one read. */
    let handledAfterEnd = 0;
    const handle = async (req: QueuesDownstreamRequest): Promise<void> => {
      if (ended.signal.aborted && ++handledAfterEnd > 1) return;
      if (req.RequestTypeData === QueuesDownstreamRequestType.Get) await get(req);
      else settle(req);
    };

    call.on('data', (req: QueuesDownstreamRequest) => {
      requests.run(() => handle(req)).catch((err: unknown) => ctx.log.error('queues downstream request failed', { error: String(err) }));
    });
    call.on('end', () => undefined); // §5.3: half-close is ignored; the RPC stays open
    const finish = (): void => {
      if (ended.signal.aborted) return;
      ended.abort();
      ctx.streams.delete(finish);
      // The request in hand finishes first; a second answer after the end blocks the handler for good.
      void requests.run(async () => {
        if (answersAfterEnd >= 2) {
          ctx.log.warn('queues downstream: the stream ended with two answers owed; its transactions stay open, and a stop strands them (broker-behaviour.md §5.3)');
          return;
        }
        for (const tx of transactions.values()) tx.close();
      });
    };
    ctx.streams.add(finish);
    call.on('cancelled', finish);
    call.on('error', finish);
    call.on('close', finish);
  };
}
