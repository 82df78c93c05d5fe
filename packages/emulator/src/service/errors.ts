// Every error text the emulator returns, exactly as the open-source server writes it
// (broker-behaviour.md §3 from pkg/entities/errors.go, §5, §6). Spacing matters: some texts end in spaces.
import type { StanError, StanRefusal } from '../engines/events-store/stan.js';

// Shared validation (§3)
export const ERR_101_CLIENT_ID = 'Error 101: invalid clientID value, cannot be empty';
export const ERR_102_CHANNEL = 'Error 102: invalid channel value, cannot be empty';
export const ERR_107_WILDCARDS = 'Error 107: invalid channel value, no wildcards are allowed';
export const ERR_108_WHITESPACE = 'Error 108: invalid channel value, no white spaces are allowed';
export const ERR_109_TIMEOUT = 'Error 109: invalid set timeout value, cannot be 0 or negative';
export const ERR_110_MESSAGE_EMPTY = 'Error 110: invalid message, cannot be empty';
export const ERR_111_SUBSCRIPTION_TYPE = 'Error 111: invalid subscription type, cannot be undefined or 0';
export const ERR_112_START_SEQUENCE = 'Error 112: invalid subscription type start at sequence value, cannot by 0 or negative';
export const ERR_113_START_TIME = 'Error 113: invalid subscription type start at time value, cannot by 0 or negative';
export const ERR_114_START_TIME_DELTA = 'Error 114: invalid subscription type start at time delta value, cannot by 0 or negative';
export const ERR_115_REQUEST_EMPTY = 'Error 115: invalid request, cannot be empty';
export const ERR_116_CACHE_TTL = 'Error 116: invalid cache ttl value, cannot be 0 or negative';
export const ERR_117_REQUEST_ID = 'Error 117: invalid request id, cannot be empty';
export const ERR_118_EVENTS_STORE_PARAMS = 'Error 118: event store parameters were set but subscribe type is not event store';
export const ERR_119_CHANNEL_END_DOT = 'Error 119: invalid channel value, cannot end with `.`';

// Queues (§3; the queue engineer uses these)
export const ERR_120_QUEUE_NAME = 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot';
export const ERR_121_QUEUE_SUBSCRIBE = 'Error 121: cannot subscribe to a queue';
/** Two trailing spaces, as the server sends it. */
export const ERR_122_MAX_MESSAGES = 'Error 122: max messages should be between 1 and max message setting in kubemq config  ';
export const ERR_123_ACK_CURRENT = 'Error 123: cannot ack the current message';
export const ERR_124_NO_ACTIVE_ACK = 'Error 124: no active message to ack';
export const ERR_125_ACK_SEQUENCE = 'Error 125: ack sequence cannot be 0 or negative';
export const ERR_126_NO_ACTIVE_SEND = 'Error 126: no active message to send';
export const ERR_127_VISIBILITY = 'Error 127: invalid visibility time, cannot be negative or exceed setting in kubemq config';
export const ERR_128_SUBSCRIPTION_ACTIVE = 'Error 128: subscription to queue is already active';
export const ERR_129_VISIBILITY_EXPIRED = 'Error 129: current visibility timer expired';
export const ERR_130_SENDING = 'Error 130: error during send message to queue';
export const ERR_131_QUEUE_MESSAGE = 'Error 131: invalid queue message';
export const ERR_132_STREAM_REQUEST_TYPE = 'Error 132: invalid stream queue messages request type';
export const ERR_133_EXPIRATION = 'Error 133: invalid expiration seconds, exceed max expiration seconds setting in kubemq config';
export const ERR_134_MAX_RECEIVE_COUNT = 'Error 134: invalid max received count, cannot be negative or exceed max receive count setting in kubemq config';
export const ERR_135_DELAY = 'Error 135: invalid delay seconds, exceed max delay seconds setting in kubemq config';
export const ERR_136_WAIT_TIMEOUT = 'Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config';
export const ERR_137_NO_ACTIVE_REJECT = 'Error 137: no active message to reject';
export const ERR_138_NO_NEW_MESSAGE = 'Error 138: no new message in queue, wait time expired';

