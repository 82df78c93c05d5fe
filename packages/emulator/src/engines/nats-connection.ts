// The server's one NATS connection for events, commands, queries and responses (its shared client),
// and how the NATS server reads the publish lines the broker writes on it (broker-behaviour.md §6).
// A channel name goes into `PUB <subject> [<reply>] <size>` as it is. The NATS server splits that
// line on runs of spaces, tabs and CRs, and ends it at the first LF: a tab in an event's channel
// makes a three-part line that reaches subscribers of what comes before the tab (the [seen]
// `a<TAB>b` event). An LF cuts the line short and leaves the rest to be read as the payload, and
// any other count of parts, or a line longer than 4096 bytes, is a protocol error: the NATS server
// closes the connection;
// the broker's client never reconnects it, so every later event, request and response through it
// fails until the broker restarts.

/**
 * The NATS server's longest protocol line (`max_control_line`, 4096 bytes by default; the broker
 * keeps the default): the arguments of a longer `PUB` or `SUB` line are refused with `Maximum
 * Control Line Exceeded`, and the connection is closed.
 */
const NATS_MAX_CONTROL_LINE = 4096;
/** The length of the broker's reply inbox on a request's line (`_INBOX.<22-char nuid>.<token>`). */
const REPLY_INBOX_BYTES = 38;
/** Digits allowed for a publish's payload size: a few more than most payloads need, so a line near the limit counts as over it. */
const SIZE_DIGITS = 8;

/**
 * Whether a protocol line is longer than the NATS server takes: its text parts are counted in
 * UTF-8 bytes, its number parts are byte counts of what the line holds besides them.
 */
export function overControlLine(...parts: Array<string | number>): boolean {
  let bytes = 0;
  for (const part of parts) bytes += typeof part === 'number' ? part : Buffer.byteLength(part);
  return bytes > NATS_MAX_CONTROL_LINE;
}

/** Whether a `SUB <subject> [<group>] <sid>` line is too long for the NATS server (the subscriber's own connection then closes). */
export function subscribeLineTooLong(prefix: string, channel: string, group: string): boolean {
  return overControlLine(prefix, channel, ' ', group, ' 99');
}

/** The subject prefixes of the broker's NATS publishes (responses go to a bare inbox). */
export const NATS_PREFIX = { events: '_EVENTS_.', commands: '_COMMANDS_.', queries: '_QUERIES_.', response: '' } as const;

/**
 * The channel the NATS server reads from the line of a publish to `prefix + channel` (the part
 * of the subject after the prefix); undefined when the line is malformed.
 */
export function readPubChannel(prefix: string, channel: string, withReply: boolean): string | undefined {
  if (channel.includes('\n')) return undefined;
  if (overControlLine(prefix, channel, withReply ? 1 + REPLY_INBOX_BYTES : 0, 1 + SIZE_DIGITS)) return undefined;
  const parts = `${prefix}${channel}${withReply ? ' _INBOX' : ''} 0`.split(/[ \t\r]+/).filter((p) => p !== '');
  return parts.length === 2 || parts.length === 3 ? parts[0]!.slice(prefix.length) : undefined;
}

export class SharedNatsConnection {
  #up = true;

  /** False once a malformed line closed it. */
  get up(): boolean {
    return this.#up;
  }

  /**
   * Writes a publish to `prefix + channel` (a request carries its reply inbox): returns the channel
   * the NATS server routes it on, or undefined when the line closed the connection (the publish
   * itself was buffered, so its caller saw no error).
   */
  publish(prefix: string, channel: string, withReply: boolean): string | undefined {
    const routed = readPubChannel(prefix, channel, withReply);
    if (routed === undefined) this.#up = false;
    return routed;
  }
}
