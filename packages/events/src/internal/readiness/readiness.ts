import { KubemqError, TimeoutError } from '@kubemq/core';
import { buildWireEvent, deferred, newId, onAbort, within, type ClientInternals, type Event as WireEvent } from '@kubemq/core/internal';
import { PROBE_METADATA, EVENTS_READINESS_PROBE_TAG, probeChannel } from './probe-tags.js';

/** How long `ready()` keeps probing unless told otherwise. */
export const DEFAULT_READY_TIMEOUT_MS = 15_000;
/**
 * After each probe, how long to wait for it to arrive before the next one: short at first (the
 * broker usually registers a subscription within a few hundred ms), doubling up to the cap.
 */
const FIRST_PROBE_WAIT_MS = 100;
const MAX_PROBE_WAIT_MS = 1_000;
/**
 * In a group a probe reaches one member only, and a probe that reached another member looks like
 * one still on its way: probe again sooner. (Each wait is jittered by ±50%.)
 */
const MAX_GROUP_PROBE_WAIT_MS = 250;
/**
 * In a group the broker hands each probe to one member at random, so a listener joining a group of
 * N that is already proven (nobody else probing) needs about N probes: a group sends 1, 2, 4, …
 * probes per round, up to this many. Without it, a group of 40 missed the default timeout often.
 */
const MAX_GROUP_PROBES_PER_ROUND = 32;
/** Before probing again after a retryable send failure (the connection is coming back, say). */
const RETRY_PAUSE_MS = 100;

/** Publishes one probe event through the events client's own send path (no tracing). */
export type ProbePublisher = (wire: WireEvent, options: { timeoutMs: number; signal: AbortSignal | undefined }) => Promise<unknown>;

/** What one `ready()` call may take, and what ends it early. */
export interface ProveOptions {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Aborts when the listener stops: `ready()` then rejects with `reason()`. */
  stopped: AbortSignal;
  reason(): KubemqError;
}

/**
 * A listener's readiness: which of its streams (a generation per open) a probe has proven to
 * receive events, and the probing that proves it. A proof holds for the stream open now; a break,
 * a re-open or a reconnect takes it away.
 */
export class ListenerReadiness {
  /** Identifies this listener in probes (many may share one client id and one channel). */
  readonly token = newId();
  private readonly probeChannel: string;
  /** Bumped on every (re)open of the stream. */
  private generation = 0;
  private provenGeneration = -1;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly internals: ClientInternals,
    private readonly channel: string,
    private readonly group: string | undefined,
    private readonly publish: ProbePublisher,
    private readonly operation: string,
  ) {
    this.probeChannel = probeChannel(channel, this.token);
  }

  /** A stream is being opened: nothing is proven for it yet. */
  opened(): void {
    this.generation++;
    this.provenGeneration = -1;
  }

  /** The stream broke, or the client reconnected: the proof is gone. */
  lost(): void {
    this.provenGeneration = -1;
  }

  /**
   * An event arrived through the listener's current stream: the broker routes to it. Any event
   * proves that, whoever sent it; in a group, most of this listener's probes reach other members,
   * and the probes of other members reach this one.
   */
  arrived(): void {
    if (this.provenGeneration === this.generation) return;
    this.provenGeneration = this.generation;
    for (const wake of this.waiters) wake();
  }

  /** Proven for the stream open now, on a ready connection. */
  get isReady(): boolean {
    return this.generation > 0 && this.provenGeneration === this.generation && this.internals.state === 'ready';
  }

  /** Probes until a probe of this listener arrives (see EventListener.ready). */
  async prove({ timeoutMs, signal, stopped, reason }: ProveOptions): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const maxWaitMs = this.group === undefined ? MAX_PROBE_WAIT_MS : MAX_GROUP_PROBE_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      if (stopped.aborted) throw reason();
      if (this.isReady) return;
      if (signal?.aborted) throw new KubemqError({ code: 'CANCELLED', message: `${this.operation} was aborted`, operation: this.operation, channel: this.channel });
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) {
        throw new TimeoutError({
          message: `the listener on "${this.channel}" received none of its readiness probes within ${timeoutMs} ms`,
          operation: this.operation,
          channel: this.channel,
          timeoutMs,
        });
      }
      const probes = this.group === undefined ? 1 : Math.min(2 ** attempt, MAX_GROUP_PROBES_PER_ROUND);
      try {
        await this.sendProbes(probes, { timeoutMs: remaining, signal });
      } catch (err) {
        // A probe cut by the listener's stop (the client's close, say): ready() says the listener stopped.
        if (stopped.aborted) throw reason();
        if (!KubemqError.isKubemqError(err) || err.code === 'CANCELLED') throw err;
        // TIMEOUT: the deadline check above answers; a retryable failure: probe again shortly.
        if (err.code !== 'TIMEOUT' && !err.retryable) throw err;
        if (err.code !== 'TIMEOUT') await this.waitForProof(Math.min(RETRY_PAUSE_MS, remaining), signal, stopped);
        continue;
      }
      // Jitter: group members probing in lockstep would keep landing on each other when the
      // broker hands a group's events out in turn (a fixed order of probes meets a fixed order of members).
      const waitMs = Math.min(FIRST_PROBE_WAIT_MS * 2 ** Math.min(attempt, 10), maxWaitMs) * (0.5 + Math.random());
      await this.waitForProof(Math.min(Math.floor(waitMs), Math.max(0, Math.floor(deadline - performance.now()))), signal, stopped);
    }
  }

  /** Sends `count` probes side by side; the first failure is the round's. */
  private async sendProbes(count: number, options: { timeoutMs: number; signal: AbortSignal | undefined }): Promise<void> {
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) sends.push(this.publish(this.probe(), options));
    await Promise.all(sends);
  }

  private probe(): WireEvent {
    return buildWireEvent(
      { channel: this.probeChannel, metadata: PROBE_METADATA, tags: { [EVENTS_READINESS_PROBE_TAG]: this.token } },
      this.internals.clientId,
      { operation: this.operation, pattern: 'events' },
    );
  }

  /** Waits `ms`, or less: until a proof, an abort or the listener's stop. */
  private async waitForProof(ms: number, signal: AbortSignal | undefined, stopped: AbortSignal): Promise<void> {
    // The probe may have arrived already, while its send was being confirmed.
    if (this.isReady) return;
    const woken = deferred<void>();
    const wake = () => woken.resolve();
    this.waiters.add(wake);
    const unlisten = onAbort(stopped, wake);
    await within(woken.promise, { timeoutMs: ms, signal });
    this.waiters.delete(wake);
    unlisten();
  }
}