// Connectors (§3, §5.1)
export const ERR_200_SERVER_CRASHED = 'Error 200: server crushed and recovered';
export const ERR_201_TLS_KEYS = 'Error 201: error on loading TLS keys';
export const ERR_206_REQUEST_TYPE = 'Error 206: invalid request type';
export const ERR_207_SUBSCRIBE_TYPE = 'Error 207: invalid subscribe type';

// Requests (§2.3)
export const ERR_301_REQUEST_TIMEOUT = 'Error 301: timeout for request message';
export const ERR_302_CONNECTION = 'Error 302: connection not available, please retry';

// Services (§5.2)
export const ERR_402_PERSISTENCE = 'Error 402: server persistence server is not ready';
export const ERR_409_SHUTDOWN = 'Error 409: server is in shutdown mode';

// Stan / NATS texts that reach clients (§2.2, §3, §6)
export const STAN_CLIENT_ID_REGISTERED = 'stan: clientID already registered';
export const STAN_INVALID_CLIENT_ID = 'stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed';
export const STAN_DURABLE_COLON = "stan: durable name of a durable queue subscriber can't contain the character ':'";
/** Stan's text for each refusal the events-store engine reports with a fixed text. */
export const STAN_REFUSAL_TEXTS: Readonly<Record<Exclude<StanRefusal, 'channel-case'>, string>> = {
  'client-id-registered': STAN_CLIENT_ID_REGISTERED,
  'invalid-client-id': STAN_INVALID_CLIENT_ID,
  'durable-colon': STAN_DURABLE_COLON,
};
/**
 * Newer stan's refusal of a channel that differs only in case from an existing one (§2.2, §2.4;
 * channelStore.checkCase, "alreay" sic). Both are full stan names: `_EVENTS_STORE_.<ch>`, `_QUEUES_.<q>`.
 */
export const stanChannelCaseRefusal = (name: string, existing: string): string =>
  `rejecting channel ${goQuote(name)} because channel ${goQuote(existing)} alreay exists (different cases not allowed)`;
/** The text a StanError reaches the client with. */
export function stanRefusalText(e: StanError): string {
  return e.refusal === 'channel-case' ? stanChannelCaseRefusal(e.channel, e.existing) : STAN_REFUSAL_TEXTS[e.refusal];
}
export const STAN_INVALID_PUBLISH = 'stan: invalid publish request';
/** stan's answer to a subscription on a channel it cannot store. */
export const STAN_INVALID_SUBJECT = 'stan: invalid subject';
export const NATS_CONNECTION_CLOSED = 'nats: connection closed';
/** The server's NATS client refuses to subscribe to a subject with an empty token (`a..b`, `.a`). */
export const NATS_INVALID_SUBJECT = 'nats: invalid subject';
export const NATS_INVALID_QUEUE_NAME = 'nats: invalid queue name';

// Queue batch (§2.4, gRPC UNKNOWN)
export const EMPTY_MESSAGES_BATCH = 'empty messages batch';

// Server readiness (§5.1, gRPC UNAVAILABLE)
export const SERVER_NOT_READY = 'grpc server is not ready to accept requests';

// grpc-go's texts for unknown methods and services (§6, gRPC UNIMPLEMENTED)
export const unknownMethod = (method: string, service: string): string => `unknown method ${method} for service ${service}`;
export const unknownService = (service: string): string => `unknown service ${service}`;

// Emulator-only features (the open-source server has none of these; §0)
export const AUTH_MISSING_TOKEN = 'missing authorization token';
export const AUTH_INVALID_TOKEN = 'invalid authorization token';

const GO_ESCAPES: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's `%q` of a string (strconv.Quote): printable characters as they are, the others escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c)) out += c; // Go's unicode.IsPrint
    else if (GO_ESCAPES[c]) out += GO_ESCAPES[c];
    else {
      const cp = c.codePointAt(0) as number;
      const hex = cp.toString(16);
      out += cp < 0x20 || cp === 0x7f ? `\\x${hex.padStart(2, '0')}` : cp < 0x10000 ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
    }
  }
  return out + '"';
}
