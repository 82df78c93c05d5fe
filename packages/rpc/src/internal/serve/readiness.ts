// The probing behind Responder.ready(): requests to the responder's own channel, tagged so that
// responders answer them themselves, until the responder that probes answers one.
import { KubemqError, TimeoutError } from '@kubemq/core';
import { within } from '@kubemq/core/internal';
import type { RequestsEngine } from '../client/requests-engine.js';
import { PROBE_GROUP_TAG, PROBE_METADATA, PROBE_RESPONDER_TAG, RPC_READINESS_PROBE_TAG, probeChannel } from './probe-tags.js';

/**
 * The broker waits this long for an answer to one probe before the next one is sent: short at
 * first (registration usually takes a few hundred ms), growing to this for a loaded broker.
 */
export const PROBE_ATTEMPT_TIMEOUT_MS = 1_000;
const FIRST_PROBE_TIMEOUT_MS = 200;

/** The responder that proves its readiness. */
export interface ProbingResponder {
  readonly engine: RequestsEngine;
  /** Its channel or wildcard pattern. */
  readonly channel: string;
  readonly group: string | undefined;
  /** Identifies it in probes (many responders may share one client id). */
  readonly token: string;
  /** True once it stopped: probing ends with `CLOSED`. */
  isStopped(): boolean;
  /** True once a request or probe (anyone's) arrived through its current stream. */
  isProven(): boolean;
}

/**
 * Sends probes until something arrives through `responder`'s current stream (its own probe, a
 * group member's, a request), within `timeoutMs` (then a TimeoutError). Probes that no one
 * answers in time are the broker saying "not registered yet"; an answer from another member of the
 * group means "try again".
 */
export async function probeUntilAnswered(responder: ProbingResponder, timeoutMs: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  const { engine, channel, token, group } = responder;
  const deadline = performance.now() + timeoutMs;
  const probeTags: Record<string, string> = { [RPC_READINESS_PROBE_TAG]: token };
  if (group !== undefined) probeTags[PROBE_GROUP_TAG] = group;

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw new KubemqError({ code: 'CANCELLED', message: `${operation} was aborted`, operation, channel });
    if (responder.isStopped()) throw new KubemqError({ code: 'CLOSED', message: `the responder on "${channel}" is stopped`, operation, channel });
    if (responder.isProven()) return;
    const remaining = Math.floor(deadline - performance.now());
    if (remaining <= 0) {
      throw new TimeoutError({ message: `the responder on "${channel}" answered no readiness probe within ${timeoutMs} ms`, operation, channel, timeoutMs });
    }
    const built = engine.build(
      {
        channel: probeChannel(channel, token),
        metadata: PROBE_METADATA,
        tags: probeTags,
        timeoutMs: Math.min(FIRST_PROBE_TIMEOUT_MS * 2 ** Math.min(attempt, 10), PROBE_ATTEMPT_TIMEOUT_MS, remaining),
      },
      true,
    );
    try {
      const answer = await engine.sendBuilt(built, signal, operation);
      // Its own answer: the probe's arrival proved the stream it came through, and the check at
      // the top returns. Unless that stream broke and was re-opened before the answer came back:
      // the new one is proven by nothing yet (the broker registers it a moment later), so probe on.
      if (answer.Tags[PROBE_RESPONDER_TAG] === token) continue;
      // Another member of the group (or another responder) answered: try again shortly.
      await pause(5 + Math.random() * 20, signal);
    } catch (err) {
      if (!KubemqError.isKubemqError(err)) throw err;
      if (err.code === 'CANCELLED' || err.code === 'CLOSED') throw err;
      // Not registered yet (Error 301), or the connection is coming back: probe again.
      if (err.code === 'TIMEOUT') continue;
      if (err.retryable) await pause(100, signal);
      else throw err;
    }
  }
}

/**
 * Waits `ms`, or less when `signal` aborts (the loop then reports the abort). On a promise of its
 * own: a shared one that never settles would keep every pause's reaction for the process's life.
 */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await within(new Promise<never>(() => undefined), { timeoutMs: ms, signal });
}
