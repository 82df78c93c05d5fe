// ReceiveQueueMessages (receive and peek) and AckAllQueueMessages (§2.4): one queue's calls take
// turns (receiver-lanes.ts), and each is checked and served when its turn comes.
import type * as grpc from '@grpc/grpc-js';
import { nuid } from '../../engines/ids.js';
import type {
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
} from '../../generated/kubemq.js';
import { consumeError, waitMs, type QueueContext } from './shared.js';
import { ackAllError, receiveError } from './validation.js';

function abortOnCancel(call: grpc.ServerUnaryCall<unknown, unknown>): AbortSignal {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort());
  return ac.signal;
}

export function receiveQueueMessagesHandler(ctx: QueueContext): grpc.handleUnaryCall<ReceiveQueueMessagesRequest, ReceiveQueueMessagesResponse> {
  return (call, callback) => {
    const req = call.request;
    const signal = abortOnCancel(call);
    answerInTurn(ctx, req.Channel, signal, callback, () => receiveInTurn(ctx, req, signal));
  };
}

async function receiveInTurn(ctx: QueueContext, req: ReceiveQueueMessagesRequest, signal: AbortSignal): Promise<ReceiveQueueMessagesResponse> {
  const base: ReceiveQueueMessagesResponse = {
    RequestID: req.RequestID || nuid(),
    Messages: [],
    MessagesReceived: 0,
    MessagesExpired: 0,
    IsPeak: req.IsPeak,
    IsError: false,
    Error: '',
  };
  const error = receiveError(req, ctx.limits) ?? consumeError(ctx, req.Channel);
  if (error !== undefined) return { ...base, IsError: true, Error: error };
  const { messages, expired } = await ctx.engine.receive(req.Channel, { max: req.MaxNumberOfMessages, ...waitOf(req.WaitTimeSeconds, ctx, signal), peek: req.IsPeak });
  return { ...base, Messages: messages, MessagesReceived: messages.length, MessagesExpired: expired };
}

export function ackAllQueueMessagesHandler(ctx: QueueContext): grpc.handleUnaryCall<AckAllQueueMessagesRequest, AckAllQueueMessagesResponse> {
  return (call, callback) => {
    const req = call.request;
    const signal = abortOnCancel(call);
    answerInTurn(ctx, req.Channel, signal, callback, () => ackAllInTurn(ctx, req, signal));
  };
}

async function ackAllInTurn(ctx: QueueContext, req: AckAllQueueMessagesRequest, signal: AbortSignal): Promise<AckAllQueueMessagesResponse> {
  const requestId = req.RequestID || nuid();
  const error = ackAllError(req, ctx.limits) ?? consumeError(ctx, req.Channel);
  if (error !== undefined) return { RequestID: requestId, AffectedMessages: 0n, IsError: true, Error: error };
  const { waitMs, signal: live } = waitOf(req.WaitTimeSeconds, ctx, signal);
  const count = await ctx.engine.ackAll(req.Channel, waitMs, live);
  return { RequestID: requestId, AffectedMessages: BigInt(count), IsError: false, Error: '' };
}

/**
 * Runs a call when the queue's pooled client is free, and answers it unless it was cancelled
 * meanwhile. The server checks nothing before its turn: validation waits in line too.
 */
function answerInTurn<Res>(ctx: QueueContext, channel: string, signal: AbortSignal, callback: grpc.sendUnaryData<Res>, task: () => Promise<Res>): void {
  ctx.receivers.run(channel, task).then(
    (res) => {
      if (!signal.aborted) callback(null, res);
    },
    (err: unknown) => callback(err as Error),
  );
}

/**
 * The wait of a call whose turn came. One cancelled while it waited in line still runs: its
 * context is done, but the server's loop picks at random between that and a message that is
 * there, acking what it picks. The emulator takes the worst case: whatever is there at once.
 */
function waitOf(seconds: number, ctx: QueueContext, signal: AbortSignal): { waitMs: number; signal: AbortSignal | undefined } {
  return signal.aborted ? { waitMs: 0, signal: undefined } : { waitMs: waitMs(seconds, ctx.limits), signal };
}
