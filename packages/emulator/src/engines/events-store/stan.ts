// The NATS Streaming (stan) rules the events store inherits (broker-behaviour.md §2.2, §3).

/** What stan refuses; the service layer answers each with stan's own text (gRPC INTERNAL). */
export type StanRefusal =
  /** A second live connection with the same ClientID (§2.2). */
  | 'client-id-registered'
  /** A ClientID with characters other than `[a-zA-Z0-9_-]` (§2.2). */
  | 'invalid-client-id'
  /** A `:` in the durable name of a grouped subscription (§2.2, §6). */
  | 'durable-colon';

/** A refusal the server passes through from stan. */
export class StanError extends Error {
  override readonly name = 'StanError';

  constructor(readonly refusal: StanRefusal) {
    super(`stan refused: ${refusal}`);
  }
}

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

/** §6: a tab, CR or LF in a channel breaks the protocol line of the shared events-store publisher. */
export function breaksPublisher(channel: string): boolean {
  return /[\t\r\n]/.test(channel);
}
