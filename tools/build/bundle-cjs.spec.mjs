// bundle-cjs.mjs and node-entries.mjs on a small package shaped like core: two entries that share a
// class, and a third that needs an optional peer. The builds must keep one copy of the class
// across all three entries, whether they are required or imported, and refuse to bundle a second.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleCjs } from './bundle-cjs.mjs';
import { writeNodeEntries } from './node-entries.mjs';

const entry = (path) => ({
  module: { types: `./dist/node/${path}.d.ts`, default: `./dist/esm/${path}.js` },
  import: { types: `./dist/node/${path}.d.ts`, 'node-addons': `./dist/node/${path}.js`, default: `./dist/esm/${path}.js` },
  require: { types: `./dist/cjs/${path}.d.ts`, default: `./dist/cjs/${path}.js` },
});

const MANIFEST = {
  name: '@fake/core',
  type: 'module',
  exports: { '.': entry('index'), './internal': entry('internal/index'), './extra': entry('extra/index'), './package.json': './package.json' },
  peerDependencies: { 'optional-peer': '*' },
  peerDependenciesMeta: { 'optional-peer': { optional: true } },
};

const dirs = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A package directory with tsc-like ESM output under dist/esm and an empty dist/cjs (removed after the tests). */
function fakePackage(files) {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-cjs-'));
  dirs.push(dir);
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('package.json', JSON.stringify(MANIFEST));
  write('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }));
  write('node_modules/optional-peer/package.json', JSON.stringify({ name: 'optional-peer', main: 'index.js' }));
  write('node_modules/optional-peer/index.js', 'exports.answer = 42;\n');
  for (const [path, text] of Object.entries(files)) write(`dist/esm/${path}`, text);
  // tsc's CommonJS declarations (the bundles replace only its .js files).
  write('dist/cjs/index.d.ts', '/**\n * The fake core.\n *\n * @packageDocumentation\n */\nexport declare class Thing {}\nexport declare const VERSION = 1;\n');
  write('dist/cjs/internal/index.d.ts', "import { Thing } from '../thing';\nexport declare function makeThing(): Thing;\n");
  write('dist/cjs/extra/index.d.ts', 'export declare const ANSWER: number;\n');
  return dir;
}

const SHARED_CLASS = {
  'thing.js': 'export class Thing {}\n',
  'index.js': "export { Thing } from './thing.js';\nexport const VERSION = 1;\n",
  'internal/index.js': "import { Thing } from '../thing.js';\nexport function makeThing() { return new Thing(); }\n",
  'extra/index.js': "import { Thing } from '../thing.js';\nimport { answer } from 'optional-peer';\nexport function extraThing() { return new Thing(); }\nexport const ANSWER = answer;\n",
};

const bundle = (dir) => bundleCjs(join(dir, 'dist/esm'), join(dir, 'dist/cjs'), MANIFEST);

const run = (dir, file, code) => execFileSync(process.execPath, [file.endsWith('.mjs') ? '--input-type=module' : '--input-type=commonjs', '-e', code], { cwd: dir }).toString().trim();

describe('bundle-cjs and node-entries', () => {
  it('keeps one class across the entries, through require() and through the Node entries', async () => {
    const dir = fakePackage(SHARED_CLASS);
    await bundle(dir);
    writeNodeEntries(join(dir, 'dist'), MANIFEST);

    const required = run(
      dir,
      'app.cjs',
      `const core = require('./dist/cjs/index.js'); const internal = require('./dist/cjs/internal/index.js'); const extra = require('./dist/cjs/extra/index.js');
       const plain = (m, name) => typeof Object.getOwnPropertyDescriptor(m, name).value;
       console.log(JSON.stringify([internal.makeThing() instanceof core.Thing, extra.extraThing() instanceof core.Thing, extra.ANSWER, Object.keys(core).sort(), plain(core, 'Thing'), plain(internal, 'makeThing')]));`,
    );
    // The entries that re-export from the shared file hold plain values, not getters (hot paths call through them).
    expect(JSON.parse(required)).toEqual([true, true, 42, ['Thing', 'VERSION'], 'function', 'function']);

    const imported = run(
      dir,
      'app.mjs',
      `const core = await import('./dist/node/index.js'); const internal = await import('./dist/node/internal/index.js'); const extra = await import('./dist/node/extra/index.js');
       const cjs = (await import('node:module')).createRequire(process.cwd() + '/x.cjs')('./dist/cjs/index.js');
       console.log(JSON.stringify([internal.makeThing() instanceof core.Thing, extra.extraThing() instanceof core.Thing, core.Thing === cjs.Thing, Object.keys(internal)]));`,
    );
    expect(JSON.parse(imported)).toEqual([true, true, true, ['makeThing']]);
  });

  it("gives each Node entry a .d.ts that re-exports the CommonJS declarations (one set for import and require), with the entry's package doc", async () => {
    const dir = fakePackage(SHARED_CLASS);
    await bundle(dir);
    writeNodeEntries(join(dir, 'dist'), MANIFEST);
    const root = readFileSync(join(dir, 'dist/node/index.d.ts'), 'utf8');
    expect(root).toContain('export * from "../cjs/index.js";');
    expect(root).toContain('@packageDocumentation');
    const internal = readFileSync(join(dir, 'dist/node/internal/index.d.ts'), 'utf8');
    expect(internal).toContain('export * from "../../cjs/internal/index.js";');
    expect(internal).not.toContain('@packageDocumentation');
  });

  it('refuses an exports map whose import types are not beside the Node entry', async () => {
    const dir = fakePackage(SHARED_CLASS);
    await bundle(dir);
    const manifest = { ...MANIFEST, exports: { ...MANIFEST.exports, '.': { ...entry('index'), import: { ...entry('index').import, types: './dist/esm/index.d.ts' } } } };
    expect(() => writeNodeEntries(join(dir, 'dist'), manifest)).toThrow('exports["."].import.types must be ./dist/node/index.d.ts');
  });

  it('refuses to bundle a second copy of a class into the entry that stands alone', async () => {
    const dir = fakePackage({
      ...SHARED_CLASS,
      'hidden.js': 'export class Hidden {}\n',
      'extra/index.js': "import { Hidden } from '../hidden.js';\nimport { answer } from 'optional-peer';\nexport const made = () => new Hidden();\nexport const ANSWER = answer;\n",
    });
    await expect(bundle(dir)).rejects.toThrow(/declares a class/);
  });

  it('bundles a plain helper the shared file does not export into that entry', async () => {
    const dir = fakePackage({
      ...SHARED_CLASS,
      'text.js': 'export const shout = (s) => s.toUpperCase();\n',
      'extra/index.js': "import { shout } from '../text.js';\nimport { answer } from 'optional-peer';\nexport const loud = shout('ok');\nexport const ANSWER = answer;\n",
    });
    await bundle(dir);
    expect(run(dir, 'app.cjs', "console.log(require('./dist/cjs/extra/index.js').loud)")).toBe('OK');
  });
});
