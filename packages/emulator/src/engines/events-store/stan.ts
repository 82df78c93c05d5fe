// The NATS Streaming (stan) rules the events store inherits (broker-behaviour.md §2.2, §3).

import { overControlLine } from '../nats-connection.js';

/** What stan refuses; the service layer answers each with stan's own text (gRPC INTERNAL). */
export type StanRefusal =
  /** A second live connection with the same ClientID (§2.2). */
  | 'client-id-registered'
  /** A ClientID with characters other than `[a-zA-Z0-9_-]` (§2.2). */
  | 'invalid-client-id'
  /** A `:` in the durable name of a grouped subscription (§2.2, §6). */
  | 'durable-colon'
  /** A channel that differs only in case from an existing one (§2.2; newer stan, see stan-case.ts). */
  | 'channel-case';

/** A refusal the server passes through from stan. */
export class StanError extends Error {
  override readonly name = 'StanError';

  /**
   * @param channel For 'channel-case': the stan channel refused (`_EVENTS_STORE_.<ch>`).
   * @param existing For 'channel-case': the stan channel that exists under another case.
   */
  constructor(
    readonly refusal: StanRefusal,
    readonly channel = '',
    readonly existing = '',
  ) {
    super(`stan refused: ${refusal}`);
  }
}

/** The server's prefix for an events-store channel's stan channel. */
export const EVENTS_STORE_PREFIX = '_EVENTS_STORE_.';

const CLIENT_ID = /^[a-zA-Z0-9_-]+$/;

/** §2.2: an events-store ClientID becomes a stan client id, which allows only these characters. */
export function checkStanClientId(clientId: string): void {
  if (!CLIENT_ID.test(clientId)) throw new StanError('invalid-client-id');
}

/** §3: stan refuses `/` and empty tokens (`a..b`, a leading `.`) in channel names. */
export function isStanChannelValid(channel: string): boolean {
  if (channel === '' || channel.includes('/')) return false;
  return !channel.split('.').some((t) => t === '');
}

/**
 * What stan's publish line holds besides the channel: `_STAN.pub.<22-char id>._EVENTS_STORE_.`,
 * the ack inbox `_STAN.acks.<22-char id>` and the payload size (a few digits more than most need).
 */
const PUBLISH_LINE_OVERHEAD = 48 + 33 + 10;

/**
 * §6: a tab, CR or LF in a channel breaks the protocol line of the shared events-store publisher,
 * and so does a line over the NATS server's 4096 bytes.
 */
export function breaksPublisher(channel: string): boolean {
  return /[\t\r\n]/.test(channel) || overControlLine(channel, PUBLISH_LINE_OVERHEAD);
}
