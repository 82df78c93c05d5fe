import { manifestProblems } from './manifest-rules.mjs';
import { listPackages } from './workspace.mjs';

const entry = (name) => ({
  module: { types: `./dist/node/${name}.d.ts`, default: `./dist/esm/${name}.js` },
  import: { types: `./dist/node/${name}.d.ts`, 'node-addons': `./dist/node/${name}.js`, default: `./dist/esm/${name}.js` },
  require: { types: `./dist/cjs/${name}.d.ts`, default: `./dist/cjs/${name}.js` },
});
/** The shape of the emulator's and the testing package's entries: no Node build. */
const plainEntry = (name) => ({
  import: { types: `./dist/esm/${name}.d.ts`, default: `./dist/esm/${name}.js` },
  require: { types: `./dist/cjs/${name}.d.ts`, default: `./dist/cjs/${name}.js` },
});
const pattern = () => ({
  name: '@kubemq/events',
  version: '1.2.3',
  description: 'events',
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  main: './dist/cjs/index.js',
  module: './dist/esm/index.js',
  types: './dist/cjs/index.d.ts',
  exports: { '.': entry('index'), './package.json': './package.json' },
  files: ['dist', 'README.md'],
  engines: { node: '>=20.4.0' },
  publishConfig: { access: 'public' },
  peerDependencies: { '@kubemq/core': '1.2.3', rxjs: '^7.8.0' },
  devDependencies: { '@kubemq/core': '1.2.3' },
});

