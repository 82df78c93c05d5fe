import type { Logger } from '../../client/logger.js';

/**
 * How a connection authenticates its calls: the metadata each call carries and, for tokens that
 * expire, their refreshing (`refreshingCredentials()`'s TokenManager). A static token (or none)
 * is {@link staticAuth}: nothing to refresh, so an app without refreshing credentials bundles no
 * refresh code.
 */
export interface CallAuth {
  /** Whether a fresh token can be asked for. */
  readonly canRefresh: boolean;
  /** The metadata of the next call (`authorization`: the raw token), or none. */
  metadata(): Record<string, string>;
  /** Fetches the first token (at connect) and refreshes one about to expire. */
  ensureFresh(): Promise<void>;
  /** Asks for a new token; concurrent callers share one request. */
  refresh(): Promise<void>;
  /** The broker answered UNAUTHENTICATED: true when one refresh is worth trying (the caller then awaits refresh()). */
  rejected(): boolean;
  /** A call went through: the next rejection may be answered with a refresh again. */
  accepted(): void;
  close(): void;
}

/** Starts the auth of one connection (called once, by the connection, with the client's logger). */
export type StartAuth = (logger: Logger) => CallAuth;

/** A token that never changes (`authToken`, `KUBEMQ_AUTH_TOKEN`), or none. */
export function staticAuth(token: string | undefined): CallAuth {
  const metadata: Record<string, string> = token === undefined ? {} : { authorization: token };
  return {
    canRefresh: false,
    metadata: () => metadata,
    ensureFresh: () => Promise.resolve(),
    refresh: () => Promise.resolve(),
    rejected: () => false,
    accepted: () => undefined,
    close: () => undefined,
  };
}

/** What each `Credentials` object starts: filled by refreshingCredentials(), read by resolveOptions(). */
const starters = new WeakMap<object, StartAuth>();

export function registerCredentials(credentials: object, start: StartAuth): void {
  starters.set(credentials, start);
}

/** The start function of credentials made by refreshingCredentials() (of this copy of core), or undefined. */
export function credentialsStarter(value: unknown): StartAuth | undefined {
  return typeof value === 'object' && value !== null ? starters.get(value) : undefined;
}
