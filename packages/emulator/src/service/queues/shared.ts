// What every queue RPC file shares: the engine, the limits, and the send path.
import type { Clock } from '../../clock.js';
import type { BrokerQueueLimits } from '../../config.js';
import type { QueueEngine } from '../../engines/queues/engine.js';
import type { SendOutcome, SendRefusal } from '../../engines/queues/messages.js';
import { nuid } from '../../engines/ids.js';
import { QUEUES_PREFIX } from '../../engines/queues/subjects.js';
import type { QueueMessage, SendQueueMessageResult } from '../../generated/kubemq.js';
import type { EmulatorLogger } from '../../log.js';
import { ERR_121_QUEUE_SUBSCRIBE, STAN_INVALID_PUBLISH, stanChannelCaseRefusal } from '../errors.js';
import type { DownstreamClients } from './downstream-clients.js';
import type { ReceiverLanes } from './receiver-lanes.js';
import { queueMessageError, subscribeError } from './validation.js';

export interface QueueContext {
  engine: QueueEngine;
  limits: BrokerQueueLimits;
  clock: Clock;
  log: EmulatorLogger;
  /** Where the real server would crash (ServiceContext.panic). */
  panic(reason: string): void;
  /** Aborted once a stop closed the store: ends the waits of the downstream Gets it stranded (they outlive their calls). */
  stopping: AbortSignal;
  /** Each queue's simple receives, peeks and AckAlls, served one at a time. */
  receivers: ReceiverLanes;
  /** The pooled clients the downstream Gets take turns on. */
  downstreamClients: DownstreamClients;
  /** What each open stream's handler does when its call ends: a stop ends them all first. */
  streams: Set<() => void>;
}

/** The server's prefix for a queue's stan channel. */

/** A result for a message that failed validation: it still gets its MessageID (§6 "Ids and results"). */
export function failedResult(messageId: string, error: string): SendQueueMessageResult {
  return { MessageID: messageId, SentAt: 0n, ExpirationAt: 0n, DelayedTo: 0n, IsError: true, Error: error };
}

/** The text the server answers for a message the engine refused. */
export function refusalText(refusal: SendRefusal): string {
  switch (refusal.reason) {
    case 'invalid-subject':
      return STAN_INVALID_PUBLISH;
    case 'channel-case':
      return stanChannelCaseRefusal(QUEUES_PREFIX + refusal.channel, QUEUES_PREFIX + refusal.existing);
    case 'invalid-message':
      return refusal.error;
  }
}

/**
 * Error 121 for a consumer whose subscription stan refuses (§2.4): a subject it cannot store, a `:`
 * in the durable name, or (newer stan) a queue differing only in case from an existing one.
 */
export function consumeError(ctx: QueueContext, channel: string): string | undefined {
  return subscribeError(channel) ?? (ctx.engine.caseConflict(channel) === undefined ? undefined : ERR_121_QUEUE_SUBSCRIBE);
}

/** The wire result of one send. */
export function sendResult(messageId: string, outcome: SendOutcome): SendQueueMessageResult {
  if (!outcome.stored) return failedResult(messageId, refusalText(outcome.refusal));
  return { MessageID: messageId, SentAt: outcome.sentAt, ExpirationAt: outcome.expirationAt, DelayedTo: outcome.delayedTo, IsError: false, Error: '' };
}

/**
 * Sends a batch the way SendQueueMessagesBatch does (§2.4): every message gets a MessageID,
 * then validation, then one publish of the valid ones; results stay in message order.
 * `haveErrors` is set only by publish failures, never by validation ([seen] §2.4).
 */
export function sendBatch(ctx: QueueContext, messages: QueueMessage[]): { results: SendQueueMessageResult[]; haveErrors: boolean } {
  const results: SendQueueMessageResult[] = new Array(messages.length);
  const valid: QueueMessage[] = [];
  const slots: number[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as QueueMessage;
    if (m.MessageID === '') m.MessageID = nuid();
    const error = queueMessageError(m, ctx.limits);
    if (error !== undefined) results[i] = failedResult(m.MessageID, error);
    else {
      valid.push(m);
      slots.push(i);
    }
  }
  let haveErrors = false;
  if (valid.length > 0) {
    const published = ctx.engine.publish(valid);
    for (let j = 0; j < published.length; j++) {
      const outcome = published[j] as SendOutcome;
      if (!outcome.stored) haveErrors = true;
      results[slots[j] as number] = sendResult((valid[j] as QueueMessage).MessageID, outcome);
    }
  }
  return { results, haveErrors };
}

/** Millisecond wait for a wait-seconds field, with the server's default for 0 (§2.4, §4). */
export function waitMs(seconds: number, limits: BrokerQueueLimits): number {
  return (seconds === 0 ? limits.defaultWaitTimeoutSeconds : seconds) * 1000;
}
