#!/usr/bin/env node
// npm run tree-shaking — bundles one small app per pattern from the BUILT packages (the
// workspace's node_modules/@kubemq/* links → packages/*/dist/esm through each exports map) and
// checks what ends up inside. Run `npx nx run-many -t build` first.
//   - no other pattern's RPC names (derived from each packages/<pattern>/src/internal/methods.ts)
//   - no metafile input from a package the fixture doesn't import, none from sources
//   - a bare `import '@kubemq/core'` keeps no byte of @kubemq code
//   - no code of an optional feature the fixture does not use (OPTIONAL_FEATURES in analysis.mjs:
//     codecs and typed channels, OpenTelemetry, channel management, send-stream handles,
//     refreshing credentials, running handlers), and some of each one it does use. The packages
//     ship one ESM file per entry point, so which source files a bundle holds is read off its
//     source map, which chains through the packages' maps to their TypeScript sources
//   - no `ignored-bare-import` warning (an import-time side effect esbuild dropped)
//   - minified and gzip sizes within tools/bench/tree-shaking/budgets.json
// esbuild: bundle, platform node, format esm, minify, metafile; external: @grpc/grpc-js (a
// runtime dependency every app installs anyway) and rxjs. rxjs is a peer the app already has,
// and under platform 'node' its exports map sends esbuild to its CommonJS build, which does not
// tree-shake: bundled, it adds a constant ~143 KB that says nothing about our packages and would
// hide a 20 KB leak. The budgets therefore measure our code alone (core carries its own protobuf
// wire runtime); the app total with rxjs bundled is printed too (not budgeted).
// Printed too, not budgeted: the whole app with everything bundled (grpc-js, which brings
// protobufjs, rxjs and, when used, @opentelemetry/api), what a user's bundle really weighs.
//   --update-budgets   rewrite budgets.json at the measured sizes + 3% (review the diff)
//   --out <dir>        also write the bundles and metafiles there, for a look inside
//   --by-source <fixture>  also print how many bytes of that fixture's bundle each source file holds
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  badInputs,
  budgetsFrom,
  charsBySource,
  compareBudgets,
  findMethodLiterals,
  foreignMethodNames,
  formatBytes,
  parseMethodNames,
  unusedFeatureInputs,
} from './analysis.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const budgetsFile = join(here, 'budgets.json');
const PATTERNS = ['events', 'events-store', 'queues', 'rpc'];

/**
 * fixture → the pattern packages it uses (core is always allowed), or for a `bare-*` fixture the
 * packages it imports for nothing but their effects (there must be none: it keeps no byte), and
 * the optional features it uses (`codecs`, `telemetry`, `channels`, `streams`; see OPTIONAL_FEATURES).
 */
const FIXTURES = {
  'bare-core': { uses: [], bare: ['core'] },
  'bare-patterns': { uses: [], bare: PATTERNS },
  'core-only': { uses: [] },
  'events-only': { uses: ['events'] },
  'events-store-only': { uses: ['events-store'] },
  'queues-only': { uses: ['queues'] },
  'rpc-only': { uses: ['rpc'], features: ['handlers'] },
  'events-typed': { uses: ['events'], features: ['codecs'] },
  'queues-traced': { uses: ['queues'], features: ['telemetry', 'handlers'] },
};

const methodsOf = (folder) => parseMethodNames(readFileSync(join(root, 'packages', folder, 'src/internal/methods.ts'), 'utf8'));
const coreMethods = methodsOf('core');
const patternMethods = Object.fromEntries(PATTERNS.map((p) => [p, methodsOf(p)]));
for (const [p, names] of Object.entries(patternMethods)) {
  if (names.length === 0) throw new Error(`found no method declarations in packages/${p}/src/internal/methods.ts`);
}

const outAt = process.argv.indexOf('--out');
const outDir = outAt > 0 ? process.argv[outAt + 1] : undefined;
const bySourceAt = process.argv.indexOf('--by-source');
const bySourceOf = bySourceAt > 0 ? process.argv[bySourceAt + 1] : undefined;
if (bySourceOf !== undefined && !(bySourceOf in FIXTURES)) throw new Error(`--by-source: no fixture '${bySourceOf}' (one of ${Object.keys(FIXTURES).join(', ')})`);

async function bundle(name, external = ['@grpc/grpc-js', 'rxjs']) {
  const outfile = join(here, 'out', `${name}.mjs`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(here, 'fixtures', `${name}.ts`)],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    metafile: true,
    // A map file without a reference comment: the measured code is exactly what an app ships.
    sourcemap: 'external',
    external,
    // No tsconfig: the workspace's `paths` map @kubemq/* to sources, and this must bundle the build.
    tsconfigRaw: {},
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs')).text;
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.mjs.map')).text);
  // Source files (from the workspace root) that hold code of the bundle, with their bytes in it.
  const bySource = [...charsBySource(code, map)]
    .filter(([, chars]) => chars > 0)
    .map(([source, chars]) => [relative(root, resolve(dirname(outfile), source)).replace(/\\/g, '/'), chars]);
  const sources = bySource.map(([source]) => source);
  const [output] = Object.values(result.metafile.outputs).filter((o) => o.entryPoint);
  return { code, output, sources, bySource, warnings: result.warnings, metafile: result.metafile };
}

