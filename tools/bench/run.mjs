#!/usr/bin/env node
// npm run bench — this SDK vs a raw @grpc/grpc-js client vs the official kubemq-js, side by side,
// against one broker in its own process (the emulator via startKubemq(), or KUBEMQ_ADDRESS).
// For every scenario, each round runs the three clients one after another in a rotating order
// (each in its own child processes: tools/bench/worker.mjs), at least --rounds rounds and then more
// until the ours/raw ratio is steady (lib/rounds.mjs); the report takes the median per metric.
// Build first: npx nx run-many -t build. Options: `npm run bench -- --help` (lib/args.mjs).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchDir, repoRoot } from './lib/paths.mjs';
import { BenchArgsError, parseArgs, USAGE } from './lib/args.mjs';
import { roundRatios, nextRound, SPREAD_LIMIT } from './lib/rounds.mjs';
import { scenarioRatios } from './lib/ratios.mjs';
import { median } from './lib/stats.mjs';
import { realServerSection, renderMarkdown } from './lib/report.mjs';
import { clients as allClients, scenarios } from './scenarios.mjs';
import { measureStartup } from './startup.mjs';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
let options;
try {
  options = parseArgs(argv, allClients);
} catch (err) {
  if (!(err instanceof BenchArgsError)) throw err;
  console.error(`bench: ${err.message} (--help for the usage)`);
  process.exit(2);
}
const resultsDir = join(benchDir, 'results');
const readResults = (name) => (existsSync(join(resultsDir, name)) ? JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) : undefined);

// --render alone: rewrite docs/benchmarks.md from the last full runs and the current findings.md, no measuring.
if (options.renderOnly) {
  writeFileSync(docsFile(), renderReport(readResults('latest.json'), readResults('real-server.json')));
  console.log('bench: docs/benchmarks.md rendered from results/latest.json (and real-server.json when present) and findings.md');
  process.exit(0);
}
const { quick, minRounds, maxRounds } = options;
const selected = options.scenarios;
const clients = options.clients.length > 0 ? allClients.filter((c) => options.clients.includes(c)) : allClients;
const full = !quick && selected.length === 0 && options.clients.length === 0;
const chosen = selected.length > 0 ? selected : scenarios;
const scale = quick ? 0.2 : 1;
// Every client process gets the same V8 heap start size. With V8's default (a few MB), the process
// that loaded more code (this SDK: rxjs + its modules) crosses the first old-generation limit while
// 64 KB bodies are in flight, and external-memory GCs escalate to a Mark-Compact every ~40 messages:
// a startup artifact of tiny processes that doubled CPU per message in whichever client it hit
// (docs/benchmarks.md, Findings). A real application's heap is past that point anyway.
const nodeFlags = options.v8Defaults ? [] : ['--initial-heap-size=64'];
const warmBroker = options.warmBroker;

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
const roundsLabel = maxRounds > minRounds ? `${minRounds}–${maxRounds} rounds (until the ours/raw spread is under ${SPREAD_LIMIT * 100}%)` : `${minRounds} rounds`;
console.log(`bench: broker ${broker.kind} at ${broker.address}; ${chosen.length} scenarios × ${roundsLabel} × ${clients.length} clients${quick ? ' (quick)' : ''}`);

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
const ratios = [];
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
    // Rounds: the minimum, then more until the ours/raw throughput ratio is steady (or the maximum).
    // No ratio to judge when sdk or raw is left out: then the minimum only.
    const judged = clients.includes('sdk') && clients.includes('raw') && !scenario.unsupported?.some((c) => c === 'sdk' || c === 'raw');
    // Rounded like the entries' roundMsgsPerSec, so the report recomputes the same spread.
    const roundRate = (client) => runs[client].map((x) => (x.error ? null : Math.round(x.msgsPerSec)));
    let decision = { stop: false };
    for (let r = 0; !decision.stop; r++) {
      const shift = (si + r) % clients.length;
      const order = [...clients.slice(shift), ...clients.slice(0, shift)];
      for (const client of order) {
        if (scenario.unsupported?.includes(client)) continue;
        const res = await runWorker(client, scenario, count);
        runs[client].push(res);
        const summary = res.error ? `ERROR ${res.error.split('\n')[0]}` : `${Math.round(res.msgsPerSec)} msg/s  p50 ${res.p50Ms?.toFixed(2)} ms  p99 ${res.p99Ms?.toFixed(2)} ms  ${res.cpuUsPerMsg.toFixed(1)} µs CPU/msg  lost ${res.lost}`;
        console.log(`  ${scenario.name.padEnd(20)} round ${r + 1} ${client.padEnd(10)} ${summary}`);
      }
      decision = nextRound({ roundsRun: r + 1, ratios: judged ? roundRatios(roundRate('sdk'), roundRate('raw')) : undefined, minRounds, maxRounds });
    }
    const spreadNote =
      decision.reached === null
        ? 'no ours/raw ratio to judge'
        : `ours/raw spread ${decision.spread === undefined ? 'n/a' : `${(decision.spread * 100).toFixed(1)}%`} after ${runs.sdk.length} rounds: ${decision.reached ? `under ${SPREAD_LIMIT * 100}%` : `NOT under ${SPREAD_LIMIT * 100}% (maximum of ${maxRounds} rounds reached)`}`;
    console.log(`  ${scenario.name.padEnd(20)} ${spreadNote}`);
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
      entry.roundCpuUsPerMsg = runs[client].map((x) => (x.error ? null : x.cpuUsPerMsg));
      const errors = runs[client].filter((x) => x.error).map((x) => x.error.split('\n')[0]);
      if (errors.length > 0) entry.errors = errors;
      results.push(entry);
    }
    const of = (client) => results.find((e) => e.scenario === scenario.name && e.client === client);
    ratios.push(scenarioRatios(scenario.name, of('sdk'), of('raw'), of('kubemq-js')));
    // progress survives a crash of the report step
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    writeFileSync(join(benchDir, 'results', 'in-progress.json'), `${JSON.stringify(results, null, 2)}\n`);
  }
} finally {
  await broker[Symbol.asyncDispose]?.() ?? broker.stop?.();
}

