// Deadlines inside the process run on performance.now(), a clock the system never steps: one on
// Date.now() ends early, or hours late, when NTP or a resumed VM moves the wall clock while it
// runs. gRPC alone takes its deadline as wall time, and turns it into a timeout at once.

/** Now, in milliseconds on the monotonic clock: the time base of every internal deadline. */
export function monotonicNow(): number {
  return performance.now();
}

/**
 * The longest delay a Node timer keeps (about 24.8 days): a longer one fires at once, so a long
 * timeout, or one a layer lengthened (a request's deadline is its timeout plus a margin), would
 * end its call within a millisecond.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The wall-clock Date at which a deadline on {@link monotonicNow} falls, for gRPC's `deadline`; at
 * most a timer's longest delay away, less a second: that far out the `grpc-timeout` header is sent
 * in seconds rounded up, and a gRPC server built on Node turns anything past the longest delay
 * into an immediate DEADLINE_EXCEEDED.
 */
export function wallClockDeadline(deadline: number): Date {
  return new Date(Date.now() + Math.min(deadline - performance.now(), MAX_TIMER_MS - 1_000));
}

/** `ms` as a timer can wait it: anything longer waits the longest a timer can. */
export function timerDelay(ms: number): number {
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
}
