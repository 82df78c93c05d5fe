import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** Metric names: the messaging conventions' where they have one, `kubemq.*` otherwise. */
export const METRIC = {
  /** Histogram (s): send, receive (poll) and settle operations. */
  OPERATION_DURATION: 'messaging.client.operation.duration',
  /** Histogram (s): processing one delivered message. */
  PROCESS_DURATION: 'messaging.process.duration',
  /** Counter: messages sent (a batch counts its messages). */
  SENT: 'messaging.client.sent.messages',
  /** Counter: messages delivered to the application. */
  CONSUMED: 'messaging.client.consumed.messages',
  /** Counter: the connection came back after a loss. */
  RECONNECTIONS: 'kubemq.client.reconnections',
  /** Counter: streams re-opened and calls repeated after a token refresh. */
  RETRIES: 'kubemq.client.retries',
} as const;

// The conventions' advice for messaging durations, in seconds.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The instruments of one meter. */
export interface Instruments {
  operationDuration: Histogram;
  processDuration: Histogram;
  sent: Counter;
  consumed: Counter;
  reconnections: Counter;
  retries: Counter;
}

// Clients sharing a meter share its instruments (creating one twice makes the SDK warn).
const byMeter = new WeakMap<Meter, Instruments>();

export function instrumentsOf(meter: Meter): Instruments {
  let instruments = byMeter.get(meter);
  if (instruments === undefined) {
    const duration = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
    instruments = {
      operationDuration: meter.createHistogram(METRIC.OPERATION_DURATION, {
        ...duration,
        description: 'Duration of sending, receiving and settling messages.',
      }),
      processDuration: meter.createHistogram(METRIC.PROCESS_DURATION, {
        ...duration,
        description: 'Duration of processing one delivered message (subscription callback or handler).',
      }),
      sent: meter.createCounter(METRIC.SENT, { unit: '{message}', description: 'Messages the client attempted to send.' }),
      consumed: meter.createCounter(METRIC.CONSUMED, { unit: '{message}', description: 'Messages delivered to the application.' }),
      reconnections: meter.createCounter(METRIC.RECONNECTIONS, {
        unit: '{reconnection}',
        description: 'Times the connection came back after a loss.',
      }),
      retries: meter.createCounter(METRIC.RETRIES, {
        unit: '{retry}',
        description: 'Streams re-opened after a break and calls repeated after a token refresh.',
      }),
    };
    byMeter.set(meter, instruments);
  }
  return instruments;
}
