// A telemetry stream with @kubemq/events: five sensors publish readings at a high rate over one
// send stream (`eventStream(client)`), and a dashboard listener measures the rate it
// receives and the delivery latency. Events are at-most-once: fine for telemetry, where the next
// reading replaces a lost one.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/events/telemetry-stream.ts
import { KubemqClient } from '@kubemq/core';
import { eventListener, eventStream } from '@kubemq/events';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const channel = `telemetry.example-${process.pid}`;
const SENSORS = 5;
const READINGS = 20_000;

interface Reading {
  sensor: number;
  seq: number;
  celsius: number;
  sentAt: number;
}

async function main(): Promise<void> {
  // Two connections, as two services would have: the sensors' gateway and the dashboard.
  await using gateway = await KubemqClient.connect({ address, clientId: `telemetry-gateway-${process.pid}` });
  await using dashboard = await KubemqClient.connect({ address, clientId: `telemetry-dashboard-${process.pid}` });

  // The dashboard: counts readings per second and keeps latencies (sent → received).
  let received = 0;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  let windowStart = 0;
  let inWindow = 0;
  let resolveAllIn!: () => void;
  const allIn = new Promise<void>((resolve) => (resolveAllIn = resolve));
  // Room for a burst: the handler is quick, but readings arrive faster than one tick at a time.
  const dashboardListener = eventListener(dashboard, { channel: `${channel}.>`, bufferSize: 10_000 }, (event) => {
    const reading = event.json<Reading>();
    const now = Date.now();
    if (received === 0) windowStart = now;
    received++;
    latencies.push(now - reading.sentAt);
    if (now - windowStart >= 1000) {
      perSecond.push(inWindow);
      windowStart = now;
      inWindow = 0;
    }
    inWindow++;
    if (received === READINGS) resolveAllIn();
  });

  const stream = eventStream(gateway);
  const failures = stream.failures.subscribe(({ id, error }) => console.error('refused', id, error.code));
  try {
    // KubeMQ says nothing when a subscription is live: ready() proves it with readiness probes
    // (to a channel the pattern matches; they never reach the handler).
    await dashboardListener.ready();

    // The gateway: one send stream, each send awaited (that is the backpressure).
    const started = Date.now();
    for (let seq = 0; seq < READINGS; seq++) {
      const sensor = seq % SENSORS;
      const reading: Reading = { sensor, seq, celsius: 20 + Math.sin(seq / 100) * 5, sentAt: Date.now() };
      await stream.send({ channel: `${channel}.sensor-${sensor}`, body: JSON.stringify(reading), tags: { unit: 'C' } });
    }
    await stream.flush(); // the broker has processed every reading written so far
    const sendSeconds = (Date.now() - started) / 1000;
    console.log(`gateway: ${READINGS} readings in ${sendSeconds.toFixed(2)} s = ${Math.round(READINGS / sendSeconds)}/s`);

    await withTimeout(allIn, 30_000, () => `the dashboard has ${received} of ${READINGS} readings (dropped: ${dashboardListener.stats.dropped})`);
    const receiveSeconds = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
    console.log(`dashboard: ${received} readings, ${Math.round(received / receiveSeconds)}/s overall`);
    if (perSecond.length > 0) console.log(`dashboard: full seconds at ${perSecond.join(', ')} readings/s`);
    console.log(`latency: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies[latencies.length - 1]} ms`);
  } finally {
    await stream.close();
    failures.unsubscribe();
    await dashboardListener.stop();
  }
}

/** Rejects (saying what `describe` tells) when `promise` has not settled within `ms`. */
async function withTimeout(promise: Promise<void>, ms: number, describe: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${describe()}`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
