// The request/reply methods of `kubemq.kubemq`, and nothing else, so a bundle that imports
// @kubemq/rpc carries only these codecs and paths.
import {
  Empty,
  Request,
  Response,
  Subscribe,
  serverStreamMethod,
  unaryMethod,
} from '@kubemq/core/internal';

/** Sends a command or a query and waits for the responder's answer (or `Error 301`). */
export const SEND_REQUEST = /* @__PURE__ */ unaryMethod('SendRequest', Request, Response);
/** A responder's answer; the broker routes it by `ReplyChannel`. */
export const SEND_RESPONSE = /* @__PURE__ */ unaryMethod('SendResponse', Response, Empty);
/** Subscribes a responder to commands (type 3) or queries (type 4). */
export const SUBSCRIBE_TO_REQUESTS = /* @__PURE__ */ serverStreamMethod('SubscribeToRequests', Subscribe, Request);
