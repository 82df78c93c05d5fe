#!/usr/bin/env node
// Emulator throughput: starts the built CLI in its own process (with a data directory, like the
// real server's store) and drives it with a raw grpc-js client, 1 KB bodies. Prints one line per
// scenario and the target (half of the real server on a 2-core machine, broker-behaviour.md §0).
//   npm run bench:emulator                        (builds the emulator first)
//   BENCH_SCALE=0.2 npm run bench:emulator        (shorter runs)
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../lib/paths.mjs';

const dist = join(repoRoot, 'packages', 'emulator', 'dist', 'esm');
const { kubemqClient } = await import(pathToFileURL(join(dist, 'generated', 'kubemq.js')).href);
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const BODY = Buffer.alloc(1024, 120);
const n = (x) => Math.max(100, Math.round(x * SCALE));

const dataDir = mkdtempSync(join(tmpdir(), 'kubemq-bench-'));
const server = spawn(process.execPath, [join(dist, 'cli', 'main.js'), '--port', '0', '--data-dir', dataDir, '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
const address = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`emulator exited (${code})`)));
});

const client = () => new kubemqClient(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
const unary = (c, method, req) => new Promise((resolve, reject) => c[method](req, (e, r) => (e ? reject(e) : resolve(r))));
const uid = (p) => `${p}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
const results = [];
function report(name, count, ms, target, unit = 'msg/s') {
  const rate = Math.round((count / ms) * 1000);
  results.push({ name, rate, target });
  console.log(`${name.padEnd(48)} ${String(rate).padStart(8)} ${unit}   (target ≥ ${target}${rate >= target ? ', ok' : ', BELOW'})  [${count} in ${Math.round(ms)} ms]`);
}

/** Writes with backpressure. */
async function writeAll(stream, count, make) {
  for (let i = 0; i < count; i++) {
    if (!stream.write(make(i))) await new Promise((r) => stream.once('drain', r));
  }
}

/** A subscription is ready once a probe arrives (KubeMQ sends no header). */
async function probeReady(sub, send) {
  let got = false;
  const on = () => (got = true);
  sub.on('data', on);
  while (!got) {
    await send();
    await new Promise((r) => setTimeout(r, 20));
  }
  sub.off('data', on);
  await new Promise((r) => setTimeout(r, 50));
}

async function eventsStream() {
  const pub = client();
  const subc = client();
  const ch = uid('bench.events');
  const total = n(100_000);
  const sub = subc.subscribeToEvents({ SubscribeTypeData: 1, ClientID: 'bench-sub', Channel: ch, Group: '', EventsStoreTypeData: 0, EventsStoreTypeValue: 0n });
  await probeReady(sub, () => unary(pub, 'sendEvent', { EventID: '', ClientID: 'b', Channel: ch, Metadata: 'probe', Body: Buffer.alloc(0), Store: false, Tags: {} }));
  let received = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  sub.on('data', () => ++received === total && done());
  const t0 = performance.now();
  const stream = pub.sendEventsStream();
  stream.on('data', () => undefined);
  await writeAll(stream, total, () => ({ EventID: '', ClientID: 'b', Channel: ch, Metadata: '', Body: BODY, Store: false, Tags: {} }));
  stream.end();
  await finished;
  report('events: SendEventsStream → 1 subscriber', total, performance.now() - t0, 7500);
  sub.cancel();
  sub.on('error', () => undefined);
  pub.close();
  subc.close();
}

async function eventsStore() {
  const pub = client();
  const subc = client();
  const ch = uid('bench.store');
  const total = n(100_000);
  const sub = subc.subscribeToEvents({ SubscribeTypeData: 2, ClientID: uid('benchsub').replace(/\./g, '_'), Channel: ch, Group: '', EventsStoreTypeData: 1, EventsStoreTypeValue: 0n });
  sub.on('error', () => undefined);
  await probeReady(sub, () => unary(pub, 'sendEvent', { EventID: '', ClientID: 'b', Channel: ch, Metadata: 'probe', Body: Buffer.alloc(0), Store: true, Tags: {} }));
  let received = 0;
  let subDone;
  const subFinished = new Promise((r) => (subDone = r));
  sub.on('data', () => ++received === total && subDone(performance.now()));
  let acked = 0;
  let ackDone;
  const acksFinished = new Promise((r) => (ackDone = r));
  const t0 = performance.now();
  const stream = pub.sendEventsStream();
  stream.on('data', (r) => {
    if (!r.Sent) throw new Error(r.Error);
    if (++acked === total) ackDone(performance.now());
  });
  await writeAll(stream, total, () => ({ EventID: '', ClientID: 'b', Channel: ch, Metadata: '', Body: BODY, Store: true, Tags: {} }));
  const tAck = await acksFinished;
  stream.end();
  const tSub = await subFinished;
  report('events store: stream send with results', total, tAck - t0, 7650);
  report('events store: subscriber', total, tSub - t0, 6000);
  sub.cancel();
  pub.close();
  subc.close();
}

async function commands(concurrency, target) {
  const req = client();
  const resp = client();
  const ch = uid('bench.cmd');
  const sub = resp.subscribeToRequests({ SubscribeTypeData: 3, ClientID: 'responder', Channel: ch, Group: '', EventsStoreTypeData: 0, EventsStoreTypeValue: 0n });
  sub.on('error', () => undefined);
  sub.on('data', (r) => resp.sendResponse({ ClientID: 'responder', RequestID: r.RequestID, ReplyChannel: r.ReplyChannel, Metadata: '', Body: Buffer.alloc(0), CacheHit: false, Timestamp: 0n, Executed: true, Error: '', Span: Buffer.alloc(0), Tags: {} }, () => undefined));
  const one = () => unary(req, 'sendRequest', { RequestID: '', RequestTypeData: 1, ClientID: 'b', Channel: ch, Metadata: '', Body: BODY, ReplyChannel: '', Timeout: 5000, CacheKey: '', CacheTTL: 0, Span: Buffer.alloc(0), Tags: {} });
  for (;;) {
    try {
      await unary(req, 'sendRequest', { RequestID: '', RequestTypeData: 1, ClientID: 'b', Channel: ch, Metadata: 'probe', Body: Buffer.alloc(0), ReplyChannel: '', Timeout: 200, CacheKey: '', CacheTTL: 0, Span: Buffer.alloc(0), Tags: {} });
      break;
    } catch {
      /* responder not registered yet */
    }
  }
  const durationMs = 4000 * Math.min(1, SCALE * 2);
  let count = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await one();
        count++;
      }
    }),
  );
  report(`commands: round trips, concurrency ${concurrency}`, count, performance.now() - t0, target);
  sub.cancel();
  req.close();
  resp.close();
}

const qmsg = (ch) => ({ MessageID: '', ClientID: 'b', Channel: ch, Metadata: '', Body: BODY, Tags: {}, Attributes: undefined, Policy: undefined });

async function queues() {
  const c = client();
  const ch = uid('bench.q');
  const total = n(100_000);
  // Upstream: batches of 100.
  const up = c.queuesUpstream();
  let confirmed = 0;
  let upDone;
  const upFinished = new Promise((r) => (upDone = r));
  up.on('data', (r) => {
    if (r.IsError) throw new Error(r.Error);
    confirmed += r.Results.length;
    if (confirmed >= total) upDone(performance.now());
  });
  up.on('error', () => undefined);
  const batch = Array.from({ length: 100 }, () => qmsg(ch));
  let t0 = performance.now();
  await writeAll(up, total / 100, (i) => ({ RequestID: `u${i}`, Messages: batch }));
  const tUp = await upFinished;
  report('queues: upstream, batches of 100', total, tUp - t0, 20000);
  up.end();
  // Downstream: Get 1000 with auto-ack until drained.
  const down = c.queuesDownstream();
  down.on('error', () => undefined);
  let got = 0;
  t0 = performance.now();
  await new Promise((resolve, reject) => {
    const next = () => down.write({ RequestID: uid('g'), ClientID: 'bench', RequestTypeData: 1, Channel: ch, MaxItems: 1000, WaitTimeout: 1000, AutoAck: true, ReQueueChannel: '', SequenceRange: [], RefTransactionId: '', Metadata: {} });
    down.on('data', (r) => {
      if (r.IsError) return reject(new Error(r.Error));
      got += r.Messages.length;
      if (got >= total) resolve();
      else next();
    });
    next();
  });
  report('queues: downstream Get 1000, auto-ack', got, performance.now() - t0, 16500);
  down.cancel();
  // Simple API: batch send (100 per batch), then receive 1000 at a time.
  const ch2 = uid('bench.qs');
  const simpleTotal = n(50_000);
  const batch2 = Array.from({ length: 100 }, () => qmsg(ch2));
  t0 = performance.now();
  const inflight = [];
  for (let i = 0; i < simpleTotal / 100; i++) {
    inflight.push(unary(c, 'sendQueueMessagesBatch', { BatchID: `b${i}`, Messages: batch2 }));
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  report('queues: simple batch send (100 per batch)', simpleTotal, performance.now() - t0, 11500);
  let received = 0;
  t0 = performance.now();
  while (received < simpleTotal) {
    const r = await unary(c, 'receiveQueueMessages', { RequestID: 'r', ClientID: 'bench', Channel: ch2, MaxNumberOfMessages: 1000, WaitTimeSeconds: 1, IsPeak: false });
    if (r.IsError) throw new Error(r.Error);
    received += r.Messages.length;
    if (r.Messages.length === 0) break;
  }
  report('queues: simple receive 1000', received, performance.now() - t0, 12000);
  c.close();
}

try {
  const only = process.argv[2];
  if (!only || only === 'events') await eventsStream();
  if (!only || only === 'store') await eventsStore();
  if (!only || only === 'rpc') {
    await commands(1, 250);
    await commands(32, 825);
  }
  if (!only || only === 'queues') await queues();
  const below = results.filter((r) => r.rate < r.target);
  console.log(below.length === 0 ? 'all targets met' : `below target: ${below.map((r) => r.name).join('; ')}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
