#!/usr/bin/env node
// npm run release:version -- <version|major|minor|patch> [--dry-run]
// One lockstep version bump: `nx release version` (projectsRelationship fixed) sets every package's
// version, rewrites every @kubemq/* range it sees in the project graph (all of them: dependencies,
// peers, devDependencies) and updates package-lock.json; this script then writes the packages'
// src/version.ts, and the lockstep check confirms it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listPackages, workspaceRoot } from '../packaging/workspace.mjs';
import { VERSIONED_IN_SOURCE, versionFileText, versionProblems } from './versions.mjs';

const args = process.argv.slice(2);
const specifier = args.find((a) => !a.startsWith('-'));
const dryRun = args.includes('--dry-run');
if (!specifier) {
  console.error('usage: npm run release:version -- <version|major|minor|patch|…> [--dry-run]');
  process.exit(2);
}
const nx = createRequire(import.meta.url).resolve('nx/bin/nx');
const r = spawnSync(process.execPath, [nx, 'release', 'version', specifier, ...(dryRun ? ['--dry-run'] : [])], { cwd: workspaceRoot, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
if (dryRun) process.exit(0);

const packages = listPackages();
const { version, problems } = versionProblems(packages);
// nx release knows package.json only: the packages that read their version in code get it here.
for (const { name, dir } of packages) {
  if (VERSIONED_IN_SOURCE.includes(name)) writeFileSync(join(dir, 'src', 'version.ts'), versionFileText(name, version));
}
if (problems.length) {
  for (const p of problems) console.error(`✗ ${p}`);
  console.error('nx release left these behind; `npm run release:check -- --fix` sets them, then `npm install --package-lock-only`');
  process.exit(1);
}
console.log(`every package and @kubemq/* range is at ${version}; review \`git diff\`, commit, then \`npx nx release publish\``);
