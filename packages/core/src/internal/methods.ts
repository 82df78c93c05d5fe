import {
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  Empty,
  PingResult,
  Request,
  Response,
} from './generated/kubemq.js';
import { unaryMethod } from './transport/method-descriptor.js';

// The methods core itself calls; each pattern package declares its own.
export const PING = /* @__PURE__ */ unaryMethod('Ping', Empty, PingResult);
export const SEND_REQUEST = /* @__PURE__ */ unaryMethod('SendRequest', Request, Response);
export const ACK_ALL_QUEUE_MESSAGES = /* @__PURE__ */ unaryMethod('AckAllQueueMessages', AckAllQueueMessagesRequest, AckAllQueueMessagesResponse);
