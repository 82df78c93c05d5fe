import { KubemqClient, type Telemetry } from '@kubemq/core';

// Telemetry is a small interface: feed another system (here, counters in a log line).
const counting: Telemetry = {
  instrument(client) {
    const counts = new Map<string, number>();
    return {
      start(operation) {
        const key = `${operation.pattern} ${operation.name}`;
        return {
          run: (fn) => fn(),
          end: (error) => {
            counts.set(key, (counts.get(key) ?? 0) + 1);
            if (error) console.warn(`${key} on ${operation.channel} failed for ${client.clientId}`);
          },
        };
      },
      reconnected: () => console.info('reconnected to', client.address, Object.fromEntries(counts)),
      retried: (operation, reason) => console.info('retried', operation, reason),
    };
  },
};

export function connectCounting(): Promise<KubemqClient> {
  return KubemqClient.connect({ address: 'localhost:50000', telemetry: counting });
}
