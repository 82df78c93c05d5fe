// The queue validation rules of broker-behaviour.md §3, one ordered list of checks per operation
// (pkg/client/validatation.go, pkg/client/queue.go). Each check returns an error text or
// undefined; the first failing check wins.
import type { BrokerQueueLimits } from '../../config.js';
import type {
  AckAllQueueMessagesRequest,
  QueueMessage,
  QueueMessagePolicy,
  QueuesDownstreamRequest,
  ReceiveQueueMessagesRequest,
  StreamQueueMessagesRequest,
} from '../../generated/kubemq.js';
import { isStanSubjectValid } from '../../engines/queues/subjects.js';
import { StreamRequestType } from '../../generated/kubemq.js';
import {
  ERR_101_CLIENT_ID,
  ERR_110_MESSAGE_EMPTY,
  ERR_120_QUEUE_NAME,
  ERR_121_QUEUE_SUBSCRIBE,
  ERR_122_MAX_MESSAGES,
  ERR_125_ACK_SEQUENCE,
  ERR_127_VISIBILITY,
  ERR_131_QUEUE_MESSAGE,
  ERR_132_STREAM_REQUEST_TYPE,
  ERR_133_EXPIRATION,
  ERR_134_MAX_RECEIVE_COUNT,
  ERR_135_DELAY,
  ERR_136_WAIT_TIMEOUT,
} from '../errors.js';

/** checkChannelNameValidity: one error (120) for empty, trailing dot, space, wildcards. */
export function queueNameError(channel: string): string | undefined {
  if (channel === '' || channel.endsWith('.') || channel.includes(' ') || channel.includes('*') || channel.includes('>')) {
    return ERR_120_QUEUE_NAME;
  }
  return undefined;
}

/**
 * After validation the server subscribes to `_QUEUES_.<q>` as the durable queue group of that
 * name; stan refuses subjects with `/` or empty tokens (§3 "Channel names") and durable queue
 * groups whose name holds a `:` (§2.2), which surfaces as Error 121 on every consuming call.
 */
export function subscribeError(channel: string): string | undefined {
  return isStanSubjectValid(channel) && !channel.includes(':') ? undefined : ERR_121_QUEUE_SUBSCRIBE;
}

function clientIdError(clientId: string): string | undefined {
  return clientId === '' ? ERR_101_CLIENT_ID : undefined;
}

function outOf(v: number, max: number): boolean {
  return v < 0 || v > max;
}

/** checkAndEnforceMessagePolicy: 133, 134, 135, then the DLQ name (120). */
function policyError(p: QueueMessagePolicy | undefined, limits: BrokerQueueLimits): string | undefined {
  if (!p) return undefined;
  if (outOf(p.ExpirationSeconds, limits.maxExpirationSeconds)) return ERR_133_EXPIRATION;
  if (outOf(p.MaxReceiveCount, limits.maxReceiveCount)) return ERR_134_MAX_RECEIVE_COUNT;
  if (outOf(p.DelaySeconds, limits.maxDelaySeconds)) return ERR_135_DELAY;
  if (p.MaxReceiveQueue !== '') return queueNameError(p.MaxReceiveQueue);
  return undefined;
}

/** Queue message (§3): 101, 120, 110, 133, 134, 135, DLQ name 120. */
export function queueMessageError(m: QueueMessage, limits: BrokerQueueLimits): string | undefined {
  return (
    clientIdError(m.ClientID) ??
    queueNameError(m.Channel) ??
    (m.Metadata === '' && m.Body.length === 0 ? ERR_110_MESSAGE_EMPTY : undefined) ??
    policyError(m.Policy, limits)
  );
}

/** Receive / peek (§3): 101, 120, 122, 136. */
export function receiveError(r: ReceiveQueueMessagesRequest, limits: BrokerQueueLimits): string | undefined {
  return (
    clientIdError(r.ClientID) ??
    queueNameError(r.Channel) ??
    (r.MaxNumberOfMessages < 1 || r.MaxNumberOfMessages > limits.maxNumberOfMessages ? ERR_122_MAX_MESSAGES : undefined) ??
    (outOf(r.WaitTimeSeconds, limits.maxWaitTimeoutSeconds) ? ERR_136_WAIT_TIMEOUT : undefined)
  );
}

/** AckAll (§3): 101, 120, 136. */
export function ackAllError(r: AckAllQueueMessagesRequest, limits: BrokerQueueLimits): string | undefined {
  return clientIdError(r.ClientID) ?? queueNameError(r.Channel) ?? (outOf(r.WaitTimeSeconds, limits.maxWaitTimeoutSeconds) ? ERR_136_WAIT_TIMEOUT : undefined);
}

/** QueuesDownstream Get (§3): 101, 120. */
export function downstreamGetError(r: QueuesDownstreamRequest): string | undefined {
  return clientIdError(r.ClientID) ?? queueNameError(r.Channel);
}

/** StreamQueueMessage (§3, checkAndEnforceStreamQueueMessageRequest): 101, then per request type. */
export function streamRequestError(r: StreamQueueMessagesRequest, limits: BrokerQueueLimits): string | undefined {
  const id = clientIdError(r.ClientID);
  if (id) return id;
  const visibility = outOf(r.VisibilitySeconds, limits.maxVisibilitySeconds) ? ERR_127_VISIBILITY : undefined;
  switch (r.StreamRequestTypeData) {
    case StreamRequestType.ReceiveMessage:
      return queueNameError(r.Channel) ?? visibility ?? (outOf(r.WaitTimeSeconds, limits.maxWaitTimeoutSeconds) ? ERR_136_WAIT_TIMEOUT : undefined);
    case StreamRequestType.AckMessage:
    case StreamRequestType.RejectMessage:
      return r.RefSequence === 0n ? ERR_125_ACK_SEQUENCE : undefined;
    case StreamRequestType.ResendMessage:
      return queueNameError(r.Channel);
    case StreamRequestType.ModifyVisibility:
      return visibility;
    case StreamRequestType.SendModifiedMessage:
      if (!r.ModifiedMessage) return ERR_131_QUEUE_MESSAGE;
      return queueMessageError(r.ModifiedMessage, limits) ?? visibility;
    default:
      return ERR_132_STREAM_REQUEST_TYPE;
  }
}
