// The workspace's module-boundary rules (eslint.config.mjs at the repo root), proven by linting
// deliberate violations as if they were files of the packages (ESLint#lintText, cwd = repo root).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

const GRPC_AND_TESTING = "import { Client } from '@grpc/grpc-js';\nimport { startKubemq } from '@kubemq/testing';\nexport const x = [Client, startKubemq];\n";
const GRPC = "import { Client } from '@grpc/grpc-js';\nexport const x = Client;\n";
const PATTERN_IN_CORE = "import { events } from '@kubemq/events';\nexport const x = events;\n";
const OTEL = "import { trace } from '@opentelemetry/api';\nexport const x = trace;\n";
const EMULATOR_WIRE = "import { Event } from '@kubemq/emulator/wire';\nexport const x = Event;\n";
const RXJS_BARREL = "import { map } from 'rxjs';\nimport type { Observable } from 'rxjs';\nexport const x: Observable<number> | undefined = undefined;\nexport const y = map;\n";
const TEST_FAKES = "import { fakeInternals } from '@kubemq/test-fakes';\nexport const x = fakeInternals;\n";
const CLEAN = "import { KubemqClient } from '@kubemq/core';\nimport { newId } from '@kubemq/core/internal';\nexport const x = [KubemqClient, newId];\n";

const CASES = [
  { code: GRPC_AND_TESTING, filePath: 'packages/events/src/__violation__.ts' },
  { code: GRPC, filePath: 'packages/core/src/client.ts' },
  { code: GRPC, filePath: 'packages/core/src/internal/transport/__allowed__.ts' },
  { code: PATTERN_IN_CORE, filePath: 'packages/core/src/__violation__.ts' },
  { code: CLEAN, filePath: 'packages/events/src/__clean__.ts' },
  { code: OTEL, filePath: 'packages/queues/src/__violation__.ts' },
  { code: OTEL, filePath: 'packages/core/src/internal/__violation__.ts' },
  { code: OTEL, filePath: 'packages/core/src/opentelemetry/__allowed__.ts' },
  { code: OTEL, filePath: 'packages/queues/test/integration/__allowed__.integration.spec.ts' },
  { code: EMULATOR_WIRE, filePath: 'packages/core/test/component/__allowed__.spec.ts' },
  { code: EMULATOR_WIRE, filePath: 'packages/core/src/internal/__violation__.ts' },
  { code: EMULATOR_WIRE, filePath: 'packages/events/test/component/__violation__.spec.ts' },
  { code: RXJS_BARREL, filePath: 'packages/queues/src/__violation__.ts' },
  { code: RXJS_BARREL, filePath: 'packages/core/src/internal/__violation__.ts' },
  { code: TEST_FAKES, filePath: 'packages/queues/test/component/__allowed__.ts' },
  { code: TEST_FAKES, filePath: 'packages/queues/src/internal/__violation__.ts' },
  { code: TEST_FAKES, filePath: 'packages/core/test/component/__violation__.spec.ts' },
];

describe('module boundaries (lint)', () => {
  let results: LintMessage[][] = [];
  const errors = (i: number) => (results[i] ?? []).filter((m) => m.severity === 2).map(({ ruleId, message }) => ({ ruleId, message }));

  beforeAll(() => {
    const out = execFileSync(process.execPath, [join(__dirname, 'support/lint-text.mjs'), root], { input: JSON.stringify(CASES), cwd: root });
    results = JSON.parse(out.toString()) as LintMessage[][];
  }, 120_000);

  it('a pattern package may not import @grpc/grpc-js, nor @kubemq/testing in runtime code', () => {
    expect(errors(0)).toEqual([
      expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries', message: expect.stringContaining('@grpc/grpc-js') }),
      expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries', message: expect.stringContaining('can only depend on libs tagged with "type:core"') }),
    ]);
  });

  it('inside core, only src/internal/transport may import @grpc/grpc-js', () => {
    expect(errors(1)).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('Only core/src/internal/transport') })]);
    expect(errors(2)).toEqual([]);
  });

  it('core may not depend on a pattern package', () => {
    expect(errors(3)).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
  });

  it('a clean pattern file (importing core and core/internal) has no errors', () => {
    expect(errors(4)).toEqual([]);
  });

  it('@opentelemetry/api (an optional peer) is imported only by core/src/opentelemetry, and by tests', () => {
    expect(errors(5)).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries', message: expect.stringContaining('@opentelemetry/api') })]);
    expect(errors(6)).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('Only core/src/opentelemetry') })]);
    expect(errors(7)).toEqual([]);
    expect(errors(8)).toEqual([]);
  });

  it("core's tests may take complete codecs from @kubemq/emulator/wire; core's code and other packages' tests may not", () => {
    expect(errors(9)).toEqual([]);
    expect(errors(10)).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
    expect(errors(11)).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
  });

  it("no package source takes a value from rxjs's barrel (it loads all of rxjs); type imports are fine", () => {
    for (const i of [12, 13]) {
      expect(errors(i)).toEqual([expect.objectContaining({ ruleId: '@typescript-eslint/no-restricted-imports', message: expect.stringContaining("core's internal/rx.ts") })]);
    }
  });

  it("the patterns' tests may take the shared fake of a client's internals (@kubemq/test-fakes); package sources and core's tests may not", () => {
    expect(errors(14)).toEqual([]);
    expect(errors(15)).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
    expect(errors(16)).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
  });
});
