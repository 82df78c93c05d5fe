import type { Logger } from '../../client/logger.js';
import type { Instrumentation } from '../../telemetry/telemetry.js';
import type { KubemqError } from '../errors/kubemq-error.js';

/**
 * How a connection authenticates its calls: the metadata each call carries and what happens when
 * the broker refuses a token. A static token (or none) is {@link staticAuth}: nothing to refresh,
 * so the connection holds no refresh code and an app without refreshing credentials bundles none
 * of it. `refreshingCredentials()`'s TokenManager keeps its token fresh and answers a refusal with
 * one refresh.
 */
export interface CallAuth {
  /** Whether calls carry a token (a static one or a provider's): `connect()` then proves it. */
  readonly sendsToken: boolean;
  /** The metadata of the next call (`authorization`: the raw token), or none. */
  metadata(): Record<string, string>;
  /**
   * Runs one unary call (`run` rejects with a mapped KubemqError). Refreshing credentials first
   * make sure their token is fresh, and when the broker answers UNAUTHENTICATED they refresh once
   * and run the call once more. Waiting for a token ends with the call's deadline (on
   * `monotonicNow()`) or signal, as the call would.
   */
  unary<T>(run: () => Promise<T>, operation: string, bound: { deadline: number; signal: AbortSignal | undefined }): Promise<T>;
  /** Which token calls carry now: goes up with each refresh (always 0 for a static token). */
  readonly generation: number;
  /**
   * A stream opened with token `openedWith` failed with `err` (mapped from `cause`): the error to
   * report. Refreshing credentials answer UNAUTHENTICATED with a retryable error, after one
   * refresh (proved with `prove`, which asks the broker about the current token) or at once when
   * the token has been refreshed since, so that recoverable() re-opens the stream.
   */
  streamFailed(err: KubemqError, cause: unknown, openedWith: number, prove: () => Promise<TokenVerdict>): KubemqError | Promise<KubemqError>;
  /** A call or stream that went with token `generation` went through: the broker takes that token. */
  accepted(generation: number): void;
  close(): void;
}

/** What the broker said of a token it was asked about: only its refusal is `refused`. */
export type TokenVerdict = 'accepted' | 'refused' | 'unknown';

/** Starts the auth of one connection (called once, by the connection, with the client's logger and telemetry). */
export type StartAuth = (logger: Logger, telemetry?: Instrumentation) => CallAuth;

/** A token that never changes (`authToken`, `KUBEMQ_AUTH_TOKEN`), or none. */
export function staticAuth(token: string | undefined): CallAuth {
  const metadata: Record<string, string> = token === undefined ? {} : { authorization: token };
  return {
    sendsToken: token !== undefined,
    generation: 0,
    metadata: () => metadata,
    unary: (run) => run(),
    streamFailed: (err) => err,
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
