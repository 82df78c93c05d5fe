// A telemetry stream with @kubemq/events: five sensors publish readings at a high rate over one
// send stream (`events(client).stream()`), and a dashboard subscriber measures the rate it
// receives and the delivery latency. Events are at-most-once: fine for telemetry, where the next
// reading replaces a lost one.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/events/telemetry-stream.ts
import { KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';

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
  let probes = 0;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  let windowStart = 0;
  let inWindow = 0;
  const subscription = events(dashboard)
    .subscribe({ channel: `${channel}.>` })
    .subscribe({
      next: (event) => {
        if (event.metadata === 'probe') return void probes++;
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
      },
      error: (err: unknown) => console.error('subscription ended', err),
    });

  const stream = events(gateway).stream();
  const failures = stream.failures.subscribe(({ eventId, error }) => console.error('refused', eventId, error.code));
  try {
    // KubeMQ says nothing when a subscription is live: publish probes until one arrives.
    await until(() => probes > 0, () => events(gateway).send({ channel: `${channel}.probe`, metadata: 'probe' }));

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

    await until(() => received >= READINGS);
    const receiveSeconds = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
    console.log(`dashboard: ${received} readings, ${Math.round(received / receiveSeconds)}/s overall`);
    if (perSecond.length > 0) console.log(`dashboard: full seconds at ${perSecond.join(', ')} readings/s`);
    console.log(`latency: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies[latencies.length - 1]} ms`);
  } finally {
    await stream.close();
    failures.unsubscribe();
    subscription.unsubscribe();
  }
}

/** Polls `done` (running `step` between checks) for up to 30 s. */
async function until(done: () => boolean, step?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the broker');
    await step?.();
    await new Promise((resolve) => setTimeout(resolve, step ? 200 : 20));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
