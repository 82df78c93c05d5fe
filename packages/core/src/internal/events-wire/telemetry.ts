import type { Event as WireEvent } from '../generated/kubemq.js';
import type { MessagingOperation } from '../../telemetry/telemetry.js';

/** The `send` operation of one outgoing event; its tags receive the trace context. */
export function eventSendOperation(pattern: 'events' | 'events_store', wire: WireEvent): MessagingOperation {
  return {
    pattern,
    type: 'send',
    name: 'send',
    channel: wire.Channel,
    messageId: wire.EventID,
    bodySize: wire.Body.length,
    tags: [wire.Tags],
  };
}

/** The `process` operation of one delivered event; its tags hold the producer's context. */
export function eventProcessOperation(
  pattern: 'events' | 'events_store',
  event: { readonly id: string; readonly channel: string; readonly body: Uint8Array; readonly tags: Readonly<Record<string, string>> },
  group: string | undefined,
): MessagingOperation {
  return {
    pattern,
    type: 'process',
    name: 'process',
    channel: event.channel,
    messageId: event.id,
    bodySize: event.body.length,
    ...(group && { group }),
    tags: [event.tags],
  };
}
