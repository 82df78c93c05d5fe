import { PingResult } from './generated/kubemq.js';
import { emptyRequestMethod, fixedRequestMethod } from './transport/method-descriptor.js';

// The methods the client itself calls. Each pattern package declares its own, and so does
// channel management (channels/channels-client.ts): an app bundles only the methods it uses.
export const PING = /* @__PURE__ */ emptyRequestMethod('Ping', PingResult);

/** The queue `connect()`'s token check asks about: a name, so the broker lists at most one queue. */
export const TOKEN_CHECK_QUEUE = 'kubemq-sdk.token-check';

/**
 * `QueuesInfoRequest { QueueName: TOKEN_CHECK_QUEUE }` on the wire: field 2, length-delimited.
 */
export const TOKEN_CHECK_REQUEST = /* @__PURE__ */ new Uint8Array([0x12, TOKEN_CHECK_QUEUE.length, ...Array.from(TOKEN_CHECK_QUEUE, (c) => c.charCodeAt(0))]);

/**
 * How `connect()` proves a token: the brokers that check tokens check every call but `Ping`, so
 * a refused token would otherwise pass `connect()` unnoticed. `QueuesInfo` is checked, only
 * reads, and needs no ClientID; its answer is not read (any answer but UNAUTHENTICATED means the
 * token was taken).
 */
export const TOKEN_CHECK = /* @__PURE__ */ fixedRequestMethod('QueuesInfo', TOKEN_CHECK_REQUEST, { decode: () => undefined });
