// How many messages a worker run sends before it measures. Code that runs once per send (building
// and encoding a queue batch, matching its answer, decoding a poll's answer) is still cold after a
// handful of sends, and its compilation would land in the measured CPU (findings, item 14).

/** Messages in one of the producer's sends: a queue send carries a batch of 100. */
export function messagesPerSend(kind) {
  return kind.startsWith('queues') ? 100 : 1;
}

/** At least 500 messages and 50 sends, never more than the `count` the run measures. */
export function warmUpCount(kind, count) {
  return Math.min(count, Math.max(500, 50 * messagesPerSend(kind)));
}