const measured = {};
const appTotals = {};
const wholeApps = {};
const failures = [];
// @opentelemetry/api is the app's own (an optional peer), like rxjs.
const EXTERNAL = ['@grpc/grpc-js', 'rxjs', '@opentelemetry/api'];
for (const [name, { uses: ownPatterns, bare, features = [] }] of Object.entries(FIXTURES)) {
  const { code, output, sources, bySource, warnings, metafile } = await bundle(name, EXTERNAL);
  if (name === bySourceOf) {
    console.log(`${name}: bytes per source file (minified, grpc-js and rxjs external)`);
    for (const [source, chars] of bySource.sort((a, b) => b[1] - a[1])) console.log(`${String(chars).padStart(8)}  ${source}`);
  }
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${name}.mjs`), code);
    writeFileSync(join(outDir, `${name}.meta.json`), JSON.stringify(metafile, null, 2));
  }
  const fail = (message) => failures.push(`${name}: ${message}`);
  const bytes = Buffer.byteLength(code);
  measured[name] = { minified: bytes, gzip: gzipSync(code, { level: 9 }).length };
  const withRxjs = (await bundle(name, EXTERNAL.filter((e) => e !== 'rxjs'))).code;
  appTotals[name] = { minified: Buffer.byteLength(withRxjs), gzip: gzipSync(withRxjs, { level: 9 }).length };
  const whole = (await bundle(name, [])).code;
  wholeApps[name] = { minified: Buffer.byteLength(whole), gzip: gzipSync(whole, { level: 9 }).length };

  const inputs = Object.keys(output.inputs);
  for (const { input, reason } of badInputs(inputs, ['core', ...ownPatterns, ...(bare ?? [])])) fail(`${input}: ${reason}`);
  for (const { input, reason } of unusedFeatureInputs(sources, features)) fail(`${input}: ${reason}`);
  for (const feature of features) {
    if (!unusedFeatureInputs(sources, []).some((b) => b.reason.startsWith(feature))) fail(`holds no ${feature} code: did the fixture use it at all?`);
  }
  if (!bare && !sources.some((s) => /^packages\/[^/]+\/src\//.test(s))) fail('its source map names no @kubemq/* source file: do the packages ship their source maps?');
  const kubemqInputs = inputs.filter((i) => i.startsWith('packages/'));
  const foreign = foreignMethodNames(patternMethods, ownPatterns, coreMethods);
  for (const method of findMethodLiterals(code, foreign)) fail(`contains the foreign method /kubemq.kubemq/${method}`);
  for (const p of ownPatterns) {
    const own = patternMethods[p].filter((m) => !coreMethods.includes(m));
    if (findMethodLiterals(code, own).length === 0) fail(`holds none of @kubemq/${p}'s own methods: did the fixture use the package at all?`);
  }
  // A package import that esbuild drops as side-effect free is a bug inside the package (code
  // that relied on import-time effects). A bare fixture's own imports are the one expected case:
  // their warnings prove "sideEffects": false is honoured.
  let ownBareImportsDropped = 0;
  for (const w of warnings) {
    const at = w.location?.file ?? '';
    if (w.id === 'ignored-bare-import' && bare && at.endsWith(`fixtures/${name}.ts`)) ownBareImportsDropped++;
    else if (w.id === 'ignored-bare-import') fail(`esbuild dropped a bare import in ${at}: ${w.text}`);
    else console.log(`  note: ${name}: esbuild warning ${w.id} at ${at}: ${w.text}`);
  }
  if (bare) {
    if (ownBareImportsDropped !== bare.length) {
      fail(`esbuild dropped ${ownBareImportsDropped} of the ${bare.length} bare imports: is "sideEffects": false still set on ${bare.map((b) => `@kubemq/${b}`).join(', ')}?`);
    }
    const kept = kubemqInputs.filter((i) => output.inputs[i].bytesInOutput > 0);
    if (kept.length) fail(`a bare import keeps code from ${kept.join(', ')} (an import-time side effect?)`);
  } else if (kubemqInputs.length === 0) {
    fail('bundled no @kubemq/* file from packages/*/dist/esm: is the workspace linked and built?');
  }
}

const rows = compareBudgets(measured, JSON.parse(readFileSync(budgetsFile, 'utf8')));
if (process.argv.includes('--update-budgets')) {
  writeFileSync(budgetsFile, JSON.stringify(budgetsFrom(measured), null, 2) + '\n');
  console.log(`wrote ${budgetsFile}`);
}
console.log('fixture            minified (budget)          gzip (budget)              with rxjs bundled: min / gzip   whole app (all bundled): min / gzip');
for (const [name, sizes] of Object.entries(measured)) {
  const cell = (metric) => {
    const row = rows.find((r) => r.fixture === name && r.metric === metric);
    const budget = row.budget === undefined ? 'none' : formatBytes(row.budget);
    return `${row.ok ? ' ' : '!'} ${formatBytes(sizes[metric]).padStart(9)} (${budget})`.padEnd(28);
  };
  const total = `${formatBytes(appTotals[name].minified)} / ${formatBytes(appTotals[name].gzip)}`.padEnd(32);
  const app = `${formatBytes(wholeApps[name].minified)} / ${formatBytes(wholeApps[name].gzip)}`;
  console.log(`${name.padEnd(18)} ${cell('minified')} ${cell('gzip')} ${total} ${app}`);
}
for (const r of rows) {
  if (!r.ok) failures.push(`${r.fixture}: ${r.metric} ${r.size} B over its budget of ${r.budget ?? 'none'} B`);
}
if (failures.length && !process.argv.includes('--update-budgets')) {
  for (const f of failures) console.error(`✗ ${f}`);
  console.error(`tree-shaking: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log('tree-shaking: every fixture holds only its own pattern and fits its budget');
