#!/usr/bin/env node
// Fails when the @kubemq/* packages are not in lockstep (see versions.mjs).
//   node tools/release/check-versions.mjs          check (CI: npm run release:check)
//   node tools/release/check-versions.mjs --fix    after `nx release version`: set every @kubemq/* range
//                                                  to the lockstep version, then run `npm install`
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPackages } from '../packaging/workspace.mjs';
import { versionProblems, withLockstepRanges } from './versions.mjs';

const packages = listPackages();
const { version, problems } = versionProblems(packages);
if (problems.length === 0) {
  console.log(`lockstep: ${packages.length} packages at ${version}, every @kubemq/* range is ${version}`);
  process.exit(0);
}
if (process.argv.includes('--fix')) {
  for (const { dir, manifest } of packages) {
    const fixed = withLockstepRanges({ ...manifest, version }, version);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(fixed, null, 2) + '\n');
  }
  console.log(`set every @kubemq/* version and range to ${version}; run npm install to update package-lock.json`);
  process.exit(0);
}
for (const p of problems) console.error(`✗ ${p}`);
console.error(`${problems.length} lockstep problem(s); fix them, or run with --fix`);
process.exit(1);
