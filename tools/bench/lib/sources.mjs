// Micro-benchmarks measure internal modules (a transaction, a codec, the wire runtime) that the
// built packages do not expose: each entry point ships as one bundle. importSources() bundles the
// TypeScript sources a benchmark names, as the packages' build does (esbuild, ESM, Node 20; npm
// dependencies stay external), into ONE file, so the modules they share (core's) exist once and
// their classes are the same classes, then imports it. No build is needed first.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.mjs';

/** Where the bundles go: inside the repository, so their external imports resolve from its node_modules. */
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'kubemq-micro');

/**
 * Imports the given source files (paths from the repository's root) from one bundle; resolves
 * with their module namespaces, in the order given. `@kubemq/*` resolve to sources through
 * tsconfig.base.json's paths.
 */
export async function importSources(files) {
  const entry = files.map((file, i) => `export * as m${i} from ${JSON.stringify(join(repoRoot, file))};`).join('\n');
  const result = await build({
    stdin: { contents: entry, resolveDir: repoRoot, loader: 'js', sourcefile: 'micro-entry.mjs' },
    tsconfig: join(repoRoot, 'tsconfig.base.json'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@grpc/grpc-js', 'rxjs', 'rxjs/*', '@bufbuild/*', '@opentelemetry/*'],
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `bundle-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, result.outputFiles[0].text);
  const bundle = await import(pathToFileURL(file).href).finally(() => rmSync(file, { force: true }));
  return files.map((_, i) => bundle[`m${i}`]);
}
