import { registerCredentials } from '../internal/connection/call-auth.js';
import { TokenManager } from '../internal/connection/token-manager.js';
import { fail } from '../internal/validation/fail.js';
import type { CredentialProvider } from './credential-provider.js';
import { validatePositiveInt } from '../internal/validation/numbers.js';

export type { CredentialProvider } from './credential-provider.js';

/**
 * Options of {@link refreshingCredentials}.
 *
 * @example
 * ```ts
 * const options: RefreshingCredentialsOptions = { refreshMarginMs: 60_000 };
 * ```
 */
export interface RefreshingCredentialsOptions {
  /** Refresh a token this long before it expires, in ms. Default 30000. */
  refreshMarginMs?: number | undefined;
}

/**
 * What `ClientOptions.credentials` takes, made by {@link refreshingCredentials}: hand it to
 * `KubemqClient.connect()`. (A static token needs none: `ClientOptions.authToken`.)
 *
 * @example
 * ```ts
 * const credentials: Credentials = refreshingCredentials({ getToken: async () => ({ token: 'secret' }) });
 * ```
 */
export interface Credentials {
  /** `'refreshing'`: tokens from a provider, refreshed before they expire. */
  readonly kind: 'refreshing';
}

/**
 * Credentials from a provider of expiring tokens. The client asks for a token at connect, again
 * before the current one expires (`refreshMarginMs` ahead, at most about once a second), and once
 * more when the broker answers UNAUTHENTICATED (then retries the call once). Tokens go only into
 * the `authorization` metadata, never into logs or errors. A function (not an option the client
 * reads by itself): an app that never refreshes tokens bundles none of this.
 *
 * @throws ValidationError naming `credentials` (a provider without `getToken()`) or
 *   `refreshMarginMs`.
 *
 * @example
 * ```ts
 * import { KubemqClient, refreshingCredentials } from '@kubemq/core';
 *
 * declare function fetchToken(): Promise<{ token: string; expiresAt: Date }>;
 * const client = await KubemqClient.connect({
 *   address: 'broker.internal:50000',
 *   credentials: refreshingCredentials({ getToken: fetchToken }, { refreshMarginMs: 60_000 }),
 * });
 * ```
 */
export function refreshingCredentials(provider: CredentialProvider, options: RefreshingCredentialsOptions = {}): Credentials {
  if (typeof provider?.getToken !== 'function') fail('credentials', 'must have a getToken() method');
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  const marginMs = options.refreshMarginMs === undefined ? 30_000 : validatePositiveInt(options.refreshMarginMs, 'refreshMarginMs', { min: 0 });
  const credentials: Credentials = { kind: 'refreshing' };
  registerCredentials(credentials, (logger, telemetry) => new TokenManager(provider, marginMs, logger, telemetry));
  return credentials;
}
