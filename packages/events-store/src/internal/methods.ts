// The events-store pattern's gRPC methods: only these codecs and paths end up in its bundle.
import {
  bidiStreamMethod,
  Event,
  EventReceive,
  Result,
  serverStreamMethod,
  Subscribe,
  unaryMethod,
} from '@kubemq/core/internal';

export const SEND_EVENT = /* @__PURE__ */ unaryMethod('SendEvent', Event, Result);
export const SEND_EVENTS_STREAM = /* @__PURE__ */ bidiStreamMethod('SendEventsStream', Event, Result);
export const SUBSCRIBE_TO_EVENTS = /* @__PURE__ */ serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
