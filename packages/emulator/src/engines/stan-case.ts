// Channel names that differ only in case (broker-behaviour.md §2.2, §2.4). Newer stan (the
// broker's stan server 0.25: channelStore.checkCase in server/stan/server/server.go) refuses to
// create a channel when one with the same lower-case name exists; stan 0.19 has no such check. Which
// one kubemq-community v2.4.0 ships is not settled, so the emulator refuses, the less forgiving side.

/**
 * Go's strings.ToLower: each code point on its own (JS's toLowerCase turns İ into two code points
 * and a final Σ into ς, where Go gives i and σ).
 */
export function goToLower(s: string): string {
  if (!/[\u0080-\uffff]/.test(s)) return s.toLowerCase(); // ASCII: the same either way
  let out = '';
  for (const c of s) out += c === '\u0130' ? 'i' : c.toLowerCase();
  return out;
}

/** The names of one kind of stan channel that exist, by their lower-case form (stan's channelsLC). */
export class StanCaseIndex {
  private readonly byLower = new Map<string, string>();

  /** A channel was created (or read back from the store). */
  add(name: string): void {
    const key = goToLower(name);
    if (!this.byLower.has(key)) this.byLower.set(key, name);
  }

  /** A channel was deleted: its lower-case name is free again. */
  remove(name: string): void {
    const key = goToLower(name);
    if (this.byLower.get(key) === name) this.byLower.delete(key);
  }

  /**
   * The existing channel that `name` differs from only in case, if any. Stan looks a name up as it
   * is first, so callers ask only for a channel that does not exist under `name` itself.
   */
  conflict(name: string): string | undefined {
    const existing = this.byLower.get(goToLower(name));
    return existing === name ? undefined : existing;
  }
}
