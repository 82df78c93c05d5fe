import type { CredentialProvider } from '../../client/credential-provider.js';
import type { Logger } from '../../client/logger.js';
import type { Instrumentation } from '../../telemetry/telemetry.js';
import type { CallAuth, TokenVerdict } from './call-auth.js';
import { errorText } from '../errors/error-text.js';
import { AuthenticationError, KubemqError } from '../errors/kubemq-error.js';
import { deadline } from '../util/async.js';
import { tokenProblem } from '../validation/text-rules.js';
import { monotonicNow, timerDelay } from '../util/monotonic.js';

/**
 * At most one proactive refresh per second: a provider whose tokens live shorter than the margin
 * must not be asked in a tight loop.
 */
const MIN_REFRESH_INTERVAL_MS = 1000;
/**
 * A provider that has not answered in this long is asked again by the next call that needs a
 * token: calls share one request, and one that never settles would otherwise hold every later call.
 */
const PROVIDER_ANSWER_MS = 30_000;
/** How a timeout names the provider's silence, whether the call or the refresh gave up first. */
const SILENT_PROVIDER = 'gave no token';

/**
 * Holds a provider's token and keeps it fresh (`refreshingCredentials()`). The token goes only into
 * the `authorization` metadata (raw, no `Bearer ` prefix): never into logs or error messages.
 */
export class TokenManager implements CallAuth {
  readonly sendsToken = true;
  readonly #provider: CredentialProvider;
  readonly #marginMs: number;
  readonly #logger: Logger;
  readonly #telemetry: Instrumentation | undefined;
  #token: string | undefined;
  #expiresAt: Date | undefined;
  /** When the token was last refreshed, on `monotonicNow()`: the rate limit must not move with the wall clock. */
  #refreshedAt = -Infinity;
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Counts the provider's tokens: each call and stream records the one it went with. */
  #generation = 0;
  /** The current token was fetched to answer a refusal, and nothing has proved it since. */
  #unproven = false;
  /** The answer to a refusal of the current token (refresh, then proof), shared by every stream refused meanwhile. */
  #answering: Promise<TokenVerdict> | undefined;
  #closed = false;

  constructor(provider: CredentialProvider, marginMs: number, logger: Logger, telemetry?: Instrumentation) {
    this.#provider = provider;
    this.#marginMs = marginMs;
    this.#logger = logger;
    this.#telemetry = telemetry;
  }

