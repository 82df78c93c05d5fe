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
//   5. one more app installs every runtime package (and @opentelemetry/api, for the
//      @kubemq/core/opentelemetry types) plus the workspace's typescript and compiles
//      a consumer as ESM (.mts) and CJS (.cts) with module node16 and skipLibCheck false
//   --keep   leave the temp dir for a look
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackages, workspaceRoot } from '../packaging/workspace.mjs';
import { APP_FILES, findCopies, renderApp, SCENARIOS, TYPES_APP } from './scenarios.mjs';

const keep = process.argv.includes('--keep');
const started = Date.now();

function run(cmd, args, { cwd, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
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

/** Installs core + every pattern + typescript and compiles TYPES_APP. */
async function typeCheckApp(tarballs) {
  const app = join(tmp, 'app-types');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-types', version: '0.0.0', private: true }, null, 2) + '\n');
  for (const [file, text] of Object.entries(TYPES_APP)) writeFileSync(join(app, file), text);
  const root = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8'));
  const runtime = packages.filter((p) => p.role === 'core' || p.role === 'pattern').map((p) => tarballs[p.name]);
  const rxjsRange = packages.find((p) => p.role === 'core').manifest.peerDependencies.rxjs;
  const install = await run(npm, [
    'install', '--no-audit', '--no-fund', '--loglevel=error', ...runtime, `rxjs@${rxjsRange}`,
    `typescript@${root.devDependencies.typescript}`, `@types/node@${root.devDependencies['@types/node']}`,
    // The optional peer, so the @kubemq/core/opentelemetry types compile too.
    `@opentelemetry/api@${packages.find((p) => p.role === 'core').manifest.peerDependencies['@opentelemetry/api']}`,
  ], { cwd: app });
  if (install.code !== 0) return { name: 'types', problems: [`npm install failed:\n${install.out}`] };
  const tsc = await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, timeoutMs: 120_000 });
  return { name: 'types', problems: tsc.code === 0 ? [] : [`tsc failed:\n${tsc.out}`] };
}

let failed = 0;
try {
  const packed = await run(npm, ['pack', '--json', '--pack-destination', tarballDir, ...packages.map((p) => p.dir)], { cwd: tmp });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.out}`);
  const tarballs = Object.fromEntries(JSON.parse(packed.out.slice(packed.out.indexOf('['))).map((t) => [t.name, join(tarballDir, t.filename)]));
  console.log(`packed ${Object.keys(tarballs).length} packages (${secs()})`);

  const core = packages.find((p) => p.role === 'core');
  const typesResult = typeCheckApp(tarballs);
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
  results.push(await typesResult);
  for (const { name, problems } of results) {
    const what = name === 'types'
      ? 'core + every pattern with typescript: app.mts and app.cts compile (node16, skipLibCheck false)'
      : `@kubemq/core@${core.manifest.version} + ${SCENARIOS[name].packageName}: install from tarballs, one core, one rxjs, no @opentelemetry/api, round trips through ESM, CJS and mixed`;
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
console.log(failed ? `consumer-test: ${failed} failure(s) (${secs()})` : `consumer-test: every pattern installs and runs from its tarball: ESM, CJS and mixed; the types compile (${secs()})`);
process.exit(failed ? 1 : 0);
