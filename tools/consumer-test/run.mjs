#!/usr/bin/env node
// npm run consumer-test — installs the packed packages the way a user would, outside the
// workspace. Builds nothing: run `npx nx run-many -t build` first.
//   1. `npm pack` every package once into a temp dir
//   2. per pattern (in parallel): a fresh app in os.tmpdir() that installs only @kubemq/core,
//      that pattern, @kubemq/emulator (tarballs) and rxjs (registry), with their third-party
//      dependencies from the registry
//   3. `npm ls --all` (peer ranges satisfied), exactly one @kubemq/core and one rxjs installed,
//      and no @opentelemetry/api (an optional peer: the apps must run without it)
//   4. the app runs through ESM (.mjs) and through CJS (.cjs): an in-process emulator from the
//      installed tarball, one round trip of the pattern, and a ValidationError that is core's class;
//      then mixed (ESM app, pattern through require(): still one core in memory, since Node's
//      ES entry points of the SDK packages re-export their CommonJS bundles)
//   5. one more app installs every package (and @opentelemetry/api, for the
//      @kubemq/core/opentelemetry types) plus the workspace's typescript and compiles, with
//      skipLibCheck false, a consumer as ESM (.mts) and CJS (.cts) under node16 and nodenext (and
//      a client made in the one handed to patterns of the other), and as .ts under bundler and
//      node10, where every subpath entry must resolve too; and one more under exactOptionalPropertyTypes,
//      where every optional field of an input type must take `undefined`
//   6. a bundled app: an ES module importing core and every pattern and a CommonJS module
//      require()ing them, bundled by esbuild (the workspace's) and by webpack 5 (from the
//      registry), holds one copy of each: no file of a dist/cjs or dist/node in the bundle, the
//      same values both ways, errors instanceof across them, one round trip with the emulator
//   --keep   leave the temp dir for a look
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { listPackages, workspaceRoot } from '../packaging/workspace.mjs';
import { APP_FILES, BUNDLE_APP, findCopies, renderApp, SCENARIOS, SECOND_COPY, TYPES_APP, TYPES_CONFIGS } from './scenarios.mjs';

const keep = process.argv.includes('--keep');
const started = Date.now();

function run(cmd, args, { cwd, timeoutMs = 180_000, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.trim() });
    });
  });
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const packages = listPackages();
const missing = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
if (missing.length) {
  console.error(`not built: ${missing.map((p) => p.name).join(', ')}; run \`npx nx run-many -t build\` first`);
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'kubemq-consumer-'));
if (tmp.startsWith(workspaceRoot)) throw new Error(`${tmp} is inside the workspace`);
const tarballDir = join(tmp, 'tarballs');
mkdirSync(tarballDir);

/** Installs every package + typescript and compiles TYPES_APP under each of TYPES_CONFIGS. */
async function typeCheckApp(tarballs) {
  const app = join(tmp, 'app-types');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-types', version: '0.0.0', private: true }, null, 2) + '\n');
  for (const [file, text] of Object.entries(TYPES_APP)) writeFileSync(join(app, file), text);
  const root = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8'));
  const rxjsRange = packages.find((p) => p.role === 'core').manifest.peerDependencies.rxjs;
  const install = await run(npm, [
    'install', '--no-audit', '--no-fund', '--loglevel=error', ...packages.map((p) => tarballs[p.name]), `rxjs@${rxjsRange}`,
    `typescript@${root.devDependencies.typescript}`, `@types/node@${root.devDependencies['@types/node']}`,
    // The optional peer, so the @kubemq/core/opentelemetry types compile too.
    `@opentelemetry/api@${packages.find((p) => p.role === 'core').manifest.peerDependencies['@opentelemetry/api']}`,
  ], { cwd: app });
  if (install.code !== 0) return { name: 'types', problems: [`npm install failed:\n${install.out}`] };
  const problems = [];
  for (const [config, what] of Object.entries(TYPES_CONFIGS)) {
    const tsc = await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: app, timeoutMs: 120_000 });
    if (tsc.code !== 0) problems.push(`tsc -p ${config} (${what}) failed:\n${tsc.out}`);
  }
  return { name: 'types', problems };
}

/** The webpack the bundled app installs from the registry. */
const WEBPACK = 'webpack@^5.100.0';

