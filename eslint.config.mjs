// Lint for the whole workspace. The architecture rules live here:
//  - Nx module boundaries by project tag (core depends on no pattern, patterns on core only,
//    no runtime package on the emulator or testing packages);
//  - only core's transport layer imports @grpc/grpc-js.
import nx from '@nx/eslint-plugin';

const runtimeBoundaries = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:pattern',
    onlyDependOnLibsWithTags: ['type:core'],
    bannedExternalImports: ['@grpc/*', '@bufbuild/*', 'google-protobuf'],
  },
  { sourceTag: 'type:emulator', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:emulator'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['*'] },
];

// Tests may take a broker from @kubemq/testing; nothing else changes for them.
const testBoundaries = runtimeBoundaries.map((c) =>
  c.sourceTag === 'type:tooling' || c.sourceTag === 'type:emulator' || c.sourceTag === 'type:testing'
    ? { ...c, onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'type:testing', 'type:emulator'])] }
    : { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] },
);

const boundaryRule = (depConstraints) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    allow: ['@kubemq/core/internal', '@kubemq/testing/jest'],
    // Tooling projects (tools/: the jest preset every package's jest config loads, benchmarks,
    // fixtures) depend on the packages by nature; a cycle through them is not a runtime cycle.
    ignoredCircularDependencies: [['tag:type:tooling', '*']],
    depConstraints,
  },
];

const testFiles = ['**/*.spec.ts', '**/test/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/generated/**', 'reports/**', '.nx/**', 'docs/api/**', 'tools/**/fixtures/**'],
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
    ignores: ['packages/core/src/internal/transport/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@grpc/*'], message: 'Only core/src/internal/transport may import @grpc/grpc-js.' }] },
      ],
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaryRule(testBoundaries) },
  },
];
