import type { ErrorCode } from './error-codes.js';

/** How one broker error text is classified (docs/broker-behaviour.md §3, §5.1, §5.2). */
export interface BrokerErrorClass {
  code: ErrorCode;
  retryable: boolean;
  brokerCode?: number;
  /** For validation errors: the wire field the broker checked. */
  field?: string;
}

/** `Error 1xx` validation errors, with the wire field each one is about. Permanent. */
const VALIDATION_FIELDS: Readonly<Record<number, string>> = {
  101: 'ClientID',
  102: 'Channel',
  107: 'Channel',
  108: 'Channel',
  109: 'Timeout',
  110: 'Body',
  111: 'EventsStoreTypeData',
  112: 'EventsStoreTypeValue',
  113: 'EventsStoreTypeValue',
  114: 'EventsStoreTypeValue',
  115: 'Body',
  116: 'CacheTTL',
  117: 'RequestID',
  118: 'SubscribeTypeData',
  119: 'Channel',
  120: 'Channel',
  122: 'MaxNumberOfMessages',
  125: 'RefSequence',
  127: 'VisibilitySeconds',
  131: 'ModifiedMessage',
  132: 'StreamRequestTypeData',
  133: 'Policy.ExpirationSeconds',
  134: 'Policy.MaxReceiveCount',
  135: 'Policy.DelaySeconds',
  136: 'WaitTimeSeconds',
  206: 'RequestTypeData',
  207: 'SubscribeTypeData',
};

/**
 * Numbered errors that are not validation failures: the code of each. Only §5.2's transient ones
 * (TRANSIENT) are retryable; the queue state errors are permanent for the operation that got them.
 */
const NUMBERED: Readonly<Partial<Record<number, ErrorCode>>> = {
  // §5.2 transient
  121: 'BROKER',
  130: 'BROKER',
  301: 'TIMEOUT', // no responder, or a slow one
  302: 'UNAVAILABLE',
  402: 'UNAVAILABLE',
  409: 'UNAVAILABLE', // server is in shutdown mode
  // access refusals of the server revisions that check tokens and policies (docs/broker-behaviour.md §5.4)
  412: 'PERMISSION_DENIED',
  414: 'PERMISSION_DENIED',
  415: 'PERMISSION_DENIED',
  421: 'AUTHENTICATION',
  // queue state errors (stream v1)
  123: 'BROKER',
  124: 'BROKER',
  126: 'BROKER',
  128: 'BROKER',
  129: 'BROKER',
  137: 'BROKER',
  138: 'QUEUE_EMPTY', // not a failure: callers check isEmptyQueueError first
  200: 'INTERNAL', // server crushed and recovered
  201: 'INTERNAL',
};
const TRANSIENT: readonly number[] = [121, 130, 301, 302, 402, 409];

/** Unnumbered texts from the broker's NATS/stan layer (§2.2, §5.2) and its cluster (channel management). */
const TEXTS: ReadonlyArray<readonly [RegExp, BrokerErrorClass]> = [
  [/stan: clientID already registered/i, { code: 'BROKER', retryable: true }], // transient right after a close
  [/stan: (publish ack|connect request|subscribe request) timeout|nats: timeout/i, { code: 'TIMEOUT', retryable: true }],
  // The store's connection closing or draining under the broker (a restart): gone with it.
  [/(nats|stan): connection (closed|draining)|stan: invalid connection/i, { code: 'UNAVAILABLE', retryable: true }],
  [/grpc server is not ready/i, { code: 'UNAVAILABLE', retryable: true }],
  [/cluster snapshot not ready/i, { code: 'UNAVAILABLE', retryable: true }],
  [/stan: invalid clientID/i, { code: 'VALIDATION', retryable: false, field: 'ClientID' }],
  [/stan: durable name of a durable queue subscriber/i, { code: 'VALIDATION', retryable: false, field: 'Channel' }],
  [/stan: invalid (publish|subscribe) request|stan: invalid subject/i, { code: 'VALIDATION', retryable: false, field: 'Channel' }],
  [/nats: invalid subject/i, { code: 'VALIDATION', retryable: false, field: 'Channel' }],
  [/nats: invalid queue name/i, { code: 'VALIDATION', retryable: false, field: 'Group' }],
  // Newer stan: a channel whose name differs only in case from one that exists (its own spelling).
  [/different cases not allowed/i, { code: 'VALIDATION', retryable: false, field: 'Channel' }],
];

const NUMBERED_TEXT = /Error (\d{3}):/;

/** The `NNN` of an `Error NNN: …` text, or undefined. */
export function brokerCodeOf(text: string): number | undefined {
  const match = NUMBERED_TEXT.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Classifies a broker error text; undefined when the text is not one the broker is known to send
 * (the caller then falls back to the gRPC status).
 */
export function classifyBrokerText(text: string): BrokerErrorClass | undefined {
  const brokerCode = brokerCodeOf(text);
  if (brokerCode !== undefined) {
    const field = VALIDATION_FIELDS[brokerCode];
    if (field !== undefined) return { code: 'VALIDATION', retryable: false, brokerCode, field };
    const known = NUMBERED[brokerCode];
    if (known) return { code: known, retryable: TRANSIENT.includes(brokerCode), brokerCode };
    // Any other 1xx is a validation error (§5.2 "permanent"); other numbers are plain broker failures.
    return brokerCode >= 100 && brokerCode < 200
      ? { code: 'VALIDATION', retryable: false, brokerCode }
      : { code: 'BROKER', retryable: false, brokerCode };
  }
  return TEXTS.find(([pattern]) => pattern.test(text))?.[1];
}

/** `Error 138` ("no messages in queue") is the normal outcome of an empty poll, not a failure. */
export function isEmptyQueueError(text: string): boolean {
  return brokerCodeOf(text) === 138;
}