/** Installs core + every pattern + the emulator + webpack, bundles BUNDLE_APP both ways and runs the bundles. */
async function bundleApp(tarballs) {
  const app = join(tmp, 'app-bundle');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-bundle', version: '0.0.0', private: true }, null, 2) + '\n');
  for (const [file, text] of Object.entries(BUNDLE_APP)) writeFileSync(join(app, file), text);
  const sdk = packages.filter((p) => p.role === 'core' || p.role === 'pattern' || p.role === 'emulator').map((p) => tarballs[p.name]);
  const rxjsRange = packages.find((p) => p.role === 'core').manifest.peerDependencies.rxjs;
  const install = await run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...sdk, `rxjs@${rxjsRange}`, WEBPACK], { cwd: app });
  if (install.code !== 0) return { name: 'bundle', problems: [`npm install failed:\n${install.out}`] };
  const problems = [];
  const bundles = [];
  const secondCopies = (files) => [...new Set(files.filter((f) => SECOND_COPY.test(f)).map((f) => relative(app, f)))];
  try {
    const result = await build({ absWorkingDir: app, entryPoints: ['app.mjs'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: 'out/esbuild.cjs', metafile: true, logLevel: 'silent' });
    const copies = secondCopies(Object.keys(result.metafile.inputs).map((f) => join(app, f)));
    if (copies.length) problems.push(`esbuild bundled a second copy: ${copies.join(', ')}`);
    bundles.push('out/esbuild.cjs');
  } catch (e) {
    problems.push(`esbuild failed: ${e instanceof Error ? e.message : e}`);
  }
  const webpack = createRequire(join(app, 'package.json'))('webpack');
  const stats = await new Promise((resolve, reject) =>
    webpack({ mode: 'production', target: 'node20', context: app, entry: './app.mjs', output: { path: join(app, 'out'), filename: 'webpack.cjs' }, optimization: { minimize: false } }, (err, s) => (err ? reject(err) : resolve(s))),
  ).catch((e) => e);
  if (stats instanceof Error || stats.hasErrors()) {
    problems.push(`webpack failed: ${stats instanceof Error ? stats.message : stats.toString({ all: false, errors: true })}`);
  } else {
    const copies = secondCopies([...stats.compilation.fileDependencies]);
    if (copies.length) problems.push(`webpack bundled a second copy: ${copies.join(', ')}`);
    bundles.push('out/webpack.cjs');
  }
  const { KubemqEmulator } = createRequire(join(app, 'package.json'))('@kubemq/emulator');
  const emulator = await KubemqEmulator.start({ port: 0 });
  try {
    for (const bundle of bundles) {
      const r = await run(process.execPath, [bundle], { cwd: app, timeoutMs: 60_000, env: { KUBEMQ_ADDRESS: emulator.address } });
      if (r.code !== 0 || !r.out.includes('ok bundle')) problems.push(`${bundle} failed (exit ${r.code}):\n${r.out}`);
    }
  } finally {
    await emulator.stop();
  }
  return { name: 'bundle', problems };
}

let failed = 0;
try {
  const packed = await run(npm, ['pack', '--json', '--pack-destination', tarballDir, ...packages.map((p) => p.dir)], { cwd: tmp });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.out}`);
  const tarballs = Object.fromEntries(JSON.parse(packed.out.slice(packed.out.indexOf('['))).map((t) => [t.name, join(tarballDir, t.filename)]));
  console.log(`packed ${Object.keys(tarballs).length} packages (${secs()})`);

  const core = packages.find((p) => p.role === 'core');
  const typesResult = typeCheckApp(tarballs);
  const bundleResult = bundleApp(tarballs);
  const results = await Promise.all(
    Object.entries(SCENARIOS).map(async ([name, scenario]) => {
      const problems = [];
      const app = join(tmp, `app-${name}`);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `consumer-${name}`, version: '0.0.0', private: true }, null, 2) + '\n');
      const pattern = packages.find((p) => p.name === scenario.packageName);
      const rxjsRange = pattern.manifest.peerDependencies.rxjs;
      const install = await run(
        npm,
        ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs['@kubemq/core'], tarballs[scenario.packageName], tarballs['@kubemq/emulator'], `rxjs@${rxjsRange}`],
        { cwd: app },
      );
      if (install.code !== 0) return { name, problems: [`npm install failed:\n${install.out}`] };
      const ls = await run(npm, ['ls', '--all'], { cwd: app, timeoutMs: 60_000 });
      if (ls.code !== 0) problems.push(`npm ls --all reports a problem (unmet peer?):\n${ls.out}`);
      for (const dep of ['@kubemq/core', 'rxjs']) {
        const copies = findCopies(app, dep);
        if (copies.length !== 1) problems.push(`${copies.length} copies of ${dep}: ${copies.join(', ')}`);
      }
      if (findCopies(app, '@kubemq/testing').length) problems.push('@kubemq/testing got installed: nothing may depend on it');
      // The app runs without the optional peer: nothing but @kubemq/core/opentelemetry needs it.
      if (findCopies(app, '@opentelemetry/api').length) problems.push('@opentelemetry/api got installed: it must stay an optional peer');
      for (const other of Object.values(SCENARIOS)) {
        if (other.packageName !== scenario.packageName && findCopies(app, other.packageName).length) problems.push(`${other.packageName} got installed too`);
      }
      for (const [format, file] of Object.entries(APP_FILES)) {
        writeFileSync(join(app, file), renderApp(name, format));
        const r = await run(process.execPath, [file], { cwd: app, timeoutMs: 60_000 });
        if (r.code !== 0 || !r.out.includes(`ok ${name} ${format}`)) problems.push(`${format.toUpperCase()} app failed (exit ${r.code}):\n${r.out}`);
      }
      return { name, problems };
    }),
  );
  results.push(await typesResult, await bundleResult);
  for (const { name, problems } of results) {
    const what = {
      types: 'every package with typescript, skipLibCheck false: .mts and .cts under node16 and nodenext (a client made in one passes to the other), .ts under bundler and node10 (every subpath entry), every input type under exactOptionalPropertyTypes',
      bundle: 'core + every pattern bundled by esbuild and by webpack 5 from an ES module that imports and a CommonJS module that require()s them: one copy, instanceof across them, a round trip',
    }[name] ?? `@kubemq/core@${core.manifest.version} + ${SCENARIOS[name].packageName}: install from tarballs, one core, one rxjs, no @opentelemetry/api, round trips through ESM, CJS and mixed`;
    console.log(`${problems.length ? '✗' : '✓'} ${what}`);
    for (const p of problems) console.log(`    ${p.replace(/\n/g, '\n    ')}`);
    if (problems.length) failed++;
  }
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  failed++;
} finally {
  if (keep) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
console.log(failed ? `consumer-test: ${failed} failure(s) (${secs()})` : `consumer-test: every pattern installs and runs from its tarball: ESM, CJS and mixed, and bundled; the types compile (${secs()})`);
process.exit(failed ? 1 : 0);
