#!/usr/bin/env node
// Fails when the @kubemq/* packages are not in lockstep (see versions.mjs).
//   node tools/release/check-versions.mjs          check (CI: npm run release:check)
//   node tools/release/check-versions.mjs --fix    after a hand edit: set every @kubemq/* range and
//                                                  src/version.ts to the lockstep version, then run `npm install`
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPackages } from '../packaging/workspace.mjs';
import { VERSIONED_IN_SOURCE, versionFileProblem, versionFileText, versionProblems, withLockstepRanges } from './versions.mjs';

const packages = listPackages();
const { version, problems } = versionProblems(packages);
const versionFile = (dir) => join(dir, 'src', 'version.ts');
for (const { name, dir } of packages) {
  if (!VERSIONED_IN_SOURCE.includes(name)) continue;
  const file = versionFile(dir);
  const problem = versionFileProblem(name, version, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  if (problem) problems.push(problem);
}
if (problems.length === 0) {
  console.log(`lockstep: ${packages.length} packages at ${version}, every @kubemq/* range is ${version}`);
  process.exit(0);
}
if (process.argv.includes('--fix')) {
  for (const { dir, manifest } of packages) {
    const fixed = withLockstepRanges({ ...manifest, version }, version);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(fixed, null, 2) + '\n');
  }
  for (const { name, dir } of packages) {
    if (VERSIONED_IN_SOURCE.includes(name)) writeFileSync(versionFile(dir), versionFileText(name, version));
  }
  console.log(`set every @kubemq/* version, range and src/version.ts to ${version}; run npm install to update package-lock.json`);
  process.exit(0);
}
for (const p of problems) console.error(`✗ ${p}`);
console.error(`${problems.length} lockstep problem(s); fix them, or run with --fix`);
process.exit(1);
