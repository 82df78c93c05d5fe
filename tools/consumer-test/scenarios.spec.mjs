import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackages } from '../packaging/workspace.mjs';
import { APP_FILES, BUNDLE_APP, findCopies, renderApp, SCENARIOS, SECOND_COPY, TYPES_APP, TYPES_CONFIGS } from './scenarios.mjs';

describe('findCopies', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'find-copies-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const put = (path, name) => {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'package.json'), JSON.stringify({ name }));
  };

  it('finds a hoisted copy and a nested one', () => {
    put('node_modules/@kubemq/core', '@kubemq/core');
    put('node_modules/@kubemq/events', '@kubemq/events');
    put('node_modules/@kubemq/events/node_modules/@kubemq/core', '@kubemq/core');
    put('node_modules/rxjs', 'rxjs');
    expect(findCopies(dir, '@kubemq/core').map((p) => p.slice(dir.length))).toEqual([
      '/node_modules/@kubemq/core',
      '/node_modules/@kubemq/events/node_modules/@kubemq/core',
    ]);
    expect(findCopies(dir, 'rxjs')).toHaveLength(1);
    expect(findCopies(dir, '@kubemq/queues')).toHaveLength(0);
  });
});

describe('renderApp', () => {
  it.each(Object.keys(SCENARIOS).flatMap((name) => Object.keys(APP_FILES).map((format) => [name, format])))('%s (%s) is valid JavaScript', (name, format) => {
    const dir = mkdtempSync(join(tmpdir(), 'render-app-'));
    try {
      const file = join(dir, APP_FILES[format]);
      const source = renderApp(name, format);
      writeFileSync(file, source);
      const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(source).toContain(SCENARIOS[name].packageName);
      expect(source).toContain(format === 'cjs' ? "require('@kubemq/core')" : "from '@kubemq/core'");
      if (format === 'mixed') expect(source).toContain(`createRequire(import.meta.url)('${SCENARIOS[name].packageName}')`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown pattern or format', () => {
    expect(() => renderApp('nope', 'esm')).toThrow(/unknown pattern/);
    expect(() => renderApp('events', 'umd')).toThrow(/unknown format/);
  });
});

describe('TYPES_APP', () => {
  const config = (file) => JSON.parse(TYPES_APP[file]);

  it('has a tsconfig for each resolution it claims, each checking the shipped .d.ts files', () => {
    expect(Object.keys(TYPES_CONFIGS).every((file) => file in TYPES_APP)).toBe(true);
    expect(Object.keys(TYPES_CONFIGS).map((file) => config(file).compilerOptions.moduleResolution)).toEqual(['node16', 'nodenext', 'bundler', 'node10', 'node10', 'bundler']);
    for (const file of Object.keys(TYPES_CONFIGS).filter((f) => !f.includes('subpaths'))) {
      expect(config(file).compilerOptions).toMatchObject({ skipLibCheck: false, strict: true });
      for (const listed of config(file).files) expect(TYPES_APP).toHaveProperty([listed]);
    }
  });

  it('compiles one consumer as ESM and as CJS, and hands a client between them, under node16 and nodenext', () => {
    for (const file of ['tsconfig.node16.json', 'tsconfig.nodenext.json']) expect(config(file).files).toEqual(['app.mts', 'app.cts', 'dual.mts', 'dual-lib.cts']);
    for (const s of Object.values(SCENARIOS)) expect(TYPES_APP['app.mts']).toContain(`from '${s.packageName}'`);
    expect(TYPES_APP['dual.mts']).toContain("from './dual-lib.cjs'");
    expect(TYPES_APP['dual-lib.cts']).toContain('makeClient(): Promise<KubemqClient>');
  });

  it('checks under exactOptionalPropertyTypes every options and subscription type the packages export', () => {
    expect(config('tsconfig.exact-optional.json').compilerOptions).toMatchObject({ exactOptionalPropertyTypes: true, skipLibCheck: false });
    const barrels = listPackages()
      .flatMap((p) => ['index.ts', 'opentelemetry/index.ts', 'jest/index.ts'].map((entry) => join(p.dir, 'src', entry)))
      .filter((f) => existsSync(f));
    // Input types are named …Options or …Subscription by the API conventions.
    const names = barrels.flatMap((f) => [...readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/\b[A-Z]\w*(?:Options|Subscription)\b/g)].map((m) => m[0]));
    expect(names.length).toBeGreaterThan(20);
    expect([...new Set(names)].filter((name) => !new RegExp(`acceptsUndefined<${name}\\b`).test(TYPES_APP['exact-optional.ts']))).toEqual([]);
  });

  it('imports every subpath entry of every package under node10', () => {
    for (const p of listPackages()) {
      for (const key of Object.keys(p.manifest.exports).filter((k) => k !== '.' && k !== './package.json')) {
        expect([p.name + key.slice(1), TYPES_APP['subpaths.ts'].includes(`from '${p.name}${key.slice(1)}'`)]).toEqual([p.name + key.slice(1), true]);
      }
    }
  });
});

describe('BUNDLE_APP', () => {
  it('is an ES module and a CommonJS module taking core and every pattern, both valid JavaScript', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-app-'));
    try {
      for (const [file, text] of Object.entries(BUNDLE_APP)) {
        writeFileSync(join(dir, file), text);
        expect(spawnSync(process.execPath, ['--check', join(dir, file)], { encoding: 'utf8' }).stderr).toBe('');
      }
      for (const name of ['@kubemq/core', '@kubemq/core/internal', ...Object.values(SCENARIOS).map((s) => s.packageName)]) {
        expect(BUNDLE_APP['app.mjs']).toContain(`from '${name}'`);
        expect(BUNDLE_APP['lib.cjs']).toContain(`require('${name}')`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a file of a CommonJS or Node build as a second copy, and the ESM build as none', () => {
    expect(SECOND_COPY.test('node_modules/@kubemq/core/dist/cjs/shared.js')).toBe(true);
    expect(SECOND_COPY.test('C:\\app\\node_modules\\@kubemq\\events\\dist\\node\\index.js')).toBe(true);
    expect(SECOND_COPY.test('node_modules/@kubemq/core/dist/esm/chunks/chunk-1.js')).toBe(false);
  });
});
