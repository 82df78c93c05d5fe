import type { EventReceive as WireEventReceive } from '@kubemq/core/internal';
import type { EventReceive } from '../types.js';

const decoder = /* @__PURE__ */ new TextDecoder();

/** Turns a wire EventReceive into the public shape (the body stays a zero-copy view). */
export function toEventReceive(wire: WireEventReceive): EventReceive {
  const body: Uint8Array = wire.Body ?? new Uint8Array(0);
  return {
    id: wire.EventID,
    channel: wire.Channel,
    body,
    metadata: wire.Metadata,
    tags: wire.Tags ?? {},
    text: () => decoder.decode(body),
    json: <T>() => JSON.parse(decoder.decode(body)) as T,
  };
}
