#!/usr/bin/env node
// npm run pack:check — is every package publishable? Builds nothing: run
// `npx nx run-many -t build` first. For each packages/* folder:
//   1. the manifest rules of this SDK (manifest-rules.mjs) and the built files they point at
//   2. publint --strict (warnings fail too; suggestions are printed)
//   3. attw --pack --profile node16: types resolve for ESM and CJS consumers of every export
//      (node16 = node16/nodenext from ESM and from CJS, plus bundler; node10 is out of scope:
//      our engines are node >= 20 and subpath exports need exports-aware resolution)
// Exits 1 when any package has an error.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { manifestProblems } from './manifest-rules.mjs';
import { listPackages } from './workspace.mjs';

const require = createRequire(import.meta.url);
const attwBin = join(require.resolve('@arethetypeswrong/cli/package.json'), '..', 'dist', 'index.js');

function exportTargets(exports) {
  const out = [];
  const walk = (v) => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(exports);
  return out;
}

/** Rules that need the built files. */
function builtProblems(pkg) {
  const problems = [];
  if (!existsSync(join(pkg.dir, 'dist'))) return [`no dist/: run \`npx nx run-many -t build\` first`];
  const cjsMarker = join(pkg.dir, 'dist/cjs/package.json');
  if (!existsSync(cjsMarker) || JSON.parse(readFileSync(cjsMarker, 'utf8')).type !== 'commonjs') {
    problems.push('dist/cjs/package.json must say {"type":"commonjs"}');
  }
  for (const target of [...exportTargets(pkg.manifest.exports), pkg.manifest.main, pkg.manifest.module, pkg.manifest.types]) {
    if (typeof target === 'string' && !existsSync(join(pkg.dir, target))) problems.push(`${target} does not exist`);
  }
  // The tarball holds dist/ only: a source map must carry its sources, not point at ../../src.
  for (const map of ['dist/esm/index.js.map', 'dist/cjs/index.js.map']) {
    const file = join(pkg.dir, map);
    if (existsSync(file) && !Array.isArray(JSON.parse(readFileSync(file, 'utf8')).sourcesContent)) {
      problems.push(`${map} has no sourcesContent: its sources are not in the tarball (build with --inlineSources)`);
    }
  }
  for (const bin of Object.values(pkg.manifest.bin ?? {})) {
    if (!existsSync(join(pkg.dir, bin))) problems.push(`bin ${bin} does not exist`);
    else if (!readFileSync(join(pkg.dir, bin), 'utf8').startsWith('#!')) problems.push(`bin ${bin} has no #! line`);
  }
  return problems;
}

async function runPublint(pkg) {
  const { messages, pkg: manifest } = await publint({ pkgDir: pkg.dir, level: 'suggestion', strict: true, pack: 'npm' });
  const errors = messages.filter((m) => m.type === 'error').map((m) => `publint: ${formatMessage(m, manifest, { color: false })}`);
  const notes = messages.filter((m) => m.type !== 'error').map((m) => `publint (${m.type}): ${formatMessage(m, manifest, { color: false })}`);
  return { errors, notes };
}

function runAttw(pkg) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [attwBin, '--pack', '.', '--profile', 'node16', '--format', 'ascii', '--no-emoji', '--no-color'], {
      cwd: pkg.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ ok: code === 0, output: out.trim() }));
  });
}

async function checkPackage(pkg) {
  const errors = [...manifestProblems(pkg.manifest, pkg.role), ...builtProblems(pkg)];
  if (errors.some((e) => e.startsWith('no dist/'))) return { pkg, errors, notes: [] };
  const [lint, attw] = await Promise.all([runPublint(pkg), runAttw(pkg)]);
  errors.push(...lint.errors);
  if (!attw.ok) errors.push(`attw (node16 profile):\n${attw.output}`);
  return { pkg, errors, notes: lint.notes };
}

const packages = listPackages();
const results = [];
// Two at a time: each check runs `npm pack` twice, and the machine is shared.
for (let i = 0; i < packages.length; i += 2) {
  results.push(...(await Promise.all(packages.slice(i, i + 2).map(checkPackage))));
}
let failed = 0;
for (const { pkg, errors, notes } of results) {
  console.log(`${errors.length ? '✗' : '✓'} ${pkg.name}@${pkg.manifest.version} (${pkg.role}): manifest rules, publint --strict, attw node16 ESM+CJS`);
  for (const n of notes) console.log(`    ${n}`);
  for (const e of errors) console.log(`    ${e.replace(/\n/g, '\n    ')}`);
  if (errors.length) failed++;
}
console.log(failed ? `pack:check: ${failed} of ${results.length} package(s) failed` : `pack:check: all ${results.length} packages publishable`);
process.exit(failed ? 1 : 0);
