// The events-store pattern's gRPC methods: only these codecs and paths end up in its bundle.
import {
  bidiStreamMethod,
  Event,
  EventReceive,
  Result,
  serverStreamMethod,
  Subscribe,
  unaryMethod,
  type MethodDescriptor,
} from '@kubemq/core/internal';

// Typed, not inferred: tsc would name core's descriptor type by a path into core's files in this
// package's declarations.
export const SEND_EVENT: MethodDescriptor<Event, Result> = /* @__PURE__ */ unaryMethod('SendEvent', Event, Result);
export const SEND_EVENTS_STREAM: MethodDescriptor<Event, Result> = /* @__PURE__ */ bidiStreamMethod('SendEventsStream', Event, Result);
export const SUBSCRIBE_TO_EVENTS: MethodDescriptor<Subscribe, EventReceive> = /* @__PURE__ */ serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
