// The NATS Streaming (stan) rules the events store inherits (broker-behaviour.md §2.2, §3).
import { STAN_INVALID_CLIENT_ID } from '../../service/errors.js';

/** An error the server passes through from stan, as gRPC INTERNAL with this exact text. */
export class StanError extends Error {
  override readonly name = 'StanError';
}

const CLIENT_ID = /^[a-zA-Z0-9_-]+$/;

/** §2.2: an events-store ClientID becomes a stan client id, which allows only these characters. */
export function checkStanClientId(clientId: string): void {
  if (!CLIENT_ID.test(clientId)) throw new StanError(STAN_INVALID_CLIENT_ID);
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
