// The scenarios: what the producer does, what the consumer (a process of its own) does, and how
// many messages a full run sends. Counts are sized so a full run (3 rounds × 3 clients) stays under
// about 10 minutes on the project's 2-core machine; `--quick` divides them by 5.
const KB = 1024;

/** @typedef {{ name: string, title: string, kind: string, bodyBytes: number, count: number, concurrency?: number, rpc?: 'command' | 'query', unsupported?: string[] }} Scenario */

/** @type {Scenario[]} */
export const scenarios = [
  { name: 'events-unary-64b', title: 'events: unary publish, 64 B, 32 in flight', kind: 'events-unary', bodyBytes: 64, count: 4000, concurrency: 32 },
  { name: 'events-unary-1kb', title: 'events: unary publish, 1 KB, 32 in flight', kind: 'events-unary', bodyBytes: KB, count: 4000, concurrency: 32 },
  { name: 'events-unary-64kb', title: 'events: unary publish, 64 KB, 32 in flight', kind: 'events-unary', bodyBytes: 64 * KB, count: 1000, concurrency: 32 },
  { name: 'events-send-1kb', title: "events: each client's per-event awaited send, 1 KB, 32 in flight (this SDK's default send() rides its shared stream; raw and kubemq-js send unary)", kind: 'events-send', bodyBytes: KB, count: 6000, concurrency: 32 },
  { name: 'events-stream-64b', title: 'events: stream publish, 64 B', kind: 'events-stream', bodyBytes: 64, count: 15000 },
  { name: 'events-stream-1kb', title: 'events: stream publish, 1 KB', kind: 'events-stream', bodyBytes: KB, count: 15000 },
  { name: 'events-stream-64kb', title: 'events: stream publish, 64 KB', kind: 'events-stream', bodyBytes: 64 * KB, count: 1500 },
  { name: 'events-store-1kb', title: 'events-store: stream publish with results (256 unanswered) + subscriber', kind: 'events-store', bodyBytes: KB, count: 8000, concurrency: 256 },
  { name: 'queues-simple-1kb', title: 'queues simple API: batches of 100 (4 in flight) + receive 100', kind: 'queues-simple', bodyBytes: KB, count: 8000, concurrency: 4 },
  { name: 'queues-stream-1kb', title: 'queues stream API: upstream batches of 100 (4 in flight) + poll 100, ack all', kind: 'queues-stream', bodyBytes: KB, count: 8000, concurrency: 4, unsupported: ['kubemq-js'] },
  { name: 'commands-c1', title: 'commands: round trip, 1 KB, concurrency 1', kind: 'rpc', rpc: 'command', bodyBytes: KB, count: 600, concurrency: 1 },
  { name: 'commands-c32', title: 'commands: round trip, 1 KB, concurrency 32', kind: 'rpc', rpc: 'command', bodyBytes: KB, count: 2500, concurrency: 32 },
  { name: 'queries-c1', title: 'queries: round trip, 1 KB, concurrency 1', kind: 'rpc', rpc: 'query', bodyBytes: KB, count: 600, concurrency: 1 },
  { name: 'queries-c32', title: 'queries: round trip, 1 KB, concurrency 32', kind: 'rpc', rpc: 'query', bodyBytes: KB, count: 2500, concurrency: 32 },
];

export const clients = ['sdk', 'raw', 'kubemq-js'];

export function scenarioByName(name) {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario ${name}; known: ${scenarios.map((x) => x.name).join(', ')}`);
  return s;
}
