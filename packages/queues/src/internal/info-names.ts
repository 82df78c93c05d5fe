// The open-source broker names queues in QueuesInfo with `strings.Trim("_QUEUES_."+q, "_QUEUES_.")`,
// a cutset trim that also strips any of the characters `_ Q U E S .` from the ends of the queue's
// own name, and it filters on that trimmed name (docs/broker-behaviour.md §2.4, §6). So the SDK sends the
// trimmed form of each requested name and gives the answers back their real names.
const CUTSET = '_QUES.';

/** Go's strings.Trim(name, "_QUEUES_.") applied to `_QUEUES_.<name>`. */
export function brokerInfoName(channel: string): string {
  const s = `_QUEUES_.${channel}`;
  let start = 0;
  let end = s.length;
  while (start < end && CUTSET.includes(s[start] as string)) start++;
  while (end > start && CUTSET.includes(s[end - 1] as string)) end--;
  return s.slice(start, end);
}

/** Requested names → the filter the broker understands, and a map back from its names. */
export function infoFilter(channels: readonly string[]): { filter: string; realName: Map<string, string> } {
  const realName = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const channel of channels) {
    const trimmed = brokerInfoName(channel);
    if (realName.has(trimmed) && realName.get(trimmed) !== channel) ambiguous.add(trimmed);
    realName.set(trimmed, channel);
  }
  // Two requested names the broker cannot tell apart keep the broker's name.
  for (const name of ambiguous) realName.delete(name);
  return { filter: [...new Set(channels.map(brokerInfoName))].join(';'), realName };
}
