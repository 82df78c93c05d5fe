#!/usr/bin/env node
// The test entry points behind `npm test`, `npm run integration` and `npm run conformance`.
//   all          unit + component tests, then every integration and conformance suite
//   integration  integration suites only (honours KUBEMQ_ADDRESS / KUBEMQ_BINARY / KUBEMQ_TESTCONTAINERS)
//   conformance  the raw-gRPC conformance suite only (Nx project `conformance`, in packages/emulator/test/conformance)
// Every run ends with the line `N passed, N failed` summed from jest's JSON results.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nx = createRequire(import.meta.url).resolve('nx/bin/nx');
const mode = process.argv[2] ?? 'all';
const passThrough = process.argv.slice(3);

const steps = {
  all: [['test', '--parallel=2'], ['integration,conformance', '--parallel=1']],
  integration: [['integration', '--parallel=1']],
  conformance: [['conformance', '--parallel=1']],
}[mode];
if (!steps) {
  console.error('usage: run-tests.mjs all|integration|conformance');
  process.exit(2);
}

rmSync(join(root, 'reports', 'jest'), { recursive: true, force: true });
let nxFailed = false;
for (const [targets, parallel] of steps) {
  const r = spawnSync(process.execPath, [nx, 'run-many', '-t', targets, parallel, '--outputStyle=stream', '--skip-nx-cache', ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) nxFailed = true;
}
const summary = spawnSync(process.execPath, [join(root, 'tools/ci/summarize.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(nxFailed || summary.status !== 0 ? 1 : 0);
