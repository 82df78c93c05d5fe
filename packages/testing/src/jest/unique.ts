import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random characters from [a-z0-9]. */
export function randomSuffix(length = 8): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

const SAFE_CHANNEL_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const SAFE_CLIENT_PREFIX = /^[A-Za-z0-9_-]+$/;

/**
 * A channel name no other test uses: `prefix.k3j9x2a1`. Safe for every pattern (no wildcards,
 * spaces, `/`, `:`, empty tokens or control characters: broker-behaviour.md §3, §6).
 */
export function uniqueChannel(prefix = 'test'): string {
  if (typeof prefix !== 'string' || !SAFE_CHANNEL_PREFIX.test(prefix)) {
    throw new TypeError(`uniqueChannel: prefix must match ${String(SAFE_CHANNEL_PREFIX)} (got '${String(prefix)}')`);
  }
  return `${prefix}.${randomSuffix()}`;
}

/** A ClientID no other test uses, matching ^[a-zA-Z0-9_-]+$ (events-store durables: broker-behaviour.md §0.6). */
export function uniqueClientId(prefix = 'client'): string {
  if (typeof prefix !== 'string' || !SAFE_CLIENT_PREFIX.test(prefix)) {
    throw new TypeError(`uniqueClientId: prefix must match ${String(SAFE_CLIENT_PREFIX)} (got '${String(prefix)}')`);
  }
  return `${prefix}-${randomSuffix()}`;
}
