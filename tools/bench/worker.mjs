#!/usr/bin/env node
// One client, one scenario, one round: the producer side runs here and forks the consumer side
// (subscriber, queue receiver or responder) into a process of its own, with the same client
// library. Each side measures its own CPU time (from the start signal) and peak RSS; the producer
// prints one JSON line with the combined result.
//   node tools/bench/worker.mjs '{"client":"sdk","scenario":"events-stream-1kb","address":"127.0.0.1:50000","count":2000}'
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { scenarioByName } from './scenarios.mjs';
import { quantile, wallMs } from './lib/stats.mjs';
import { messagesPerSend, warmUpCount } from './lib/warm-up.mjs';

const config = JSON.parse(process.argv[2]);
const scenario = scenarioByName(config.scenario);
const role = config.role ?? 'producer';
const channel = config.channel ?? `bench.${scenario.name}.${config.client}.${process.pid}`;
const clientId = `bench-${config.client.replace(/[^a-zA-Z0-9]/g, '')}-${role}-${process.pid}`;
const PROBE_BYTES = 4;
const WARM_UP = 0xffffffff; // the index of warm-up messages
const IDLE_MS = 3000;
const hardStop = setTimeout(() => fail(new Error(`${role} gave up after ${config.timeoutMs ?? 120_000} ms`)), config.timeoutMs ?? 120_000);
hardStop.unref();

function fail(err) {
  const line = JSON.stringify({ scenario: scenario.name, client: config.client, role, error: String(err?.stack ?? err) });
  if (role === 'consumer' && process.send) process.send({ type: 'error', error: line }, () => process.exit(1));
  else {
    console.log(line);
    process.exit(1);
  }
}
process.on('unhandledRejection', fail);

const template = Buffer.alloc(scenario.bodyBytes, 120);
/** A fresh body per message: bytes 0–7 the send time (wall ms, float64), 8–11 the index. */
function body(i) {
  const b = Buffer.allocUnsafe(template.length);
  template.copy(b);
  b.writeDoubleLE(wallMs(), 0);
  b.writeUInt32LE(i, 8);
  return b;
}
const asBuffer = (u8) => (Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength));
const cpuMicros = (since) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};
const maxRssMB = () => process.resourceUsage().maxRSS / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `one(i)` for i in [0, count) with `concurrency` loops, each awaiting its call. */
async function inFlight(count, concurrency, one) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await one(next++);
    }),
  );
}

// BENCH_CONSUMER_CLIENT swaps the consumer's library (to tell producer from consumer costs apart).
const library = role === 'consumer' ? (process.env.BENCH_CONSUMER_CLIENT ?? config.client) : config.client;
// BENCH_QUEUE_MAX_ITEMS sets the queue consumers' messages per poll (default 100), to measure the stream consumer at other batch sizes.
const queueMaxItems = Number(process.env.BENCH_QUEUE_MAX_ITEMS ?? 100);
const { connect } = await import(`./clients/${library}.mjs`);
const adapter = await connect(config.address, clientId);

if (role === 'consumer') await consumer();
else await producer();

