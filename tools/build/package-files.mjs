// What the bundling steps of build-package.mjs share: where a package's entry points are, the
// esbuild options of its bundles, and the files tsc wrote a module apiece.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * The `exports[key][branch].default` target of every export but ./package.json, which must lie
 * under `./dist/<folder>/`: `{ key, path }` with `path` relative to that folder.
 * @param {Record<string, any>} manifest
 * @param {'import' | 'require'} branch
 * @param {string} folder
 */
export function exportTargets(manifest, branch, folder) {
  const prefix = `./dist/${folder}/`;
  return Object.entries(manifest.exports)
    .filter(([key]) => key !== './package.json')
    .map(([key, value]) => {
      const target = value?.[branch]?.default;
      if (typeof target !== 'string' || !target.startsWith(prefix)) throw new Error(`exports["${key}"].${branch}.default is not under ${prefix}`);
      return { key, path: target.slice(prefix.length) };
    });
}

/**
 * The esbuild options every bundle of the package shares: for Node 20, source maps carrying their
 * sources (the tarball has no src/), and external the package's dependencies and peers and every
 * @kubemq/* package, which the app resolves.
 */
export function bundleOptions(manifest) {
  const packages = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  return {
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: ['@kubemq/*', ...packages.flatMap((name) => [name, `${name}/*`])],
    sourcemap: true,
    sourcesContent: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
}

/** Deletes tsc's .js and .js.map files under `dir`, which the bundles replace; the .d.ts files stay. */
export function removeModuleFiles(dir) {
  for (const file of walk(dir)) if (/\.js(\.map)?$/.test(file)) rmSync(file);
}

/** Every file under `dir`. */
export function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The specifier by which `fromFile` requires or imports `toFile` (always starting with a dot). */
export function relativeSpecifier(fromFile, toFile) {
  const path = relative(dirname(fromFile), toFile).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}