describe('manifestProblems', () => {
  it('accepts the SDK shape', () => {
    expect(manifestProblems(pattern(), 'pattern')).toEqual([]);
  });

  it('accepts every package of the workspace as it is', () => {
    for (const p of listPackages()) expect([p.name, manifestProblems(p.manifest, p.role)]).toEqual([p.name, []]);
  });

  it('wants core and rxjs as peers of a pattern, never as dependencies', () => {
    const m = pattern();
    m.dependencies = { '@kubemq/core': '1.2.3', '@grpc/grpc-js': '^1.14.0' };
    delete m.peerDependencies.rxjs;
    const problems = manifestProblems(m, 'pattern').join('\n');
    expect(problems).toMatch(/rxjs as a peerDependency/);
    expect(problems).toMatch(/@kubemq\/core must not be a dependency/);
    expect(problems).toMatch(/must not depend on @grpc\/grpc-js/);
  });

  it('wants types for the CJS branch, types first, and esm/cjs in their folders', () => {
    const m = pattern();
    m.exports['.'] = {
      ...entry('index'),
      import: { default: './dist/esm/index.js', types: './dist/node/index.d.ts' },
      require: { default: './dist/esm/index.js' },
    };
    const problems = manifestProblems(m, 'pattern').join('\n');
    expect(problems).toMatch(/import must list "types", "node-addons", "default", in that order/);
    expect(problems).toMatch(/require.types must be a .d.ts under .\/dist\/cjs\//);
    expect(problems).toMatch(/require.default must be a .js under .\/dist\/cjs\//);
  });

  it('wants the Node build of an SDK package beside its ESM one, and none elsewhere', () => {
    const m = pattern();
    m.exports['.'].import['node-addons'] = './dist/esm/index.js';
    expect(manifestProblems(m, 'pattern').join('\n')).toMatch(/import\["node-addons"\] must be .\/dist\/node\/index.js/);
    const emulator = { ...pattern(), name: '@kubemq/emulator', peerDependencies: {}, devDependencies: {} };
    emulator.exports = { '.': { import: { ...entry('index').import, types: './dist/esm/index.d.ts' }, require: entry('index').require }, './package.json': './package.json' };
    expect(manifestProblems(emulator, 'emulator').join('\n')).toMatch(/import must list "types", "default", in that order/);
    delete emulator.exports['.'].import['node-addons'];
    expect(manifestProblems(emulator, 'emulator')).toEqual([]);
  });

  it('wants an SDK package to list "module" first, naming its import files, so a bundle holds one copy', () => {
    const m = pattern();
    const { module, ...rest } = m.exports['.'];
    m.exports['.'] = { ...rest, module };
    expect(manifestProblems(m, 'pattern').join('\n')).toMatch(/must list exactly "module", "import", "require", in that order \(has import, require, module\)/);
    m.exports['.'] = { ...entry('index'), module: { types: './dist/node/index.d.ts', default: './dist/cjs/index.js' } };
    const problems = manifestProblems(m, 'pattern').join('\n');
    expect(problems).toMatch(/module.default must be a .js under .\/dist\/esm\//);
    expect(problems).toMatch(/module must name the files of exports\["\."\].import/);
    const emulator = { ...pattern(), name: '@kubemq/emulator', peerDependencies: {}, devDependencies: {} };
    emulator.exports = { '.': entry('index'), './package.json': './package.json' };
    expect(manifestProblems(emulator, 'emulator').join('\n')).toMatch(/must list exactly "import", "require", in that order \(has module, import, require\)/);
  });

  it("wants an SDK package's import types beside its Node build, so TypeScript sees one set of declarations", () => {
    const m = pattern();
    m.exports['.'].import.types = './dist/esm/index.d.ts';
    m.exports['.'].module.types = './dist/esm/index.d.ts';
    const problems = manifestProblems(m, 'pattern').join('\n');
    expect(problems).toMatch(/import.types must be a .d.ts under .\/dist\/node\//);
    expect(problems).toMatch(/module.types must be a .d.ts under .\/dist\/node\//);
    m.exports['.'].import.types = './dist/node/other.d.ts';
    expect(manifestProblems(m, 'pattern').join('\n')).toMatch(/import: types and default must be the same module/);
    const emulator = { ...pattern(), name: '@kubemq/emulator', peerDependencies: {}, devDependencies: {} };
    emulator.exports = { '.': plainEntry('index'), './package.json': './package.json' };
    emulator.exports['.'].import.types = './dist/node/index.d.ts';
    expect(manifestProblems(emulator, 'emulator').join('\n')).toMatch(/import.types must be a .d.ts under .\/dist\/esm\//);
  });

  it('wants types and typesVersions to give node10 resolution the CommonJS declarations of every entry', () => {
    const m = { ...pattern(), name: '@kubemq/testing', peerDependencies: {}, devDependencies: {} };
    m.exports = { '.': plainEntry('index'), './jest': plainEntry('jest/index'), './package.json': './package.json' };
    m.types = './dist/esm/index.d.ts';
    let problems = manifestProblems(m, 'testing').join('\n');
    expect(problems).toMatch(/types must be .\/dist\/cjs\/index.d.ts/);
    expect(problems).toMatch(/typesVersions must be {"\*":{"jest":\[".\/dist\/cjs\/jest\/index.d.ts"\]}}/);
    m.types = './dist/cjs/index.d.ts';
    m.typesVersions = { '*': { jest: ['./dist/cjs/jest/index.d.ts'] } };
    expect(manifestProblems(m, 'testing')).toEqual([]);
    m.typesVersions = { '>=5': m.typesVersions['*'] };
    expect(manifestProblems(m, 'testing').join('\n')).toMatch(/typesVersions must be/);
    const single = pattern();
    single.typesVersions = { '*': {} };
    expect(manifestProblems(single, 'pattern')).toEqual(['typesVersions is for subpath exports, and this package has none']);
  });

  it('wants sideEffects false, engines, files, public access, and no private flag', () => {
    const m = { ...pattern(), sideEffects: true, private: true, engines: undefined, files: ['src'], publishConfig: undefined };
    expect(manifestProblems(m, 'pattern')).toEqual(
      expect.arrayContaining([
        '"sideEffects" must be false',
        '"private": true would block publishing',
        'engines.node must be ">=20.4.0"',
        '"files" must include "dist"',
        'publishConfig.access must be "public" (a scoped package is private by default)',
      ]),
    );
  });

  it('wants core to export ./internal and never to depend on a pattern', () => {
    const m = { ...pattern(), name: '@kubemq/core', peerDependencies: { rxjs: '^7.8.0' }, devDependencies: {} };
    m.dependencies = { '@grpc/grpc-js': '^1.14.0', '@kubemq/events': '1.2.3' };
    const problems = manifestProblems(m, 'core').join('\n');
    expect(problems).toMatch(/export "\.\/internal"/);
    expect(problems).toMatch(/core must not depend on @kubemq\/events/);
  });

  it('rejects workspace protocols that npm cannot publish', () => {
    const m = pattern();
    m.devDependencies['@kubemq/core'] = 'workspace:*';
    expect(manifestProblems(m, 'pattern')).toContain('devDependencies.@kubemq/core must be a publishable range (is "workspace:*")');
  });
});
