// When a message counts as "during an outage". The burn-in and the chaos test judge latency and
// errors outside these windows against the steady-state thresholds, and report the rest apart;
// which losses an outage explains is decided per workload in loss-account.ts.

export type BrokerSignal = 'KILL' | 'TERM';
export const BROKER_SIGNALS: readonly BrokerSignal[] = ['KILL', 'TERM'];

/** One restart of the broker, as the scenario saw it (Date.now() times of this process). */
export interface Outage {
  signal: BrokerSignal;
  /** When the signal was sent. */
  signalAt: number;
  /** When the broker process had exited (TERM: after its graceful shutdown). */
  downAt: number;
  /** When the restarted broker answered a Ping. */
  backAt: number;
}

/** An outage as far as it is known while it runs (`backAt` undefined until the broker answers). */
export interface OutageMark {
  signalAt: number;
  backAt: number | undefined;
}

export const OUTAGE_WINDOW = {
  /**
   * How long after the broker answers again a send still counts as during the outage: the SDK's
   * default reconnect policy (a 4 s backoff ceiling) brings every connection, stream and responder
   * back within about 5 s of the broker's return, and until then sends wait for that recovery.
   */
  graceMs: 5000,
  /**
   * A missing message has no delivery time to compare with the signal, so one sent up to 1 s before
   * it counts as cut off by it: 1 s is the steady-state p99 bound, and the queue workloads' polls
   * wait at most 1 s; a message sent earlier should have arrived before the signal.
   */
  missingBeforeSignalMs: 1000,
} as const;

/**
 * Whether a message sent at `sentAt` and done (delivered, answered or failed) at `doneAt` was
 * affected by an outage: it was in flight when a signal was sent, or it was sent between a signal
 * and the end of the grace period after the broker's return. Decidable as soon as the message is
 * done, so latency can be sorted into two histograms on the fly.
 */
export function affectedByOutage(sentAt: number, doneAt: number, outages: readonly OutageMark[]): boolean {
  return outages.some(
    (o) => (sentAt < o.signalAt && o.signalAt <= doneAt) || (sentAt >= o.signalAt && sentAt <= (o.backAt ?? Infinity) + OUTAGE_WINDOW.graceMs),
  );
}

/** Whether a message that never arrived was sent within an outage window (see OUTAGE_WINDOW). */
export function missingInOutage(sentAt: number, outages: readonly Outage[]): boolean {
  return outages.some((o) => sentAt >= o.signalAt - OUTAGE_WINDOW.missingBeforeSignalMs && sentAt <= o.backAt + OUTAGE_WINDOW.graceMs);
}

/**
 * The first outage whose signal came at or after `sentAt`: the only ones that can have stranded a
 * message sent then (undefined when none came after it).
 */
export function nextOutage(sentAt: number, outages: readonly Outage[]): number | undefined {
  const i = outages.findIndex((o) => o.signalAt >= sentAt);
  return i === -1 ? undefined : i;
}
