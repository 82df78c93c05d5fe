// The SDK packages' ESM as one file per entry point (plus the chunks entries share), in place of
// tsc's file per module. Node loads every ES module file on its own (resolve, read, compile,
// link): the 72 files an events app imported took 30-45 ms of a cold start where one file per
// package takes about 10 (docs/benchmarks.md, "Startup"). This is the build bundlers and other
// runtimes get; Node itself gets dist/node (node-entries.mjs), over the CommonJS bundles of
// bundle-cjs.mjs.
//
// - Entries are the "import" targets of the package's exports map; core's three entries share
//   their classes through chunks, so `instanceof` holds across @kubemq/core and /internal.
// - Every dependency and peer (and every @kubemq/* package) stays an import, resolved by the app.
// - The source maps chain to the TypeScript sources (esbuild reads tsc's maps, which inline them),
//   so a stack trace and the tree-shaking check still name src/ files.
// - Top-level code must be side-effect free (pure annotations, no computed class keys): one file
//   per package gives a bundler no module boundary to drop unused code at, only statements.
import { build } from 'esbuild';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { bundleOptions, exportTargets, removeModuleFiles, walk } from './package-files.mjs';

/**
 * Bundles `esmDir` (tsc's ESM output of the package described by `manifest`) in place: entry
 * files and chunks replace the per-module .js and .js.map files; the .d.ts files stay as they are.
 * @param {string} esmDir
 * @param {Record<string, any>} manifest
 */
export async function bundleEsm(esmDir, manifest) {
  const packageDir = dirname(dirname(esmDir));
  const entryPoints = exportTargets(manifest, 'import', 'esm').map(({ path }) => join(esmDir, path));
  const outdir = `${esmDir}-bundle`;
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...bundleOptions(manifest),
    entryPoints,
    outdir,
    outbase: esmDir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
  });
  removeModuleFiles(esmDir);
  for (const file of walk(outdir)) {
    const target = join(esmDir, relative(outdir, file));
    mkdirSync(dirname(target), { recursive: true });
    renameSync(file, target);
  }
  rmSync(outdir, { recursive: true, force: true });
  return { entries: entryPoints.map((e) => relative(packageDir, e)) };
}

