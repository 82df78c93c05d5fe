// Queue throughput against the emulator in its own process, with a raw grpc-js client and
// 1 KB bodies (the targets in the queues brief). Run from the repository root:
//   node --import tsx tools/bench/emulator/queues.mjs [--disk] [--messages N]
// Prints one line per scenario: messages per second.
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeUpstream } from '../lib/close-upstream.mjs';
import { kubemqClient, QueueMessage, QueuesDownstreamRequest, QueuesDownstreamRequestType } from '../../../packages/emulator/src/generated/kubemq.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'packages/emulator/src/cli/main.ts');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const N = Number(arg('--messages', '100000'));
const useDisk = args.includes('--disk');
const body = Buffer.alloc(1024, 120);

function startEmulator(dataDir) {
  return new Promise((res, rej) => {
    const extra = dataDir ? ['--data-dir', dataDir] : [];
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--log-level', 'error', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) res({ child, address: m[1] });
    });
    child.on('exit', (code) => rej(new Error(`emulator exited ${code}`)));
  });
}

const msg = (channel, i) => QueueMessage.fromPartial({ ClientID: 'bench', Channel: channel, MessageID: `m${i}`, Body: body });
const unary = (client, method, req) => new Promise((res, rej) => client[method](req, (err, r) => (err ? rej(err) : res(r))));

async function upstream(client, channel, total, batch = 100, window = 8) {
  const call = client.queuesUpstream();
  let sent = 0;
  let done = 0;
  const t0 = performance.now();
  await new Promise((res, rej) => {
    const pump = () => {
      while (sent < total && sent - done < batch * window) {
        const messages = [];
        for (let i = 0; i < batch; i++) messages.push(msg(channel, sent + i));
        call.write({ RequestID: `r${sent}`, Messages: messages });
        sent += batch;
      }
    };
    call.on('data', (r) => {
      if (r.IsError || r.Results.some((x) => x.IsError)) return rej(new Error(r.Error || 'item failed'));
      done += r.Results.length;
      if (done >= total) res();
      else pump();
    });
    call.on('error', rej);
    pump();
  });
  const ms = performance.now() - t0;
  await closeUpstream(client, call);
  return (total / ms) * 1000;
}

async function downstream(client, channel, total, maxItems = 1000) {
  const call = client.queuesDownstream();
  let got = 0;
  const t0 = performance.now();
  await new Promise((res, rej) => {
    const get = () =>
      call.write(
        QueuesDownstreamRequest.fromPartial({ RequestID: `g${got}`, ClientID: 'bench', RequestTypeData: QueuesDownstreamRequestType.Get, Channel: channel, MaxItems: maxItems, WaitTimeout: 1000, AutoAck: true }),
      );
    call.on('data', (r) => {
      if (r.IsError) return rej(new Error(r.Error));
      got += r.Messages.length;
      if (got >= total) res();
      else get();
    });
    call.on('error', rej);
    get();
  });
  const ms = performance.now() - t0;
  call.cancel();
  return (got / ms) * 1000;
}

async function batchSend(client, channel, total, batch = 100, concurrency = 4) {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      const start = next;
      next += batch;
      const messages = [];
      for (let i = 0; i < batch; i++) messages.push(msg(channel, start + i));
      const r = await unary(client, 'sendQueueMessagesBatch', { BatchID: `b${start}`, Messages: messages });
      if (r.HaveErrors) throw new Error('batch failed');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (total / (performance.now() - t0)) * 1000;
}

async function simpleReceive(client, channel, total, max = 1000) {
  let got = 0;
  const t0 = performance.now();
  while (got < total) {
    const r = await unary(client, 'receiveQueueMessages', { RequestID: '', ClientID: 'bench', Channel: channel, MaxNumberOfMessages: max, WaitTimeSeconds: 1, IsPeak: false });
    if (r.IsError) throw new Error(r.Error);
    got += r.Messages.length;
  }
  return (got / (performance.now() - t0)) * 1000;
}

const dir = useDisk ? mkdtempSync(join(tmpdir(), 'queues-bench-')) : undefined;
const { child, address } = await startEmulator(dir);
const client = new kubemqClient(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
const fmt = (v) => `${Math.round(v).toLocaleString('en-US')} msgs/s`;
try {
  // Warm up the JIT on both sides.
  await upstream(client, 'warm', 20_000);
  await downstream(client, 'warm', 20_000);
  console.log(`store: ${dir ? 'file (' + dir + ')' : 'memory'}, ${N} messages of 1 KB per scenario`);
  console.log(`queue upstream, batches of 100:      ${fmt(await upstream(client, 'up', N))}`);
  console.log(`downstream Get 1000, auto-ack:       ${fmt(await downstream(client, 'up', N))}`);
  console.log(`SendQueueMessagesBatch (100 x 4):    ${fmt(await batchSend(client, 'batch', N))}`);
  console.log(`ReceiveQueueMessages of 1000:        ${fmt(await simpleReceive(client, 'batch', N))}`);
} finally {
  client.close();
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
}
