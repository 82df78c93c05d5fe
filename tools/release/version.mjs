#!/usr/bin/env node
// npm run release:version -- <version|major|minor|patch> [--dry-run]
// One lockstep version bump: `nx release version` (projectsRelationship fixed: every package and
// every @kubemq/* range it sees in the project graph), then the ranges it cannot see (testing →
// emulator: that graph edge is cut to break the emulator-tests cycle), then the lock file.
// nx.json sets skipLockFileUpdate because npm would resolve the stale emulator range against
// the registry and fail before the ranges are fixed.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listPackages, workspaceRoot } from '../packaging/workspace.mjs';
import { versionProblems, withLockstepRanges } from './versions.mjs';

const args = process.argv.slice(2);
const specifier = args.find((a) => !a.startsWith('-'));
const dryRun = args.includes('--dry-run');
if (!specifier) {
  console.error('usage: npm run release:version -- <version|major|minor|patch|…> [--dry-run]');
  process.exit(2);
}
const step = (cmd, argv) => {
  const r = spawnSync(cmd, argv, { cwd: workspaceRoot, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const nx = createRequire(import.meta.url).resolve('nx/bin/nx');
step(process.execPath, [nx, 'release', 'version', specifier, ...(dryRun ? ['--dry-run'] : [])]);
if (dryRun) process.exit(0);

const packages = listPackages();
const { version } = versionProblems(packages);
for (const { dir, manifest } of packages) {
  const fixed = withLockstepRanges(manifest, version);
  if (JSON.stringify(fixed) !== JSON.stringify(manifest)) {
    writeFileSync(join(dir, 'package.json'), JSON.stringify(fixed, null, 2) + '\n');
    console.log(`set the @kubemq/* ranges of ${manifest.name} to ${version}`);
  }
}
step(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--package-lock-only', '--no-audit', '--no-fund']);
const after = versionProblems(listPackages());
if (after.problems.length) {
  for (const p of after.problems) console.error(`✗ ${p}`);
  process.exit(1);
}
console.log(`every package and @kubemq/* range is at ${version}; review \`git diff\`, commit, then \`npx nx release publish\``);