  /** A fresh token first; on UNAUTHENTICATED from the broker, one refresh and one more run. */
  async unary<T>(run: () => Promise<T>, operation: string, bound: { deadline: number; signal: AbortSignal | undefined }): Promise<T> {
    // The usual case, a fresh token, costs no bound.
    if (this.#due()) await this.#within(this.refresh(), operation, bound);
    try {
      return await run();
    } catch (err) {
      // Only the broker's refusal (a gRPC status), not a failed refresh: that one is final.
      const refused = KubemqError.isKubemqError(err) && err.code === 'AUTHENTICATION' && err.grpcStatus !== undefined;
      if (!refused) throw err;
      this.#logger.info('the broker refused the token; refreshing once', { operation });
      await this.#within(this.refresh(), operation, bound);
      this.#telemetry?.retried(operation, 'token_refresh');
      if (this.#due()) await this.#within(this.refresh(), operation, bound);
      return run();
    }
  }

  /**
   * A provider that never answers must not hold the call past its deadline or its signal. Its
   * silence is an authentication failure (retryable), so a connect() says where to look.
   */
  async #within(work: Promise<void>, operation: string, { deadline: end, signal }: { deadline: number; signal: AbortSignal | undefined }): Promise<void> {
    const timeoutMs = Math.max(0, end - monotonicNow());
    try {
      await deadline(work, { operation, what: `${operation}: the credential provider`, late: SILENT_PROVIDER, timeoutMs, signal });
    } catch (err) {
      if (!KubemqError.isKubemqError(err) || err.code !== 'TIMEOUT') throw err;
      throw new AuthenticationError({ message: err.message, operation, retryable: true, cause: err });
    }
  }

  /**
   * A stream refused with UNAUTHENTICATED. Refused with a token older than the current one (a
   * refresh answered another refusal meanwhile, or came on time): it re-opens with the new one.
   * Refused with the current one: one refresh, shared by every stream refused meanwhile, and the
   * broker is asked (`prove`) whether it takes the new token, since a stream it accepts may say
   * nothing for hours. The stream re-opens unless the broker refused the new token too, or the
   * current token was itself fetched for a refusal and nothing has proved it since: no loop.
   */
  async streamFailed(err: KubemqError, cause: unknown, openedWith: number, prove: () => Promise<TokenVerdict>): Promise<KubemqError> {
    if (err.code !== 'AUTHENTICATION') return err;
    if (openedWith === this.#generation) {
      if (this.#unproven && this.#answering === undefined) return err;
      let verdict: TokenVerdict;
      try {
        this.#answering ??= this.#answerRefusal(err.operation, prove).finally(() => (this.#answering = undefined));
        verdict = await this.#answering;
      } catch (refreshError) {
        return refreshError as KubemqError;
      }
      if (verdict === 'refused') return withMessage(err, `${err.message} (the refreshed token was refused too)`, false);
    }
    return withMessage(err, `${err.message} (token refreshed; retry once)`, true, cause);
  }

  async #answerRefusal(operation: string, prove: () => Promise<TokenVerdict>): Promise<TokenVerdict> {
    this.#logger.info('the broker refused the token; refreshing once', { operation });
    await this.refresh();
    const generation = this.#generation;
    this.#unproven = true;
    const verdict = await prove();
    if (verdict === 'accepted') this.accepted(generation);
    return verdict;
  }

  /** No token yet, an expired one, or one within the refresh margin (at most one refresh a second). */
  #due(): boolean {
    const now = Date.now();
    const expired = this.#token === undefined || now >= (this.#expiresAt?.getTime() ?? Infinity);
    return expired || (now >= this.#refreshAt() && monotonicNow() - this.#refreshedAt >= MIN_REFRESH_INTERVAL_MS);
  }

  /** The metadata for a call: the current token, as is. */
  metadata(): Record<string, string> {
    return this.#token === undefined ? {} : { authorization: this.#token };
  }

  /** Asks the provider for a new token; concurrent callers share one request. */
  refresh(): Promise<void> {
    const provider = this.#provider;
    this.#refreshing ??= (async () => {
      try {
        const { token, expiresAt: given } = await deadline(Promise.resolve().then(() => provider.getToken()), {
          operation: 'auth.refresh',
          what: 'the credential provider',
          late: SILENT_PROVIDER,
          timeoutMs: PROVIDER_ANSWER_MS,
        });
        if (typeof token !== 'string') throw new Error(`the credential provider returned a ${typeof token} as its token, not a string`);
        const fault = tokenProblem(token);
        if (fault) throw new Error(`the token the credential provider returned ${fault}`);
        const expiresAt = given ?? undefined; // a JSON null: no expiry, as an absent one
        if (expiresAt !== undefined && !(expiresAt instanceof Date && Number.isFinite(expiresAt.getTime()))) {
          // An Invalid Date (say, from a missing expires_at) would schedule the next refresh at once, for good.
          throw new Error(`the credential provider returned an expiresAt that is not a valid Date (got ${expiresAt instanceof Date ? 'Invalid Date' : typeof expiresAt})`);
        }
        this.#token = token;
        this.#generation++;
        this.#unproven = false;
        this.#expiresAt = expiresAt;
        this.#refreshedAt = monotonicNow();
        this.#schedule();
        this.#logger.debug('auth token refreshed', { expiresAt: expiresAt?.toISOString() });
      } catch (err) {
        throw new AuthenticationError({
          message: `the credential provider failed: ${errorText(err)}`,
          operation: 'auth.refresh',
          retryable: true,
          cause: err,
        });
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Which token calls carry now: goes up with each refresh. */
  get generation(): number {
    return this.#generation;
  }

  /** A call or stream that went with token `generation` went through: that token is proved. */
  accepted(generation: number): void {
    if (generation === this.#generation) this.#unproven = false;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #refreshAt(): number {
    return (this.#expiresAt?.getTime() ?? Infinity) - this.#marginMs;
  }

  /** Proactive refresh shortly before expiry; unref'd so it never keeps the process alive. */
  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#closed || this.#expiresAt === undefined) return;
    const delay = Math.max(MIN_REFRESH_INTERVAL_MS, timerDelay(this.#refreshAt() - Date.now()));
    this.#timer = setTimeout(() => {
      this.refresh().catch((err: unknown) => this.#logger.warn('proactive token refresh failed', { error: (err as Error).message }));
    }, delay);
    this.#timer.unref();
  }
}

/** `err` with another message, and retryable or not (a refusal's AUTHENTICATION error is final as mapped). */
function withMessage(err: KubemqError, message: string, retryable: boolean, cause: unknown = err): AuthenticationError {
  return new AuthenticationError({
    message,
    operation: err.operation,
    retryable,
    ...(err.channel !== undefined && { channel: err.channel }),
    ...(err.grpcStatus !== undefined && { grpcStatus: err.grpcStatus }),
    cause,
  });
}
