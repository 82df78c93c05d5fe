import { PingResult } from './generated/kubemq.js';
import { emptyRequestMethod } from './transport/method-descriptor.js';

// The one method the client itself calls. Each pattern package declares its own, and so does
// channel management (channels/channels-client.ts): an app bundles only the methods it uses.
export const PING = /* @__PURE__ */ emptyRequestMethod('Ping', PingResult);
