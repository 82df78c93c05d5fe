#!/usr/bin/env node
// Builds the package in the current directory twice with tsc: dist/esm (NodeNext, the package is
// "type": "module") and dist/cjs (CommonJS, marked by its own package.json), a file per module.
// The SDK packages (Nx tags type:core and type:pattern) then ship their ESM and their CommonJS as
// one file per entry point (bundle-esm.mjs, bundle-cjs.mjs: fewer files for Node to load at
// startup; entries that share classes share them through chunks, or one shared CommonJS file),
// and dist/node, Node's ES entry points over the CommonJS bundles (node-entries.mjs). The output
// is written beside dist and swapped in at the end, so a process that runs from dist meanwhile (a
// broker started by a test) never sees a half-written tree.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundleCjs } from './bundle-cjs.mjs';
import { bundleEsm } from './bundle-esm.mjs';
import { writeNodeEntries } from './node-entries.mjs';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const cwd = process.cwd();

const staging = join(cwd, `.dist-${process.pid}`);
const project = JSON.parse(readFileSync(join(cwd, 'project.json'), 'utf8'));
const sdk = project.tags?.some((tag) => tag === 'type:core' || tag === 'type:pattern');
rmSync(staging, { recursive: true, force: true });
try {
  for (const [config, format] of [['tsconfig.lib.json', 'esm'], ['tsconfig.cjs.json', 'cjs']]) {
    // --inlineSources: the tarball ships dist/ only, so each .js.map carries its TypeScript source
    // (maps pointing at ../../src/*.ts would break debuggers and source-map loaders of users; for
    // the same reason no declaration maps). An SDK package's declarations are dist/cjs's alone,
    // which dist/node re-exports for import (node-entries.mjs says why).
    const args = [tsc, '-p', config, '--outDir', join(staging, format), '--inlineSources', ...(sdk && format === 'esm' ? ['--declaration', 'false'] : [])];
    execFileSync(process.execPath, args, { cwd, stdio: 'inherit' });
  }
  writeFileSync(join(staging, 'cjs/package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
  if (sdk) {
    const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    // CommonJS first: it is bundled from tsc's ESM modules, which bundleEsm replaces.
    await bundleCjs(join(staging, 'esm'), join(staging, 'cjs'), manifest);
    await bundleEsm(join(staging, 'esm'), manifest);
    writeNodeEntries(staging, manifest);
  }
  const previous = join(cwd, `.dist-old-${process.pid}`);
  if (existsSync(join(cwd, 'dist'))) renameSync(join(cwd, 'dist'), previous);
  renameSync(staging, join(cwd, 'dist'));
  rmSync(previous, { recursive: true, force: true });
} finally {
  rmSync(staging, { recursive: true, force: true });
}

// Make declared bins executable (npm does this on install; workspaces link them as-is).
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
for (const bin of Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin ?? {})) {
  const file = join(cwd, bin);
  if (existsSync(file)) chmodSync(file, 0o755);
}
