// The SDK packages' CommonJS as bundles, in place of tsc's file per module: a CommonJS app's
// `require('@kubemq/core')` and `require('@kubemq/events')` loaded 91 files, about 13 ms more of a
// cold start than one file each (docs/benchmarks.md, "Startup").
//
// A package with one entry point gets one file. Core has three, which must share their classes
// (an error thrown through one entry is `instanceof` the class exported by another), and
// CommonJS bundles cannot share chunks. So:
// - every entry that needs no optional peer goes into one file, dist/cjs/shared.js, and each
//   such entry file re-exports its own names from it;
// - an entry that needs an optional peer (core's ./opentelemetry needs @opentelemetry/api, which an
//   app may not have) is a bundle of its own, whose imports of the package's other modules are
//   taken from shared.js. A module shared.js does not export is bundled in only if it declares no
//   class; otherwise the build fails, since a second copy of a class would break `instanceof`.
// The .d.ts files tsc wrote stay as they are.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { bundleOptions, exportTargets, relativeSpecifier, removeModuleFiles } from './package-files.mjs';

const SHARED = 'shared.js';

/**
 * @param {string} esmDir tsc's ESM output of the package (a file per module), bundled from
 * @param {string} cjsDir tsc's CommonJS output: its .js and .js.map files are replaced
 * @param {Record<string, any>} manifest the package.json
 */
export async function bundleCjs(esmDir, cjsDir, manifest) {
  const entries = exportTargets(manifest, 'require', 'cjs').map(({ key, path }) => ({ key, path, source: join(esmDir, path) }));
  const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {}).flatMap(([name, meta]) => (meta?.optional ? [name] : []));
  const options = { ...bundleOptions(manifest), format: 'cjs' };

  removeModuleFiles(cjsDir);
  if (entries.length === 1) {
    await build({ ...options, entryPoints: [entries[0].source], outfile: join(cjsDir, entries[0].path) });
    return;
  }

  // Which names each entry exports, and whether it needs an optional peer: an ESM build of it, not written.
  for (const entry of entries) {
    const { metafile } = await build({ ...options, entryPoints: [entry.source], format: 'esm', write: false, metafile: true, outdir: cjsDir, sourcemap: false });
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
    entry.names = output.exports;
    entry.optional = output.imports.some((i) => i.external && optionalPeers.some((peer) => i.path === peer || i.path.startsWith(`${peer}/`)));
  }
  const sharedEntries = entries.filter((e) => !e.optional);
  const sharedFile = join(cjsDir, SHARED);
  await build({
    ...options,
    stdin: { contents: sharedEntries.map((e) => `export * from ${JSON.stringify(e.source)};`).join('\n'), resolveDir: esmDir, sourcefile: 'shared.js', loader: 'js' },
    outfile: sharedFile,
  });
  const sharedNames = new Set(Object.keys(createRequire(import.meta.url)(sharedFile)));
  for (const entry of sharedEntries) {
    const missing = entry.names.filter((name) => !sharedNames.has(name));
    if (missing.length) throw new Error(`${SHARED} lacks ${missing.join(', ')} of exports["${entry.key}"] (two entries export different things by one name?)`);
    const file = join(cjsDir, entry.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, reexportFrom(relativeSpecifier(file, sharedFile), entry.names));
  }
  for (const entry of entries.filter((e) => e.optional)) {
    const outfile = join(cjsDir, entry.path);
    await build({ ...options, entryPoints: [entry.source], outfile, plugins: [takeFromShared(esmDir, entry.source, relativeSpecifier(outfile, sharedFile), sharedNames)] });
  }
}

/**
 * A CommonJS module exporting `names` of the module at `specifier`, copied once as plain values.
 * The shared bundle's exports are esbuild's getters over bindings that never change (functions,
 * classes, constants); a getter here as well would put two accessor calls on every use of a core
 * function by a pattern package, about 70 ns per call on a hot path (measured on `nanosToDate`).
 */
function reexportFrom(specifier, names) {
  return [
    `"use strict";`,
    `// exports of ${specifier} (tools/build/bundle-cjs.mjs)`,
    `Object.defineProperty(exports, "__esModule", { value: true });`,
    `const shared = require(${JSON.stringify(specifier)});`,
    `for (const name of ${JSON.stringify(names)}) exports[name] = shared[name];`,
    '',
  ].join('\n');
}

/**
 * For an entry bundled on its own: an import of one of the package's modules outside the entry's
 * folder is taken from shared.js when shared.js exports every name imported.
 */
function takeFromShared(esmDir, entrySource, sharedSpecifier, sharedNames) {
  const entryFolder = dirname(entrySource) + sep;
  return {
    name: 'take-from-shared',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const path = join(args.resolveDir, args.path);
        if (!path.startsWith(esmDir + sep) || path.startsWith(entryFolder)) return undefined;
        const names = importedNames(args.importer, args.path);
        if (names && names.every((name) => sharedNames.has(name))) return { path: sharedSpecifier, external: true };
        if (/\bclass\s/.test(readFileSync(path, 'utf8'))) {
          throw new Error(`${relative(esmDir, args.importer)} imports ${args.path}, which declares a class and is not all in ${SHARED}: a second copy would break instanceof`);
        }
        return undefined;
      });
    },
  };
}

/** The names `importer` imports from `specifier` (`import { a, b as c } from '…'`), or undefined. */
function importedNames(importer, specifier) {
  const source = readFileSync(importer, 'utf8');
  const quoted = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*["']${quoted}["']`).exec(source);
  if (!match) return undefined;
  return match[1]
    .split(',')
    .map((part) => part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0])
    .filter(Boolean);
}

