#!/usr/bin/env node
// Builds the package in the current directory twice with tsc, unbundled:
// dist/esm (NodeNext, the package is "type": "module") and dist/cjs (CommonJS,
// marked by its own package.json). Entries that share classes stay one module each.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const cwd = process.cwd();

rmSync(join(cwd, 'dist'), { recursive: true, force: true });
for (const config of ['tsconfig.lib.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', config], { cwd, stdio: 'inherit' });
}
writeFileSync(join(cwd, 'dist/cjs/package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');

// Make declared bins executable (npm does this on install; workspaces link them as-is).
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
for (const bin of Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin ?? {})) {
  const file = join(cwd, bin);
  if (existsSync(file)) chmodSync(file, 0o755);
}
