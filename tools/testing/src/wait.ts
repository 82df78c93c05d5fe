/** Polls `check` every 2 ms until it returns true; fails after `timeoutMs` (on the monotonic clock). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
