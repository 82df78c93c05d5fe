// NATS subject matching and queue groups (broker-behaviour.md §2.1, §2.3): tokens separated by `.`,
// `*` matches one token, `>` matches one or more trailing tokens. Subscribers without a group
// each get a copy; a group gets one copy, delivered to one member picked at random, as a NATS
// server picks (no even split to rely on).

/** True when the subject pattern contains a wildcard token. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('>');
}

/** Does `subject` (a concrete channel) match `pattern`? */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  if (!hasWildcard(pattern)) return false;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const tok = p[i]!;
    if (tok === '>' && i === p.length - 1) return s.length > i;
    if (i >= s.length) return false;
    if (tok !== '*' && tok !== s[i]) return false;
  }
  return p.length === s.length;
}

export interface Subscription<T> {
  readonly pattern: string;
  /** '' = no group. */
  readonly group: string;
  readonly deliver: (msg: T) => void;
}

/** An index of subscriptions by pattern, answering "who gets this message". */
export class SubjectRouter<T> {
  private readonly exact = new Map<string, Set<Subscription<T>>>();
  private readonly wild = new Set<Subscription<T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(pattern: string, group: string, deliver: (msg: T) => void): Subscription<T> {
    const sub: Subscription<T> = { pattern, group, deliver };
    if (hasWildcard(pattern)) {
      this.wild.add(sub);
    } else {
      let set = this.exact.get(pattern);
      if (!set) this.exact.set(pattern, (set = new Set()));
      set.add(sub);
    }
    this.count++;
    return sub;
  }

  remove(sub: Subscription<T>): void {
    let removed = false;
    if (hasWildcard(sub.pattern)) {
      removed = this.wild.delete(sub);
    } else {
      const set = this.exact.get(sub.pattern);
      if (set?.delete(sub)) {
        removed = true;
        if (set.size === 0) this.exact.delete(sub.pattern);
      }
    }
    if (removed) this.count--;
  }

  /** Subscriptions that would see `subject`, before group selection. */
  matching(subject: string): Subscription<T>[] {
    const out: Subscription<T>[] = [];
    const set = this.exact.get(subject);
    if (set) for (const s of set) out.push(s);
    for (const s of this.wild) if (subjectMatches(s.pattern, subject)) out.push(s);
    return out;
  }

  /**
   * The receivers of one message on `subject`: every ungrouped subscriber, plus one member of
   * each group (groups are by name across all matching patterns, as in NATS's sublist).
   */
  route(subject: string): Subscription<T>[] {
    const set = this.exact.get(subject);
    // Fast path: one exact subscriber set, no wildcards, no groups.
    if (this.wild.size === 0) {
      if (!set) return [];
      let grouped = false;
      for (const s of set) if (s.group !== '') grouped = true;
      if (!grouped) return [...set];
    }
    const all = this.matching(subject);
    const out: Subscription<T>[] = [];
    let groups: Map<string, Subscription<T>[]> | undefined;
    for (const s of all) {
      if (s.group === '') {
        out.push(s);
        continue;
      }
      groups ??= new Map();
      const members = groups.get(s.group);
      if (members) members.push(s);
      else groups.set(s.group, [s]);
    }
    if (groups) {
      for (const members of groups.values()) out.push(members[Math.floor(Math.random() * members.length)]!);
    }
    return out;
  }

  /** Delivers `msg` to the receivers of `subject`; returns how many got it. */
  publish(subject: string, msg: T): number {
    const receivers = this.route(subject);
    for (const r of receivers) r.deliver(msg);
    return receivers.length;
  }

  /** True when any subscription matches `subject`. */
  hasSubscribers(subject: string): boolean {
    return this.exact.has(subject) || [...this.wild].some((s) => subjectMatches(s.pattern, subject));
  }
}
