import { ValidationError } from '../errors/kubemq-error.js';
import { brokerError } from '../errors/map-error.js';
import type { ClientInternals } from '../connection/client-internals.js';
import type { Event as WireEvent, Result } from '../generated/kubemq.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';

/**
 * One `SendEvent` call for a built event (Store=false or true): the broker's answer, or its error
 * text (`Result.Error`, or `Sent:false`) as a KubemqError naming the operation and channel.
 * The method descriptor comes from the caller, so each pattern's bundle holds only its own paths.
 */
export async function sendEventOnce(
  internals: ClientInternals,
  method: MethodDescriptor<WireEvent, Result>,
  wire: WireEvent,
  ctx: { operation: string; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<{ id: string; sent: true }> {
  const { operation, timeoutMs, signal } = ctx;
  const result = await internals.unary(method, wire, {
    operation,
    channel: wire.Channel,
    timeoutMs,
    ...(signal && { signal }),
  });
  if (result.Error || !result.Sent) {
    throw brokerError(result.Error || 'the broker did not accept the event', { operation, channel: wire.Channel });
  }
  return { id: result.EventID || wire.EventID, sent: true };
}

/** How a client sends single events: on a shared `SendEventsStream` (default) or one `SendEvent` each. */
export type EventSendMode = 'stream' | 'unary';

/** The client option `sendMode` (default 'stream'); anything else is a ValidationError naming it. */
export function validateSendMode(value: unknown, operation: string): EventSendMode {
  const mode = value ?? 'stream';
  if (mode !== 'stream' && mode !== 'unary') {
    throw new ValidationError({
      message: `invalid sendMode: must be 'stream' or 'unary' (got ${String(mode)})`,
      operation,
      field: 'sendMode',
    });
  }
  return mode;
}
