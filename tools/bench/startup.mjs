// Time to first message: spawn a process that imports a client library, connects and publishes one
// event; a subscriber that is already listening (raw grpc-js, in the runner) receives it. Measured
// as wall time from spawn to receipt, per client, median of `runs`. Each process also reports, on
// its own clock (performance.now(), from the process's start), when its send resolved and when its
// script began: the time after Node's own start-up, which is the same code for every client and
// the noisiest part of a spawn (it moves by ±10 ms from one process to the next on this machine).
//   node tools/bench/startup.mjs 127.0.0.1:50000 [runs]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { benchDir } from './lib/paths.mjs';
import { median } from './lib/stats.mjs';

// sdk: an ES module app (import); sdk-cjs: a CommonJS one (require), as kubemq-js is loaded.
const senders = {
  sdk: `const { KubemqClient } = await import('@kubemq/core'); const { events } = await import('@kubemq/events');
const c = await KubemqClient.connect({ address: ADDRESS, clientId: 'startup-sdk' });
await events(c).send({ channel: CHANNEL, body: 'first' }); DONE(); await c.close();`,
  'sdk-cjs': `const { createRequire } = await import('node:module'); const load = createRequire(${JSON.stringify(join(benchDir, 'x.cjs'))});
const { KubemqClient } = load('@kubemq/core'); const { events } = load('@kubemq/events');
const c = await KubemqClient.connect({ address: ADDRESS, clientId: 'startup-sdk-cjs' });
await events(c).send({ channel: CHANNEL, body: 'first' }); DONE(); await c.close();`,
  raw: `const { connect } = await import(${JSON.stringify(join(benchDir, 'clients', 'raw.mjs'))});
const c = await connect(ADDRESS, 'startup-raw'); await c.publish(CHANNEL, Buffer.from('first')); DONE(); c.close();`,
  'kubemq-js': `const { createRequire } = await import('node:module'); const kubemq = createRequire(${JSON.stringify(join(benchDir, 'x.cjs'))})('kubemq-js');
const c = new kubemq.EventsClient({ address: ADDRESS, clientId: 'startup-kubemq-js' });
await c.send({ channel: CHANNEL, body: Buffer.from('first') }); DONE(); c.close();`,
};

/** Opens every sender: its script's start and, once its send resolved, both times on stdout. */
const PROLOGUE = `const BOOT = performance.now();
const DONE = () => console.log(JSON.stringify({ bootMs: BOOT, sentMs: performance.now() }));`;

/**
 * Returns, per client, the medians of: spawn → receipt (`medianMs`), process start → send resolved
 * (`sentMs`), and script start → send resolved (`afterBootMs`).
 */
export async function measureStartup(address, runs = 5) {
  const { connect } = await import('./clients/raw.mjs');
  const listener = await connect(address, 'startup-listener');
  const results = {};
  try {
    for (const client of Object.keys(senders)) results[client] = [];
    const clients = Object.keys(senders);
    for (let r = 0; r < runs; r++) {
      // Each run starts with another client, so none is always the first after the probing pause.
      for (const client of [...clients.slice(r % clients.length), ...clients.slice(0, r % clients.length)]) {
        const channel = `bench.startup.${client}.${r}.${process.pid}`;
        let arrived;
        let probeSeen = false;
        const got = new Promise((resolve) => (arrived = resolve));
        const sub = listener.subscribe('events', channel, (b) => (Buffer.from(b).toString() === 'first' ? arrived(performance.now()) : (probeSeen = true)));
        // KubeMQ sends no header when a subscription is established: probe until one arrives.
        while (!probeSeen) {
          await listener.publish(channel, Buffer.from('probe'));
          await new Promise((r) => setTimeout(r, 50));
        }
        const code = `${PROLOGUE}\nconst ADDRESS = ${JSON.stringify(address)}; const CHANNEL = ${JSON.stringify(channel)};\n${senders[client]}`;
        const t0 = performance.now();
        const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: benchDir, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        const exited = new Promise((resolve) => child.once('exit', resolve));
        const t1 = await Promise.race([got, exited.then(() => got), new Promise((r) => setTimeout(() => r(undefined), 30_000))]);
        await exited;
        sub.close();
        const own = out.trim() === '' ? undefined : JSON.parse(out.trim().split('\n').at(-1));
        if (t1 !== undefined && own !== undefined) results[client].push({ received: t1 - t0, sent: own.sentMs, afterBoot: own.sentMs - own.bootMs });
      }
    }
  } finally {
    listener.close();
  }
  return Object.fromEntries(
    Object.entries(results).map(([k, v]) => [
      k,
      { medianMs: median(v.map((r) => r.received)), sentMs: median(v.map((r) => r.sent)), afterBootMs: median(v.map((r) => r.afterBoot)), runs: v.length },
    ]),
  );
}

if (process.argv[1] && process.argv[1].endsWith('startup.mjs')) {
  const address = process.argv[2] ?? '127.0.0.1:50000';
  console.log(JSON.stringify(await measureStartup(address, Number(process.argv[3] ?? 5)), null, 2));
}
