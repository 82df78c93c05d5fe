// The public entry's declarations expose hand-written types only: walking every .d.ts that
// `src/index.ts` reaches through its imports never leads to the generated protobuf code or grpc-js.
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const packageDir = join(__dirname, '../..');
const outDir = join(packageDir, '.virtual-dts');

function emitDeclarations(): Map<string, string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(packageDir, 'tsconfig.lib.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('cannot read tsconfig.lib.json');
  const options: ts.CompilerOptions = { ...parsed.options, outDir, declaration: true, emitDeclarationOnly: true, declarationMap: false, sourceMap: false, noEmit: false };
  const program = ts.createProgram({ rootNames: [join(packageDir, 'src/index.ts')], options });
  const files = new Map<string, string>();
  program.emit(undefined, (name, text) => files.set(resolve(name), text));
  return files;
}

/** Every declaration file reachable from index.d.ts, and every bare module they import. */
function reachable(files: Map<string, string>): { local: string[]; external: string[] } {
  const local = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (local.has(file)) return;
    local.add(file);
    const text = (files.get(file) ?? '').replace(/\/\*[\s\S]*?\*\//g, ''); // not the TSDoc examples
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
      else external.add(specifier);
    }
  };
  visit(join(outDir, 'index.d.ts'));
  return { local: [...local], external: [...external] };
}

describe('public declarations', () => {
  it('never reach the generated protobuf code or @grpc/grpc-js', () => {
    const files = emitDeclarations();
    const { local, external } = reachable(files);
    expect(local.length).toBeGreaterThan(5);
    expect(local.every((f) => files.has(f))).toBe(true);
    expect(local.filter((f) => f.includes(join('internal', 'generated')))).toEqual([]);
    expect(local.filter((f) => f.includes(join('internal', 'transport')))).toEqual([]);
    expect(external).toEqual(['rxjs']);
  }, 60_000);
});
