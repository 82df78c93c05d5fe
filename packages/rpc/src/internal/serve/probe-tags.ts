// Readiness probes (see Responder.ready): ordinary requests marked with reserved tags, which the
// handler helpers answer themselves and never pass to user code.

/** Tags starting with this are reserved for readiness probes; user messages may not set them. */
export const RESERVED_TAG_PREFIX = 'x-kubemq-rpc-';
/**
 * On a responder's readiness probe: the token of the responder that sent it; on the answer: echoed.
 * (`@kubemq/events` listeners mark their probes with another tag, `EVENTS_READINESS_PROBE_TAG`.)
 */
export const RPC_READINESS_PROBE_TAG = `${RESERVED_TAG_PREFIX}probe`;
/** On a probe from a group member: the group, so another member of it answers "not me" quickly. */
export const PROBE_GROUP_TAG = `${RESERVED_TAG_PREFIX}probe-group`;
/** On a probe's answer: the token of the responder that answered. */
export const PROBE_RESPONDER_TAG = `${RESERVED_TAG_PREFIX}responder`;
/** Metadata of a probe (a request needs a body or metadata). */
export const PROBE_METADATA = 'kubemq-rpc-readiness-probe';

/**
 * True when a received request is a readiness probe sent by a `@kubemq/rpc` responder. Raw
 * subscribers (`subscribe()`) see probes too; skip them, or answer them like any request.
 *
 * @example
 * ```ts
 * for await (const cmd of commands(client).subscribe({ channel: 'jobs' })) {
 *   if (isRpcReadinessProbe(cmd)) continue;
 *   // …
 * }
 * ```
 */
export function isRpcReadinessProbe(received: { tags: Readonly<Record<string, string>> }): boolean {
  return isProbeTags(received.tags);
}

/** The check behind {@link isRpcReadinessProbe}, on a request's tags (the responder's wire `Tags`). */
export function isProbeTags(tags: Readonly<Record<string, string>>): boolean {
  return Object.prototype.hasOwnProperty.call(tags, RPC_READINESS_PROBE_TAG);
}

/**
 * The concrete channel a probe goes to. A plain channel probes itself; a wildcard pattern probes a
 * channel it matches (each `*` and a trailing `>` become one probe token), which plain
 * subscribers of other channels never see.
 */
export function probeChannel(pattern: string, token: string): string {
  return pattern
    .split('.')
    .map((part) => (part === '*' || part === '>' ? `_probe_${token}` : part))
    .join('.');
}

/**
 * Whether a responder answers a probe it received: its own (the proof), or one from another
 * member of its group (answered "not me", so that member retries at once instead of waiting for
 * the probe's timeout). Probes of other subscribers are ignored: they reach their sender too.
 */
export function shouldAnswerProbe(tags: Readonly<Record<string, string>>, self: { token: string; group: string | undefined }): boolean {
  const token = tags[RPC_READINESS_PROBE_TAG];
  if (token === self.token) return true;
  return self.group !== undefined && tags[PROBE_GROUP_TAG] === self.group;
}
