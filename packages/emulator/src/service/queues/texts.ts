// Texts only QueuesDownstream / QueuesUpstream send (§2.4, §6; pkg/client/queue_downstream.go,
// services/array/array_queues_*.go). Trailing spaces are part of the texts.

export const DOWNSTREAM_ACK_CLOSED = 'cannot ack messages with closed response ';
export const DOWNSTREAM_NACK_CLOSED = 'cannot nack messages with closed response ';
export const DOWNSTREAM_REQUEUE_CLOSED = 'cannot requeue messages with closed response ';
export const DOWNSTREAM_ACTIVE_OFFSETS_CLOSED = 'cannot get active offsets with closed response ';
export const DOWNSTREAM_ACK_EMPTY_LIST = 'cannot ack empty list of of offsets';
export const DOWNSTREAM_NACK_EMPTY_LIST = 'cannot nack empty list of of offsets';
export const DOWNSTREAM_REQUEUE_EMPTY_LIST = 'cannot requeue empty list of of offsets';
export const DOWNSTREAM_REQUEUE_EMPTY_CHANNEL = 'cannot requeue messages with empty channel destination ';
export const DOWNSTREAM_TRANSACTION_NOT_FOUND = 'transaction is completed or transaction id not found';
export const DOWNSTREAM_REQUEST_UNKNOWN = 'request unknown';

export const downstreamInvalidAckSequence = (seq: bigint | number): string => `invalid ack sequence id ${seq}`;
export const downstreamInvalidNackSequence = (seq: bigint | number): string => `invalid nack sequence id ${seq}`;
export const downstreamRequeueFailed = (seq: number, error: string): string => `re-queue message with seq ${seq} failed, ${error}`;

export const UPSTREAM_NO_MESSAGES = 'no messages to send';
