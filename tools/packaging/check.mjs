#!/usr/bin/env node
// npm run pack:check — is every package publishable? Builds nothing: run
// `npx nx run-many -t build` first. For each packages/* folder:
//   1. the manifest rules of this SDK (manifest-rules.mjs) and the built files they point at
//   2. publint --strict (warnings fail too; suggestions are printed)
//   3. attw --pack: types resolve for ESM and CJS consumers of every export under node16/nodenext
//      (from ESM and from CJS), bundler and node10 (TypeScript's default for "module": "commonjs":
//      no exports map, so `types` and `typesVersions` must name every entry's declarations)
//   4. every export of every package loads at run time through import() and through require()
//      (by package name, through the workspace's node_modules links and the exports maps)
//   5. an SDK package's Node build (dist/node, what Node's import() picks) exports the same names
//      as its ESM build (dist/esm, what bundlers pick), entry by entry
// Exits 1 when any package has an error.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { manifestProblems } from './manifest-rules.mjs';
import { walk } from '../build/package-files.mjs';
import { listPackages, workspaceRoot } from './workspace.mjs';

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
  const distFiles = walk(join(pkg.dir, 'dist'));
  // A declaration map can only point at ../../src/*.ts: "go to definition" would open a missing file.
  const declarationMaps = distFiles.filter((f) => f.endsWith('.d.ts.map'));
  if (declarationMaps.length) problems.push(`${declarationMaps.length} .d.ts.map file(s) in dist/ (e.g. ${relative(pkg.dir, declarationMaps[0])}): they point at sources the tarball lacks; build without declarationMap`);
  // A declaration may import only its package's own files, Node's modules, and packages the manifest
  // names: tsc writes a type it inferred from another package's file as a path to that file
  // ("packages/core/dist/…" or "../../../core/dist/…"), which a user's install does not have.
  const known = new Set([pkg.name, ...Object.keys(pkg.manifest.dependencies ?? {}), ...Object.keys(pkg.manifest.peerDependencies ?? {})]);
  for (const file of distFiles.filter((f) => f.endsWith('.d.ts'))) {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const specifier of new Set(Array.from(code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g), (m) => m[1]))) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      const target = join(dirname(file), specifier).replace(/\.js$/, '');
      const ok = specifier.startsWith('.')
        ? [`${target}.d.ts`, join(target, 'index.d.ts')].some((f) => distFiles.includes(f))
        : specifier.startsWith('node:') || builtinModules.includes(name) || known.has(name) || name.startsWith('@types/');
      if (!ok) problems.push(`${relative(pkg.dir, file)} imports "${specifier}": neither a declaration of ${pkg.name} nor a dependency or peer`);
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
    const child = spawn(process.execPath, [attwBin, '--pack', '.', '--format', 'ascii', '--no-emoji', '--no-color'], {
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
  if (!attw.ok) errors.push(`attw:\n${attw.output}`);
  return { pkg, errors, notes: lint.notes };
}

/** Loads every export specifier in one child process per format; returns spec → error text. */
function loadFailures(specs) {
  const failures = new Map();
  const scripts = {
    esm: ['--input-type=module', '-e', `for (const s of ${JSON.stringify(specs)}) { try { await import(s); } catch (e) { console.log(JSON.stringify([s, String(e)])); } }`],
    cjs: ['-e', `for (const s of ${JSON.stringify(specs)}) { try { require(s); } catch (e) { console.log(JSON.stringify([s, String(e)])); } }`],
  };
  for (const [format, argv] of Object.entries(scripts)) {
    const r = spawnSync(process.execPath, argv, { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) failures.set(`(all, ${format})`, r.stderr || `exit ${r.status}`);
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('['))) {
      const [spec, error] = JSON.parse(line);
      failures.set(`${spec} (${format === 'esm' ? 'import()' : 'require()'})`, error);
    }
  }
  return failures;
}

/** Entries whose Node build and ESM build export different names; returns spec → difference. */
function nodeBuildMismatches(pkgs) {
  const pairs = pkgs.flatMap((pkg) =>
    Object.entries(pkg.manifest.exports ?? {}).flatMap(([key, value]) => {
      const forNode = value?.import?.['node-addons'];
      return typeof forNode === 'string' ? [[pkg.name + key.slice(1), join(pkg.dir, forNode), join(pkg.dir, value.import.default)]] : [];
    }),
  );
  const script = `import { pathToFileURL } from 'node:url';
for (const [spec, forNode, esm] of ${JSON.stringify(pairs)}) {
  const names = async (file) => Object.keys(await import(pathToFileURL(file).href)).sort().join(' ');
  const [a, b] = [await names(forNode), await names(esm)];
  if (a !== b) console.log(JSON.stringify([spec, 'dist/node exports [' + a + '], dist/esm exports [' + b + ']']));
}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 });
  const mismatches = new Map(r.stdout.split('\n').filter((l) => l.startsWith('[')).map((l) => JSON.parse(l)));
  if (r.status !== 0) mismatches.set('(all)', r.stderr || `exit ${r.status}`);
  return mismatches;
}

const packages = listPackages();
const results = [];
// Two at a time: each check runs `npm pack` twice, and the machine is shared.
for (let i = 0; i < packages.length; i += 2) {
  results.push(...(await Promise.all(packages.slice(i, i + 2).map(checkPackage))));
}
const specsOf = (pkg) => Object.keys(pkg.manifest.exports ?? {}).filter((k) => k !== './package.json').map((k) => pkg.name + k.slice(1));
const loads = loadFailures(packages.filter((p) => existsSync(join(p.dir, 'dist'))).flatMap(specsOf));
for (const r of results) {
  for (const spec of specsOf(r.pkg)) {
    for (const [key, error] of loads) if (key.startsWith(`${spec} (`)) r.errors.push(`${key} fails to load: ${error}`);
  }
}
for (const [key, error] of loads) if (key.startsWith('(all')) results[0]?.errors.push(`loader ${key}: ${error}`);
const mismatches = nodeBuildMismatches(packages.filter((p) => existsSync(join(p.dir, 'dist'))));
for (const r of results) {
  for (const spec of specsOf(r.pkg)) if (mismatches.has(spec)) r.errors.push(`${spec}: the Node build differs: ${mismatches.get(spec)}`);
}
if (mismatches.has('(all)')) results[0]?.errors.push(`Node build check: ${mismatches.get('(all)')}`);

let failed = 0;
for (const { pkg, errors, notes } of results) {
  console.log(`${errors.length ? '✗' : '✓'} ${pkg.name}@${pkg.manifest.version} (${pkg.role}): manifest rules, publint --strict, attw (node10, node16 ESM+CJS, bundler), every export loads by import() and require()${pkg.role === 'core' || pkg.role === 'pattern' ? ', Node build = ESM build' : ''}`);
  for (const n of notes) console.log(`    ${n}`);
  for (const e of errors) console.log(`    ${e.replace(/\n/g, '\n    ')}`);
  if (errors.length) failed++;
}
console.log(failed ? `pack:check: ${failed} of ${results.length} package(s) failed` : `pack:check: all ${results.length} packages publishable`);
process.exit(failed ? 1 : 0);
