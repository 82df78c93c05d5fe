#!/usr/bin/env node
// Runs one kind of jest suite (unit | integration | conformance) for the package in
// the current directory and keeps jest's JSON results in reports/jest/ for the summary.
//
// jest waits, without a limit, for whatever a test left running (a client, a socket, a timer)
// once its run is over; a loop that never yields, or a handle Node never closed, stops it at
// exit silently. So this wrapper watches: when jest is still alive EXIT_GRACE_MS after writing
// its results, it asks Node for a diagnostic report (the handles that kept it), prints what it
// says, and kills jest; the run's verdict stays the one in the results. A run with no results
// after RUN_LIMIT_MS is killed the same way and counts as one failed test.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The environment overrides both (to try the wrapper itself).
const EXIT_GRACE_MS = Number(process.env.JEST_EXIT_GRACE_MS ?? 60_000);
const RUN_LIMIT_MS = Number(process.env.JEST_RUN_LIMIT_MS ?? 30 * 60_000);
const REPORT_WAIT_MS = 5_000;

const kind = process.argv[2];
const configFile = { unit: 'jest.config.cjs', integration: 'jest.integration.config.cjs', conformance: 'jest.conformance.config.cjs' }[kind];
if (!configFile) {
  console.error(`usage: jest.mjs unit|integration|conformance [jest args]`);
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cwd = process.cwd();
// A package is named by its package.json; an Nx project without one (tools/) by its project.json.
const manifest = existsSync(join(cwd, 'package.json')) ? 'package.json' : 'project.json';
const pkg = JSON.parse(readFileSync(join(cwd, manifest), 'utf8')).name.replace('@kubemq/', '');
const reports = join(root, 'reports', 'jest');
mkdirSync(reports, { recursive: true });
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');

if (!existsSync(join(cwd, configFile))) process.exit(0);

const outputFile = join(reports, `${pkg}-${kind}.json`);
rmSync(outputFile, { force: true });
// Outside reports/jest: the summary reads every .json there.
const diagnostics = join(root, 'reports', 'jest-exit', `${pkg}-${kind}`);
rmSync(diagnostics, { recursive: true, force: true });
mkdirSync(diagnostics, { recursive: true });
const nodeOptions = [process.env.NODE_OPTIONS ?? '', '--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${diagnostics}`].join(' ').trim();

const child = spawn(
  process.execPath,
  [jestBin, '--config', configFile, '--passWithNoTests', '--json', `--outputFile=${outputFile}`, ...process.argv.slice(3)],
  { cwd, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);
const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** The results jest wrote, once the file is complete; undefined before. */
function results() {
  try {
    return JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    return undefined; // not written yet, or being written
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const watch = (async () => {
  const limit = performance.now() + RUN_LIMIT_MS;
  while (results() === undefined) {
    if (performance.now() > limit) return 'over time';
    await sleep(1000);
  }
  await sleep(EXIT_GRACE_MS);
  return 'did not exit';
})();

const outcome = await Promise.race([exited, watch]);
if (typeof outcome !== 'string') process.exit(outcome.code ?? 1);

console.error(
  outcome === 'over time'
    ? `\n::: jest (${pkg} ${kind}) has not finished in ${RUN_LIMIT_MS / 60_000} min.`
    : `\n::: jest (${pkg} ${kind}) did not exit ${EXIT_GRACE_MS / 1000} s after writing its results.`,
);
child.kill('SIGUSR2');
const afterSignal = await Promise.race([exited, sleep(REPORT_WAIT_MS)]);
if (afterSignal?.signal === 'SIGUSR2') {
  // Node drops its signal handlers as it exits: the process was stuck in its exit.
  console.error("::: it was exiting, and died of the report's signal: Node waits at exit for every handle to close, and one never did (a socket reset while it was shutting down, say).");
} else {
  printReport();
  child.kill('SIGKILL');
  await exited;
}
if (outcome === 'over time') {
  // What the summary counts for a run that never reported: one failure.
  writeFileSync(outputFile, JSON.stringify({ success: false, numPassedTests: 0, numFailedTests: 1, numPendingTests: 0, numTodoTests: 0, numRuntimeErrorTestSuites: 0 }));
  console.error('::: killed it; counted as one failed test.');
  process.exit(1);
}
const verdict = results();
console.error(`::: killed it; the verdict is the one in its results (${verdict?.success ? 'passed' : 'failed'}).`);
process.exit(verdict?.success ? 0 : 1);

/** What Node's diagnostic report says kept jest alive: its referenced libuv handles. */
function printReport() {
  const file = readdirSync(diagnostics).find((f) => f.endsWith('.json'));
  if (file === undefined) {
    console.error('::: no diagnostic report came: its event loop is likely blocked (a synchronous or microtask loop).');
    return;
  }
  const report = JSON.parse(readFileSync(join(diagnostics, file), 'utf8'));
  const uv = report.libuv ?? [];
  // Only referenced handles keep a process alive; Node aggregates every JavaScript timer into one.
  const handles = uv.filter((h) => h.is_active && h.is_referenced && h.type !== 'loop');
  const endpoint = (e) => e && `${e.ip4 ?? e.ip6 ?? e.host}:${e.port}`;
  console.error(`::: referenced handles (${handles.length}); full report in ${join(diagnostics, file)}:`);
  for (const h of handles) {
    const where = [endpoint(h.localEndpoint) && `local ${endpoint(h.localEndpoint)}`, endpoint(h.remoteEndpoint) && `remote ${endpoint(h.remoteEndpoint)}`, h.firesInMsFromNow !== undefined && `fires in ${h.firesInMsFromNow} ms`]
      .filter(Boolean)
      .join(', ');
    console.error(`:::   ${h.type}${where ? ` (${where})` : ''}`);
  }
  const loop = uv.find((h) => h.type === 'loop');
  if (loop?.loopIdleTimeSeconds !== undefined) console.error(`::: event loop idle ${loop.loopIdleTimeSeconds.toFixed(1)} s in all; CPU used ${(report.resourceUsage?.cpuConsumptionPercent ?? 0).toFixed(0)}%`);
}
