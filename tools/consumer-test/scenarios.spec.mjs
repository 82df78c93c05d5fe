import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_FILES, findCopies, renderApp, SCENARIOS, TYPES_APP } from './scenarios.mjs';

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
  it('compiles one consumer as ESM and as CJS, checking the shipped .d.ts files too', () => {
    const config = JSON.parse(TYPES_APP['tsconfig.json']);
    expect(config.files).toEqual(['app.mts', 'app.cts']);
    expect(config.compilerOptions).toMatchObject({ module: 'node16', moduleResolution: 'node16', skipLibCheck: false, strict: true });
    for (const s of Object.values(SCENARIOS)) expect(TYPES_APP['app.mts']).toContain(`from '${s.packageName}'`);
  });
});
