// Readiness probes (see EventListener.ready): ordinary events marked with a reserved tag, which
// every subscription this package opens drops, so they never reach user code.
import type { Tags } from '@kubemq/core';

/** Tags starting with this are reserved for readiness probes; user events may not set them. */
export const RESERVED_TAG_PREFIX = 'x-kubemq-events-';
/**
 * On an event listener's readiness probe: the token of the listener that sent it. (`@kubemq/rpc`'s
 * responders mark their probes with another tag, `RPC_READINESS_PROBE_TAG`.)
 */
export const EVENTS_READINESS_PROBE_TAG = `${RESERVED_TAG_PREFIX}probe`;
/** Metadata of a probe (an event needs a body or metadata). */
export const PROBE_METADATA = 'kubemq-events-readiness-probe';

/**
 * True when a received event is a readiness probe sent by a `@kubemq/events` listener's
 * `ready()`. This package's own subscriptions never deliver probes; subscribers built with
 * another SDK do see them, as events carrying the tag {@link EVENTS_READINESS_PROBE_TAG}.
 *
 * @example
 * ```ts
 * if (isEventsReadinessProbe(event)) return; // someone proved a listener ready on this channel
 * ```
 */
export function isEventsReadinessProbe(event: { readonly tags: Readonly<Tags> }): boolean {
  return isProbeTags(event.tags);
}

/** The check behind {@link isEventsReadinessProbe}, on an event's tags. */
export function isProbeTags(tags: Readonly<Tags>): boolean {
  return Object.prototype.hasOwnProperty.call(tags, EVENTS_READINESS_PROBE_TAG);
}

/**
 * The concrete channel a listener's probes go to. A plain channel probes itself; a wildcard
 * pattern probes a channel it matches (each `*` and a trailing `>` become one probe token), which
 * plain subscribers of other channels never see.
 */
export function probeChannel(pattern: string, token: string): string {
  return pattern
    .split('.')
    .map((part) => (part === '*' || part === '>' ? `_probe_${token}` : part))
    .join('.');
}
