import { nanosToDate, type EventReceive as WireEventReceive } from '@kubemq/core/internal';
import type { EventStoreReceive } from '../messages.js';

const decoder = /* @__PURE__ */ new TextDecoder();

/** Turns a wire EventReceive into the public shape: sequence as a number, timestamp as Date + ns. */
export function toEventStoreReceive(wire: WireEventReceive): EventStoreReceive {
  const body: Uint8Array = wire.Body ?? new Uint8Array(0);
  const timestampNanos = BigInt(wire.Timestamp ?? 0n);
  return {
    id: wire.EventID,
    channel: wire.Channel,
    body,
    metadata: wire.Metadata,
    tags: wire.Tags ?? {},
    sequence: Number(wire.Sequence),
    timestamp: nanosToDate(timestampNanos),
    timestampNanos,
    text: () => decoder.decode(body),
    json: <T>() => JSON.parse(decoder.decode(body)) as T,
  };
}
