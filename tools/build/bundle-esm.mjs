// The SDK packages' ESM as one file per entry point (plus the chunks entries share), in place of
// tsc's file per module. Node loads every ES module file on its own (resolve, read, compile,
// link): the 72 files an events app imported took 30-45 ms of a cold start where one file per
// package takes about 10 (docs/benchmarks.md, "Startup"). The CommonJS build stays a file per
// module (require() is cheap per file, and CommonJS chunks cannot share classes between entries).
//
// Two bundles of the same modules:
// - dist/esm, for bundlers and every runtime but Node: dependencies are plain imports.
// - dist/node, for Node itself: the same code, but the dependencies Node loads as CommonJS are
//   taken with require() (require-commonjs.mjs), which spares Node a translation apiece. The
//   exports map selects it with the "node-addons" condition: Node sets it by default, and no
//   bundler does (esbuild, webpack, Rollup and Vite all resolve "node" when they target Node), so a
//   bundle always gets dist/esm and includes its dependencies. `node --no-addons` gets dist/esm too.
//
// - Entries are the "import" targets of the package's exports map; core's three entries share
//   their classes through chunks, so `instanceof` holds across @kubemq/core and /internal.
// - Every dependency and peer (and every @kubemq/* package) stays outside, resolved by the app.
// - The source maps chain to the TypeScript sources (esbuild reads tsc's maps, which inline them),
//   so a stack trace and the tree-shaking check still name src/ files.
// - Top-level code must be side-effect free (pure annotations, no computed class keys): one file
//   per package gives a bundler no module boundary to drop unused code at, only statements.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { requireCommonJs } from './require-commonjs.mjs';

/**
 * Bundles `esmDir` (tsc's ESM output of the package described by `manifest`) in place, and writes
 * the Node build beside it (`<dist>/node`): entry files and chunks replace the per-module .js and
 * .js.map files; the .d.ts files stay as they are (dist/node has none: types come from dist/esm).
 * @param {string} esmDir
 * @param {Record<string, any>} manifest
 */
export async function bundleEsm(esmDir, manifest) {
  const packageDir = dirname(dirname(esmDir));
  const nodeDir = join(dirname(esmDir), 'node');
  const entryPoints = Object.entries(manifest.exports)
    .filter(([key]) => key !== './package.json')
    .map(([key, value]) => {
      const target = value?.import?.default;
      if (typeof target !== 'string' || !target.startsWith('./dist/esm/')) throw new Error(`exports["${key}"].import.default is not under ./dist/esm/`);
      const forNode = value.import['node-addons'];
      if (forNode !== target.replace('./dist/esm/', './dist/node/')) throw new Error(`exports["${key}"].import["node-addons"] must be ${target.replace('./dist/esm/', './dist/node/')}`);
      return join(esmDir, target.slice('./dist/esm/'.length));
    });
  const packages = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  const isDependency = (specifier) => packages.some((name) => specifier === name || specifier.startsWith(`${name}/`));
  const external = ['@kubemq/*', ...packages.flatMap((name) => [name, `${name}/*`])];
  const options = {
    entryPoints,
    outbase: esmDir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
  const esmBundle = `${esmDir}-bundle`;
  rmSync(esmBundle, { recursive: true, force: true });
  rmSync(nodeDir, { recursive: true, force: true });
  await build({ ...options, outdir: esmBundle, external });
  // The plugin resolves the dependencies Node loads as CommonJS; the rest stay external.
  await build({ ...options, outdir: nodeDir, external, plugins: [requireCommonJs(packageDir, isDependency)] });
  for (const file of walk(esmDir)) {
    if (/\.js(\.map)?$/.test(file)) rmSync(file);
  }
  for (const file of walk(esmBundle)) {
    const target = join(esmDir, relative(esmBundle, file));
    mkdirSync(dirname(target), { recursive: true });
    renameSync(file, target);
  }
  rmSync(esmBundle, { recursive: true, force: true });
  return { entries: entryPoints.map((e) => relative(packageDir, e)) };
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
