import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EMULATOR_READY_LINE, commandFor, locateEmulatorCli } from './emulator.js';

describe('locateEmulatorCli', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'locate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('KUBEMQ_EMULATOR_BIN wins, resolved against the cwd', () => {
    writeFileSync(join(dir, 'cli.js'), '');
    expect(locateEmulatorCli({ KUBEMQ_EMULATOR_BIN: 'cli.js' }, dir)).toBe(join(dir, 'cli.js'));
    expect(() => locateEmulatorCli({ KUBEMQ_EMULATOR_BIN: 'missing.js' }, dir)).toThrow('KUBEMQ_EMULATOR_BIN=missing.js: no such file');
  });

  it('finds @kubemq/emulator from the cwd, and says when it is installed but not built', () => {
    // (a fresh dir for each case: jest's resolver caches what it did not find)
    const empty = mkdtempSync(join(tmpdir(), 'locate-empty-'));
    expect(() => locateEmulatorCli({}, empty, [])).toThrow(/cannot find the emulator's CLI[\s\S]*not installed/);
    rmSync(empty, { recursive: true, force: true });
    const pkg = join(dir, 'node_modules', '@kubemq', 'emulator');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@kubemq/emulator', exports: { './package.json': './package.json' } }));
    expect(() => locateEmulatorCli({}, dir, [])).toThrow(/not built: run `npx nx run emulator:build`/);
    mkdirSync(join(pkg, 'dist', 'esm', 'cli'), { recursive: true });
    writeFileSync(join(pkg, 'dist', 'esm', 'cli', 'main.js'), '');
    expect(locateEmulatorCli({}, dir, [])).toBe(join(pkg, 'dist', 'esm', 'cli', 'main.js'));
  });
});

describe('locateEmulatorCli from an ES module', () => {
  it('finds the emulator from our own location when the cwd knows neither package (no __filename there)', () => {
    const script = `import { locateEmulatorCli } from ${JSON.stringify(join(__dirname, 'emulator.ts'))};
      try { console.log(locateEmulatorCli({}, '/')); } catch (err) { console.log(err.message); }`;
    const tsx = pathToFileURL(require.resolve('tsx')).href; // from '/', 'tsx' would not resolve
    const run = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { cwd: '/', encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    // Built, its CLI; not built, the advice to build it: either way @kubemq/emulator was found.
    expect(run.stdout).toMatch(/emulator[\\/]dist[\\/]esm[\\/]cli[\\/]main\.js/);
  });
});

describe('commandFor', () => {
  it('runs JavaScript with node and anything else directly', () => {
    expect(commandFor('/x/main.js', ['--port', '1'])).toEqual({ command: process.execPath, args: ['/x/main.js', '--port', '1'] });
    expect(commandFor('/x/kubemq', ['server'])).toEqual({ command: '/x/kubemq', args: ['server'] });
  });
});

describe('EMULATOR_READY_LINE', () => {
  it("matches the CLI's ready line", () => {
    expect(EMULATOR_READY_LINE.test('kubemq-emulator listening on 127.0.0.1:50000')).toBe(true);
    expect(EMULATOR_READY_LINE.test('kubemq emulator starting')).toBe(false);
  });
});
