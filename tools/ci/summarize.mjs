#!/usr/bin/env node
// Sums jest's JSON results in reports/jest/ and prints the plain closing line
// `N passed, N failed` (with `, N skipped` when some were). Exit 1 if any failed
// or if a suite failed to run (a suite that cannot load reports no test results).
// With no reports at all it prints 0 passed, 1 failed: a run that tested nothing is a failure.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const reports = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reports', 'jest');
let passed = 0;
let failed = 0;
let skipped = 0;
let brokenSuites = 0;
for (const file of existsSync(reports) ? readdirSync(reports) : []) {
  if (!file.endsWith('.json')) continue;
  const r = JSON.parse(readFileSync(join(reports, file), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  brokenSuites += r.numRuntimeErrorTestSuites ?? 0;
}
if (brokenSuites > 0) console.log(`${brokenSuites} test suite(s) failed to run`);
// A suite that failed to load counts as one failed test so the line never hides it; so does
// each failed static check that .ci/run passes in with --extra-failed.
const extraAt = process.argv.indexOf('--extra-failed');
const extra = extraAt > 0 ? Number(process.argv[extraAt + 1] ?? 0) : 0;
if (extra > 0) console.log(`${extra} static check(s) failed`);
failed += brokenSuites + extra;
if (passed + failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
