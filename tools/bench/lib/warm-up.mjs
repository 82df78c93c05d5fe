// How many messages a worker run sends before it measures. Code that runs once per send (building
// and encoding a queue batch, matching its answer, decoding a poll's answer) is still cold after a
// handful of sends, and its compilation would land in the measured CPU (findings, item 14). At
// 500 messages V8 was still optimizing the per-message path of every client (findings, item 15).

/** Messages in one of the producer's sends: a queue send carries a batch of 100. */
export function messagesPerSend(kind) {
  return kind.startsWith('queues') ? 100 : 1;
}

/** At least 5,000 messages and 50 sends, never more than the `count` the run measures. */
export function warmUpCount(kind, count) {
  return Math.min(count, Math.max(5000, 50 * messagesPerSend(kind)));
}
