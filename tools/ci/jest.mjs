#!/usr/bin/env node
// Runs one kind of jest suite (unit | integration | conformance) for the package in
// the current directory and keeps jest's JSON results in reports/jest/ for the summary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const result = spawnSync(
  process.execPath,
  [jestBin, '--config', configFile, '--passWithNoTests', '--json', `--outputFile=${join(reports, `${pkg}-${kind}.json`)}`, ...process.argv.slice(3)],
  { cwd, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
