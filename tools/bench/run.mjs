#!/usr/bin/env node
// npm run bench — this SDK vs a raw @grpc/grpc-js client vs the official kubemq-js, side by side,
// against one broker in its own process (the emulator via startKubemq(), or KUBEMQ_ADDRESS).
// For every scenario, each round runs the three clients one after another in a rotating order
// (each in its own child processes: tools/bench/worker.mjs); the report takes the median per metric.
// Build first: npx nx run-many -t build.
//   npm run bench                         full run: writes tools/bench/results/latest.json and docs/benchmarks.md
//   npm run bench -- --quick              counts ÷ 5, 1 round; writes tools/bench/results/quick.json only
//   npm run bench -- --scenario events-stream-1kb [--scenario …] [--rounds 3]
//                                         selected scenarios; writes tools/bench/results/partial.json only
//   --clients sdk,raw                     only these clients (partial run)
//   --startup / --bundle                  also measure startup / bundle sizes in a partial run
//   --v8-defaults                         run the client processes without --initial-heap-size=64 (see nodeFlags)
//   --no-broker-warm-up                   skip the unmeasured raw run that warms the broker before each scenario
//   --render                              only rewrite docs/benchmarks.md from results/latest.json + findings.md
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchDir, repoRoot } from './lib/paths.mjs';
import { median } from './lib/stats.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { clients as allClients, scenarioByName, scenarios } from './scenarios.mjs';
import { measureStartup } from './startup.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);

// --render: rewrite docs/benchmarks.md from the last full run and the current findings.md, no measuring.
if (flag('--render')) {
  const last = JSON.parse(readFileSync(join(benchDir, 'results', 'latest.json'), 'utf8'));
  writeFileSync(docsFile(), renderReport(last));
  console.log('bench: docs/benchmarks.md rendered from results/latest.json and findings.md');
  process.exit(0);
}
const values = (name) => args.flatMap((a, i) => (a === name && args[i + 1] ? args[i + 1].split(',') : []));
const quick = flag('--quick');
const selected = values('--scenario').map(scenarioByName);
const rounds = Number(values('--rounds')[0] ?? (quick ? 1 : 5));
const onlyClients = values('--clients');
const clients = onlyClients.length > 0 ? allClients.filter((c) => onlyClients.includes(c)) : allClients;
const full = !quick && selected.length === 0 && onlyClients.length === 0;
const chosen = selected.length > 0 ? selected : scenarios;
const scale = quick ? 0.2 : 1;
// Every client process gets the same V8 heap start size. With V8's default (a few MB), the process
// that loaded more code (this SDK: rxjs + its modules) crosses the first old-generation limit while
// 64 KB bodies are in flight, and external-memory GCs escalate to a Mark-Compact every ~40 messages:
// a startup artifact of tiny processes that doubled CPU per message in whichever client it hit
// (docs/benchmarks.md, Findings). A real application's heap is past that point anyway.
const nodeFlags = flag('--v8-defaults') ? [] : ['--initial-heap-size=64'];
const warmBroker = !flag('--no-broker-warm-up');

const sh = (cmd, a) => {
  try {
    return execFileSync(cmd, a, { encoding: 'utf8' }).trim();
  } catch {
    return 'n/a';
  }
};

