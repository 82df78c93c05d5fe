// Deadlines inside the process run on performance.now(), a clock the system never steps: one on
// Date.now() ends early, or hours late, when NTP or a resumed VM moves the wall clock while it
// runs. gRPC alone takes its deadline as wall time, and turns it into a timeout at once.

/** Now, in milliseconds on the monotonic clock: the time base of every internal deadline. */
export function monotonicNow(): number {
  return performance.now();
}

/** The wall-clock Date at which a deadline on {@link monotonicNow} falls, for gRPC's `deadline`. */
export function wallClockDeadline(deadline: number): Date {
  return new Date(Date.now() + (deadline - performance.now()));
}
