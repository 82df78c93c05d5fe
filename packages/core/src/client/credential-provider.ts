// Its own file so that the token manager can name it without importing credentials.ts, which
// imports the token manager (an import cycle otherwise).

/**
 * Supplies auth tokens that expire: give it to `refreshingCredentials()`.
 *
 * @example
 * ```ts
 * const provider: CredentialProvider = { getToken: async () => ({ token: 'secret', expiresAt: new Date(Date.now() + 3_600_000) }) };
 * ```
 */
export interface CredentialProvider {
  /** A fresh token, and when it expires (absent: it does not). */
  getToken(): Promise<{
    /** The raw token, sent as is in the `authorization` metadata. */
    token: string;
    /** When the token stops being valid. */
    expiresAt?: Date | undefined;
  }>;
}
