#!/usr/bin/env node
// `npm run examples`: runs every program in examples/ against one local broker and fails if any
// fails. It builds nothing: run `npx nx run-many -t build` first (the examples import the built
// @kubemq/* packages, and the broker comes from the built @kubemq/testing).
//
// The broker is whatever startKubemq() gives: KUBEMQ_ADDRESS (a real server) when set, else
// KUBEMQ_BINARY, else the emulator in a child process. Each example gets its address in
// KUBEMQ_ADDRESS, except those whose header says `// examples: own-broker` (they start, and
// restart, a broker of their own, so they run without KUBEMQ_ADDRESS).
//
// Usage: node tools/examples/run.mjs [filter…]   (a filter is a substring of the example's path)
// Env:   EXAMPLE_TIMEOUT_MS (default 90000), per example.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const timeoutMs = Number(process.env.EXAMPLE_TIMEOUT_MS ?? 90_000);
const filters = process.argv.slice(2);
const OWN_BROKER = /^\/\/ examples: own-broker\b/m;

const missing = ['core', 'events', 'events-store', 'queues', 'rpc', 'emulator', 'testing'].filter(
  (p) => !existsSync(join(root, 'packages', p, 'dist', 'esm', 'index.js')),
);
if (missing.length > 0) {
  console.error(`examples: not built: ${missing.join(', ')}. Run \`npx nx run-many -t build\` first.`);
  process.exit(1);
}

const examples = walk(join(root, 'examples'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (examples.length === 0) {
  console.error('examples: nothing to run');
  process.exit(1);
}

const { startKubemq } = await import(join(root, 'packages', 'testing', 'dist', 'esm', 'index.js'));
const broker = await startKubemq();
console.log(`examples: broker ${broker.kind} at ${broker.address}; ${examples.length} examples, ${timeoutMs} ms each`);

const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const results = [];
try {
  for (const file of examples) {
    const ownBroker = OWN_BROKER.test(readFileSync(join(root, file), 'utf8'));
    const env = { ...process.env, KUBEMQ_ADDRESS: broker.address };
    if (ownBroker) delete env.KUBEMQ_ADDRESS;
    const result = await run(file, env);
    results.push(result);
    const seconds = (result.ms / 1000).toFixed(1).padStart(5);
    console.log(`${result.ok ? 'ok    ' : 'FAILED'} ${seconds} s  ${file}${result.ok ? '' : `  (${result.reason})`}`);
    if (!result.ok && result.output.trim() !== '') console.log(indent(result.output));
  }
} finally {
  await broker[Symbol.asyncDispose]();
}

const failed = results.filter((r) => !r.ok).length;
console.log(`examples: ${results.length - failed} ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

/** Runs one example with tsx; resolves with its outcome and the tail of its output. */
function run(file, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    // Own process group, so a timeout kills the example and anything it started.
    const child = spawn(process.execPath, [tsx, file], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (chunk) => {
      output = (output + chunk.toString()).slice(-6000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (timedOut) resolve({ file, ok: false, ms, reason: `timed out after ${timeoutMs} ms`, output });
      else if (code === 0) resolve({ file, ok: true, ms, output });
      else resolve({ file, ok: false, ms, reason: signal ? `killed by ${signal}` : `exit code ${code}`, output });
    });
  });
}

function indent(text) {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
  );
}
