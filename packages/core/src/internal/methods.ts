import { PingResult } from './generated/kubemq.js';
import { emptyRequestMethod, emptyStreamMethod } from './transport/method-descriptor.js';

// The methods the client itself calls. Each pattern package declares its own, and so does
// channel management (channels/channels-client.ts): an app bundles only the methods it uses.
export const PING = /* @__PURE__ */ emptyRequestMethod('Ping', PingResult);

/**
 * How `connect()` proves a token: the brokers that check tokens check every stream and every
 * unary call but `Ping`, so a refused token would otherwise pass `connect()` unnoticed. An events
 * send stream opened and half-closed at once is checked, carries nothing, and ends as soon as the
 * broker reads its end: no store touched, no error logged.
 */
export const TOKEN_CHECK = /* @__PURE__ */ emptyStreamMethod('SendEventsStream');