let startup;
let bundle;
if (full || options.startup) {
  const b2 = await startKubemq();
  try {
    startup = await measureStartup(b2.address, 9);
  } finally {
    await b2[Symbol.asyncDispose]();
  }
}
if (full || options.bundle) bundle = bundleSizes();

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
  rounds: minRounds,
  maxRounds,
  spreadLimit: SPREAD_LIMIT,
  brokerWarmUp: warmBroker,
  nodeFlags,
  durationS: Math.round((Date.now() - started) / 1000),
  results,
  // Per scenario, the SDK's ratios (throughput, p99, client CPU per message) and how steady the
  // throughput ratio was across rounds.
  ratios,
  startup,
  bundle,
};
// The emulator's full run is the default one (latest.json, rendered into docs/benchmarks.md); a full
// run against another broker (KUBEMQ_ADDRESS) is recorded beside it and rendered into its own section.
const onEmulator = broker.kind === 'emulator';
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, !full ? (quick ? 'quick.json' : 'partial.json') : onEmulator ? 'latest.json' : 'real-server.json');
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
const writeDocs = full && (onEmulator || options.render);
if (onEmulator || !full) {
  const markdown = renderReport(report, readResults('real-server.json'));
  if (writeDocs) writeFileSync(docsFile(), markdown);
  else console.log(markdown.slice(markdown.indexOf('## Results'), markdown.indexOf('## Against a real server')));
} else if (writeDocs) {
  writeFileSync(docsFile(), renderReport(readResults('latest.json'), report));
} else {
  console.log(realServerSection(report).join('\n'));
}
console.log(`bench: ${file}${writeDocs ? ' and docs/benchmarks.md' : ''} written (${report.durationS} s)`);
process.exit(0);

/** docs/benchmarks.md: the emulator's report, the real-server run's section, the hand-written findings of tools/bench/findings.md. */
function renderReport(report, realServer) {
  if (!report) {
    console.error('bench: no full emulator run to render (results/latest.json is missing): run `npm run bench` first');
    process.exit(1);
  }
  return renderMarkdown(report, readFileSync(join(benchDir, 'findings.md'), 'utf8'), realServer);
}

function docsFile() {
  return join(repoRoot, 'docs', 'benchmarks.md');
}

/** Minified sizes of the tree-shaking fixtures' apps, from tools/bench/tree-shaking (bundled now from dist). */
function bundleSizes() {
  const out = sh(process.execPath, [join(benchDir, 'tree-shaking', 'check.mjs')]);
  const budgets = JSON.parse(readFileSync(join(benchDir, 'tree-shaking', 'budgets.json'), 'utf8'));
  const rows = new Set(['fixture', ...Object.keys(budgets)]);
  return { budgets, output: out.split('\n').filter((l) => rows.has(l.split(' ')[0])) };
}