async function consumer() {
  const count = config.count;
  const latencies = [];
  const seen = new Uint8Array(count);
  let unique = 0;
  let received = 0;
  let started = false;
  let sent = false;
  let lastRecv = 0;
  let cpu0;
  let probeSeen = false;
  let finished = false;
  let stopWork;
  let polls = 0;
  // Warm-up messages seen, and how many the producer said it sent (undefined until it says so).
  let warmSeen = 0;
  let warmSent;
  let warmIdle;
  const warmedUp = () => {
    if (warmSent === undefined) return;
    warmSent = undefined;
    clearTimeout(warmIdle);
    process.send({ type: 'warmed', seen: warmSeen });
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    stopWork?.();
    const cpu = cpu0 ? cpuMicros(cpu0) : 0;
    process.send({ type: 'done', received, unique, lastRecv, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), cpuMicros: cpu, maxRssMB: maxRssMB(), polls }, () => process.exit(0));
  };
  const onBody = (raw) => {
    const b = asBuffer(raw);
    if (b.length === PROBE_BYTES) {
      if (!probeSeen) {
        probeSeen = true;
        process.send({ type: 'probe-seen' });
      }
      return;
    }
    const i = b.readUInt32LE(8);
    if (i === WARM_UP) {
      warmSeen++;
      checkWarm();
      return;
    }
    if (!started || i >= count) return;
    const now = wallMs();
    received++;
    lastRecv = now;
    latencies.push(now - b.readDoubleLE(0));
    if (seen[i] === 0) {
      seen[i] = 1;
      if (++unique === count) finish();
    }
  };
  let idleTimer;
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => (Date.now() - (lastRecv ? lastRecv : 0) >= IDLE_MS ? finish() : armIdle()), IDLE_MS);
  };

  // Once the producer has said how many it sent: done when all came; events are not redelivered,
  // so should one never come, 2 s without another ends the wait.
  const checkWarm = () => {
    if (warmSent === undefined) return;
    if (warmSeen >= warmSent) return warmedUp();
    clearTimeout(warmIdle);
    warmIdle = setTimeout(warmedUp, 2000);
  };

  process.on('message', (m) => {
    if (m.type === 'warm-sent') {
      warmSent = m.count;
      checkWarm();
    } else if (m.type === 'start') {
      started = true;
      cpu0 = process.cpuUsage();
    } else if (m.type === 'sent') {
      sent = true;
      if (scenario.kind === 'rpc') finish();
      else armIdle();
    }
  });

  async function drainQueue() {
    const down = scenario.kind === 'queues-stream' ? await adapter.openDownstream() : undefined;
    let stop = false;
    stopWork = () => (stop = true);
    let empty = 0;
    while (!stop) {
      const bodies = down ? await down.pollAck(channel, queueMaxItems, 1000) : await adapter.queueReceive(channel, queueMaxItems, 1000);
      if (started) polls++;
      for (const b of bodies) onBody(b);
      empty = bodies.length === 0 && started ? empty + 1 : 0;
      if (sent && empty >= 3) finish();
    }
  }

  if (scenario.kind === 'rpc') await adapter.serve(scenario.rpc, channel);
  // The queue consumer polls from the start, so it takes the warm-up messages before the measured phase.
  else if (scenario.kind.startsWith('queues')) void drainQueue().catch(fail);
  else await adapter.subscribe(scenario.kind === 'events-store' ? 'events-store' : 'events', channel, onBody);
  process.send({ type: 'ready' });
}

