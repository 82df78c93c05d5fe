// Lint for the whole workspace. The architecture rules live here:
//  - Nx module boundaries by project tag (core depends on no pattern, patterns on core only,
//    no runtime package on the emulator or testing packages, the conformance suite on no SDK code);
//  - only core's transport layer imports @grpc/grpc-js; only its opentelemetry entry imports
//    @opentelemetry/* (an optional peer dependency: nothing else may load it);
//  - no package source loads rxjs's barrel (core's internal/rx.ts takes rxjs piece by piece).
import nx from '@nx/eslint-plugin';

const runtimeBoundaries = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:pattern',
    onlyDependOnLibsWithTags: ['type:core'],
    // Telemetry reaches the patterns through core's Instrumentation, never the OpenTelemetry API.
    bannedExternalImports: ['@grpc/*', '@bufbuild/*', 'google-protobuf', '@opentelemetry/*'],
  },
  { sourceTag: 'type:emulator', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:emulator'] },
  // The raw-gRPC conformance suite (packages/emulator/test/conformance): a broker from testing, the
  // wire contract from @kubemq/emulator/wire, and never SDK code (core, patterns), so an SDK bug
  // can't hide a server difference.
  { sourceTag: 'type:conformance', onlyDependOnLibsWithTags: ['type:testing', 'type:emulator'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['*'] },
  // The component tests' shared fake of a client's internals (tools/testing): built on core's
  // internal types; only test files may import it (the tests of the patterns, below).
  { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: ['type:core'] },
];

// Tests may take a broker from @kubemq/testing, and may read spans with the OpenTelemetry API;
// nothing else changes for them. Not the emulator's own tests: testing depends on the emulator, so
// that edge would be a cycle (the suite that judges the emulator through a broker from testing is
// the separate `conformance` project).
// Core's own tests may also take the wire contract from @kubemq/emulator/wire: their in-process
// grpc-js servers decode requests and encode responses, and core's codecs go one way each.
// The patterns' tests may take the shared fake of a client's internals (type:test-support; not
// core's: the fake is built on core, so that edge would be a cycle).
const testBoundaries = runtimeBoundaries.map((c) => {
  const bannedExternalImports = c.bannedExternalImports?.filter((name) => name !== '@opentelemetry/*');
  const withBans = bannedExternalImports ? { ...c, bannedExternalImports } : c;
  if (c.sourceTag === 'type:emulator' || c.sourceTag === 'type:test-support' || c.onlyDependOnLibsWithTags.some((t) => t === '*' || t === 'type:testing')) {
    return withBans;
  }
  const extra = c.sourceTag === 'type:core' ? ['type:testing', 'type:emulator'] : ['type:testing', 'type:test-support'];
  return { ...withBans, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, ...extra] };
});

// Test files are never part of a build, so a buildable package's tests may import a project that
// has no build (the shared fake of a client's internals, tools/testing); their sources may not.
const boundaryRule = (depConstraints, { tests = false } = {}) => [
  'error',
  {
    enforceBuildableLibDependency: !tests,
    banTransitiveDependencies: true,
    allow: ['@kubemq/core/internal', '@kubemq/core/opentelemetry', '@kubemq/testing/jest', '@kubemq/testing/opentelemetry'],
    depConstraints,
  },
];

const testFiles = ['**/*.spec.ts', '**/test/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/.dist-*', '**/node_modules', '**/generated/**', 'reports/**', '.nx/**', 'docs/api/**', 'tools/**/fixtures/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaryRule(runtimeBoundaries),
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'Do not commit .only' },
        { object: 'it', property: 'only', message: 'Do not commit .only' },
        { object: 'test', property: 'only', message: 'Do not commit .only' },
      ],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/internal/transport/**', 'packages/core/src/opentelemetry/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@grpc/*'], message: 'Only core/src/internal/transport may import @grpc/grpc-js.' },
            { group: ['@opentelemetry/*'], message: 'Only core/src/opentelemetry may import @opentelemetry/* (an optional peer dependency).' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/core/src/opentelemetry/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@grpc/*'], message: 'Only core/src/internal/transport may import @grpc/grpc-js.' }] },
      ],
    },
  },
  {
    // rxjs's barrel loads all of rxjs (~100 ms of a cold start): the SDK's sources take the pieces
    // they run from core's src/internal/rx.ts, the one file that names rxjs's modules. Types may
    // still come from 'rxjs' (erased at run time).
    files: ['packages/{core,events,events-store,queues,rpc}/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'packages/core/src/internal/rx.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['rxjs', 'rxjs/operators'].map((name) => ({
            name,
            allowTypeImports: true,
            message: "Loads all of rxjs at startup: take the piece from core's internal/rx.ts (@kubemq/core/internal in the patterns).",
          })),
          patterns: [{ group: ['rxjs/internal/*'], message: "Only core's src/internal/rx.ts names rxjs's modules." }],
        },
      ],
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaryRule(testBoundaries, { tests: true }) },
  },
];