const needed = ['core', 'events', 'events-store', 'queues', 'rpc', 'testing'].map((p) => join(repoRoot, 'packages', p, 'dist', 'esm', 'index.js'));
needed.push(join(repoRoot, 'packages', 'emulator', 'dist', 'esm', 'generated', 'kubemq.js'));
const missing = needed.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`bench: build first (npx nx run-many -t build); missing:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}

const { startKubemq } = await import('@kubemq/testing');
const loadBefore = loadavg();
const broker = await startKubemq();
console.log(`bench: broker ${broker.kind} at ${broker.address}; ${chosen.length} scenarios × ${rounds} rounds × ${clients.length} clients${quick ? ' (quick)' : ''}`);

/** Runs one worker; resolves with its JSON result (or an error entry). */
function runWorker(client, scenario, count) {
  const config = { client, scenario: scenario.name, address: broker.address, count, timeoutMs: 120_000 };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, join(benchDir, 'worker.mjs'), JSON.stringify(config)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ scenario: scenario.name, client, error: `worker exited with ${code} and no result: ${out.slice(-500)}` });
      }
    });
  });
}

const METRICS = ['msgsPerSec', 'mbPerSec', 'p50Ms', 'p99Ms', 'cpuUsPerMsg', 'cpuUsPerMsgProducer', 'cpuUsPerMsgConsumer', 'peakRssMB', 'producerRssMB', 'consumerRssMB', 'lost', 'sendPerSec', 'durationMs'];
const results = [];
const started = Date.now();
try {
  for (const [si, scenario] of chosen.entries()) {
    const count = Math.max(100, Math.round(scenario.count * scale));
    const runs = Object.fromEntries(clients.map((c) => [c, []]));
    // The broker's own code for this scenario's RPCs is cold at first (the emulator is a Node
    // process: JIT), and whichever client ran first paid for it (with rotation, the same client
    // went first in two of three rounds when a scenario has two clients). One unmeasured run warms it.
    if (warmBroker) {
      const warm = await runWorker('raw', scenario, Math.max(100, Math.round(count / 4)));
      console.log(`  ${scenario.name.padEnd(20)} broker warm-up (raw, not measured)${warm.error ? `: ERROR ${warm.error.split('\n')[0]}` : ''}`);
    }
    for (let r = 0; r < rounds; r++) {
      const shift = (si + r) % clients.length;
      const order = [...clients.slice(shift), ...clients.slice(0, shift)];
      for (const client of order) {
        if (scenario.unsupported?.includes(client)) continue;
        const res = await runWorker(client, scenario, count);
        runs[client].push(res);
        const summary = res.error ? `ERROR ${res.error.split('\n')[0]}` : `${Math.round(res.msgsPerSec)} msg/s  p50 ${res.p50Ms?.toFixed(2)} ms  p99 ${res.p99Ms?.toFixed(2)} ms  ${res.cpuUsPerMsg.toFixed(1)} µs CPU/msg  lost ${res.lost}`;
        console.log(`  ${scenario.name.padEnd(20)} round ${r + 1} ${client.padEnd(10)} ${summary}`);
      }
    }
    for (const client of clients) {
      if (scenario.unsupported?.includes(client)) {
        results.push({ scenario: scenario.name, title: scenario.title, client, na: true, reason: `${client} has no API for it`, msgsPerSec: null, p50Ms: null, p99Ms: null });
        continue;
      }
      const ok = runs[client].filter((x) => !x.error);
      const entry = { scenario: scenario.name, title: scenario.title, client, bodyBytes: scenario.bodyBytes, count, rounds: ok.length };
      for (const m of METRICS) entry[m] = ok.length > 0 ? median(ok.map((x) => x[m])) : null;
      // Per round, in round order (null where that round failed): the report pairs each client's
      // round with the others' same round, which ran minutes apart at most.
      entry.roundMsgsPerSec = runs[client].map((x) => (x.error ? null : Math.round(x.msgsPerSec)));
      entry.roundP99Ms = runs[client].map((x) => (x.error ? null : x.p99Ms));
      const errors = runs[client].filter((x) => x.error).map((x) => x.error.split('\n')[0]);
      if (errors.length > 0) entry.errors = errors;
      results.push(entry);
    }
    // progress survives a crash of the report step
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    writeFileSync(join(benchDir, 'results', 'in-progress.json'), `${JSON.stringify(results, null, 2)}\n`);
  }
} finally {
  await broker[Symbol.asyncDispose]?.() ?? broker.stop?.();
}

let startup;
let bundle;
if (full || flag('--startup')) {
  const b2 = await startKubemq();
  try {
    startup = await measureStartup(b2.address, 5);
  } finally {
    await b2[Symbol.asyncDispose]();
  }
}
if (full || flag('--bundle')) bundle = bundleSizes();

const report = {
  date: new Date().toISOString(),
  machine: {
    nproc: sh('nproc', []),
    cpu: cpus()[0]?.model,
    free: sh('free', ['-h']),
    totalMemGB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemGB: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    loadAverageBefore: loadBefore.map((x) => +x.toFixed(2)),
    loadAverageAfter: loadavg().map((x) => +x.toFixed(2)),
  },
  broker: { kind: broker.kind, address: broker.address },
  kubemqJs: JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'kubemq-js', 'package.json'), 'utf8')).version,
  quick,
  rounds,
  brokerWarmUp: warmBroker,
  nodeFlags,
  durationS: Math.round((Date.now() - started) / 1000),
  results,
  startup,
  bundle,
};
mkdirSync(join(benchDir, 'results'), { recursive: true });
const file = join(benchDir, 'results', full ? 'latest.json' : quick ? 'quick.json' : 'partial.json');
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderReport(report);
if (full) writeFileSync(docsFile(), markdown);
else console.log(markdown.slice(markdown.indexOf('## Results'), markdown.indexOf('## Findings')));
console.log(`bench: ${file}${full ? ' and docs/benchmarks.md' : ''} written (${report.durationS} s)`);
process.exit(0);

/** docs/benchmarks.md for a report, with the hand-written findings of tools/bench/findings.md. */
function renderReport(report) {
  return renderMarkdown(report, readFileSync(join(benchDir, 'findings.md'), 'utf8'));
}

function docsFile() {
  return join(repoRoot, 'docs', 'benchmarks.md');
}

/** Minified sizes of the tree-shaking fixtures' apps, from tools/tree-shaking (bundled now from dist). */
function bundleSizes() {
  const out = sh(process.execPath, [join(repoRoot, 'tools', 'tree-shaking', 'check.mjs')]);
  const budgets = JSON.parse(readFileSync(join(repoRoot, 'tools', 'tree-shaking', 'budgets.json'), 'utf8'));
  const rows = new Set(['fixture', ...Object.keys(budgets)]);
  return { budgets, output: out.split('\n').filter((l) => rows.has(l.split(' ')[0])) };
}