async function producer() {
  const self = fileURLToPath(import.meta.url);
  const child = fork(self, [JSON.stringify({ ...config, role: 'consumer', channel })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // A queue consumer can have every message, report 'done' and exit before the producer has the
  // broker's last answer and says 'sent': that late message then fails with EPIPE, which is no error.
  child.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const messages = [];
  let wake;
  child.on('message', (m) => {
    if (m.type === 'error') {
      console.log(m.error);
      process.exit(1);
    }
    messages.push(m);
    wake?.();
  });
  let consumerDone = false;
  // (a consumer's own error report may still be on its way over IPC: give it a moment)
  child.on('exit', (code) => setTimeout(() => !consumerDone && fail(new Error(`consumer exited early (${code}); its stderr is above`)), 200));
  const next = async (type, { timeoutMs = 60_000, onIdle } = {}) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type);
      if (i >= 0) return messages.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no '${type}' from the consumer within ${timeoutMs} ms`);
      await Promise.race([new Promise((r) => (wake = r)), sleep(50)]);
      await onIdle?.();
    }
  };
  await next('ready');

  // Readiness: KubeMQ sends no header when a subscription is established, so probe until one
  // arrives (events), or until a request is answered (rpc). Queues need none.
  const probe = Buffer.alloc(PROBE_BYTES);
  const storeStream = scenario.kind === 'events-store' ? await adapter.openStoreStream() : undefined;
  if (scenario.kind === 'rpc') {
    for (let ok = false; !ok; ) ok = await adapter.request(scenario.rpc, channel, probe, 500).then(() => true, () => false);
  } else if (scenario.kind.startsWith('events')) {
    const sendProbe = () => (storeStream ? storeStream.send(channel, probe) : adapter.publish(channel, probe));
    await sendProbe();
    await next('probe-seen', { timeoutMs: 30_000, onIdle: sendProbe });
  }


  /** Sends n messages the scenario's way; index(i) goes into the body; rpc reports round trips. */
  async function load(n, index, onRoundTrip) {
    const concurrency = scenario.concurrency ?? 1;
    switch (scenario.kind) {
      case 'events-unary':
        return inFlight(n, concurrency, (i) => adapter.publish(channel, body(index(i))));
      case 'events-send':
        return inFlight(n, concurrency, (i) => (adapter.publishDefault ?? adapter.publish)(channel, body(index(i))));
      case 'events-stream': {
        const stream = await adapter.openEventStream();
        for (let i = 0; i < n; i++) {
          const p = stream.send(channel, body(index(i)));
          if (p) await p;
        }
        return stream.close();
      }
      case 'events-store':
        return inFlight(n, concurrency, (i) => storeStream.send(channel, body(index(i))));
      case 'queues-simple':
      case 'queues-stream': {
        const up = scenario.kind === 'queues-stream' ? await adapter.openUpstream() : undefined;
        const batch = messagesPerSend(scenario.kind);
        await inFlight(Math.ceil(n / batch), concurrency, (k) => {
          const bodies = Array.from({ length: Math.min(batch, n - k * batch) }, (_, j) => body(index(k * batch + j)));
          return up ? up.send(channel, bodies) : adapter.queueSendBatch(channel, bodies);
        });
        return up?.close();
      }
      case 'rpc':
        return inFlight(n, concurrency, async (i) => {
          const b = body(index(i));
          await adapter.request(scenario.rpc, channel, b, 10_000);
          onRoundTrip(wallMs() - b.readDoubleLE(0));
        });
      default:
        throw new Error(`unknown kind ${scenario.kind}`);
    }
  }

  const count = config.count;
  const latencies = [];
  // Warm-up (JIT, connection windows) with the same code path; the consumer ignores these bodies.
  // The consumer warms up too: the measured phase starts once it has taken every warm-up message,
  // so neither its cold start nor the warm-up's own traffic is counted (a responder has answered
  // every warm-up request by the time load() resolves).
  const warmUp = Number(process.env.BENCH_WARMUP ?? warmUpCount(scenario.kind, count));
  await load(warmUp, () => WARM_UP, () => undefined);
  if (scenario.kind !== 'rpc') {
    child.send({ type: 'warm-sent', count: warmUp });
    await next('warmed', { timeoutMs: 60_000 });
  }
  const t0 = wallMs();
  const cpu0 = process.cpuUsage();
  child.send({ type: 'start', t0 });
  await load(count, (i) => i, (ms) => latencies.push(ms));
  const tSent = wallMs();
  child.send({ type: 'sent' });
  const done = await next('done', { timeoutMs: 90_000 });
  consumerDone = true;
  const producerCpu = cpuMicros(cpu0);
  await storeStream?.close();

  const e2e = scenario.kind !== 'rpc';
  const delivered = e2e ? done.unique : count;
  const durationMs = e2e ? done.lastRecv - t0 : tSent - t0;
  const msgsPerSec = delivered / (durationMs / 1000);
  const result = {
    scenario: scenario.name,
    client: config.client,
    msgsPerSec,
    mbPerSec: (msgsPerSec * scenario.bodyBytes) / (1024 * 1024),
    p50Ms: e2e ? done.p50Ms : quantile(latencies, 0.5),
    p99Ms: e2e ? done.p99Ms : quantile(latencies, 0.99),
    cpuUsPerMsg: (producerCpu + done.cpuMicros) / delivered,
    cpuUsPerMsgProducer: producerCpu / delivered,
    cpuUsPerMsgConsumer: done.cpuMicros / delivered,
    peakRssMB: Math.max(maxRssMB(), done.maxRssMB),
    producerRssMB: maxRssMB(),
    consumerRssMB: done.maxRssMB,
    sent: count,
    received: e2e ? done.received : count,
    lost: e2e ? count - done.unique : 0,
    sendPerSec: count / ((tSent - t0) / 1000),
    ...(done.polls > 0 && { meanBatch: done.received / done.polls }),
    durationMs,
  };
  console.log(JSON.stringify(result));
  // the consumer exits by itself after 'done' (so `node --cpu-prof` can write its profile too)
  await Promise.race([new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r())), sleep(5000)]);
  child.kill();
  await Promise.race([adapter.close(), sleep(2000)]);
  process.exit(0);
}
