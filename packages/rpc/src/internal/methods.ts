// The request/reply methods of `kubemq.kubemq`, and nothing else, so a bundle that imports
// @kubemq/rpc carries only these codecs and paths.
import {
  Empty,
  Request,
  Response,
  Subscribe,
  serverStreamMethod,
  unaryMethod,
  type MethodDescriptor,
} from '@kubemq/core/internal';

// Typed, not inferred: tsc would name core's descriptor type by a path into core's files in this
// package's declarations.
/** Sends a command or a query and waits for the responder's answer (or `Error 301`). */
export const SEND_REQUEST: MethodDescriptor<Request, Response> = /* @__PURE__ */ unaryMethod('SendRequest', Request, Response);
/** A responder's answer; the broker routes it by `ReplyChannel`. */
export const SEND_RESPONSE: MethodDescriptor<Response, Empty> = /* @__PURE__ */ unaryMethod('SendResponse', Response, Empty);
/** Subscribes a responder to commands (type 3) or queries (type 4). */
export const SUBSCRIBE_TO_REQUESTS: MethodDescriptor<Subscribe, Request> = /* @__PURE__ */ serverStreamMethod('SubscribeToRequests', Subscribe, Request);
