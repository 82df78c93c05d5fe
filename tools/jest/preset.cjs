// Shared jest settings for every package. ts-jest transpiles each file on its own
// (isolatedModules): type errors are the `typecheck` target's job, not the test run's.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const base = require('../../tsconfig.base.json');

const workspaceRoot = resolve(__dirname, '../..');

/** `@kubemq/*` imports resolve to sources, so tests never need a prior build of siblings. */
function workspaceModuleMapper() {
  const mapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
  for (const [name, [target]] of Object.entries(base.compilerOptions.paths)) {
    mapper[`^${name.replace(/[/.-]/g, (c) => `\\${c}`)}$`] = join(workspaceRoot, target);
  }
  return mapper;
}

/** A package is named by its package.json; an Nx project without one by its project.json. */
function projectName(projectDir) {
  const manifest = existsSync(join(projectDir, 'package.json')) ? 'package.json' : 'project.json';
  return require(join(projectDir, manifest)).name;
}

/**
 * @param {string} projectDir the project folder (pass __dirname)
 * @param {'unit' | 'integration' | 'conformance'} kind
 */
function jestConfig(projectDir, kind) {
  const testMatch = {
    unit: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/component/**/*.spec.ts'],
    integration: ['<rootDir>/test/integration/**/*.integration.spec.ts'],
    // The conformance suite is its own project (packages/emulator/test/conformance): every spec in it.
    conformance: ['<rootDir>/**/*.spec.ts'],
  }[kind];
  // The broker hooks load from @kubemq/testing's build (jest resolves globalSetup with Node's own
  // resolver, not moduleNameMapper); the integration targets build it first.
  const broker = kind === 'unit' ? {} : {
    globalSetup: join(workspaceRoot, 'packages/testing/dist/cjs/jest/global-setup.js'),
    globalTeardown: join(workspaceRoot, 'packages/testing/dist/cjs/jest/global-teardown.js'),
  };
  const name = projectName(projectDir);
  return {
    displayName: name === kind ? name : `${name} ${kind}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch,
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: join(projectDir, 'tsconfig.spec.json') }],
    },
    moduleNameMapper: workspaceModuleMapper(),
    testTimeout: kind === 'unit' ? 10_000 : 60_000,
    ...broker,
  };
}

module.exports = { jestConfig, workspaceRoot };
