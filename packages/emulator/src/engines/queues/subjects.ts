// Channel-name rules that live below the queue validation: the stan subject checks (§3
// "Channel names") and the metrics name trim (§2.4 QueuesInfo).

/** Stan rejects `/` and empty tokens (`a..b`, a leading `.`) in `_QUEUES_.<q>` (§3). */
export function isStanSubjectValid(channel: string): boolean {
  if (channel.includes('/')) return false;
  for (const token of channel.split('.')) if (token === '') return false;
  return true;
}

/** Go's strings.Trim(s, cutset): strips any of the cutset's characters from both ends. */
export function cutsetTrim(s: string, cutset: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && cutset.includes(s[start] as string)) start++;
  while (end > start && cutset.includes(s[end - 1] as string)) end--;
  return s.slice(start, end);
}

/** The prefix of a queue's stan channel. */
export const QUEUES_PREFIX = '_QUEUES_.';

/** The name QueuesInfo shows for a queue: `strings.Trim("_QUEUES_."+q, "_QUEUES_.")` (§2.4). */
export function metricsQueueName(channel: string): string {
  return cutsetTrim(QUEUES_PREFIX + channel, QUEUES_PREFIX);
}
