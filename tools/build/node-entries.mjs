// Node's entry points of an SDK package (dist/node): for each export, an ES module that takes the
// package's CommonJS bundle (bundle-cjs.mjs) with require() and re-exports its names, and a .d.ts
// beside it that re-exports the CommonJS declarations.
//
// Why: an ES import of a CommonJS module costs Node a translation (the ESM resolver, a
// cjs-module-lexer pass over the source, a module wrapper) on top of the require() it does anyway,
// and the SDK's ES modules import four (@grpc/grpc-js and rxjs's Observable among them). Through
// the CommonJS bundles an ESM app's cold start loads core + events in 56 ms instead of 65
// (docs/benchmarks.md, "Startup"). It also gives an app one copy of the SDK however its modules
// reach it (import or require), so `instanceof` holds across them, and rxjs's classes are the
// app's (Node keeps one CommonJS cache for import and require).
//
// The declarations follow: every TypeScript resolution (import or require, node16, nodenext,
// bundler, node10) reads the one set in dist/cjs, so a KubemqClient made in a .cts module is the
// type a pattern imported by a .mts module takes (a class with #private members declared in two
// files would be two types). The .d.ts here is an ES module, as its .js is, so attw sees no
// format masquerading.
//
// The exports map selects these files with the "node-addons" condition: Node sets it by default
// and no bundler does (esbuild, webpack, Rollup and Vite resolve "module", listed first, which
// Node ignores: a bundle gets dist/esm for import and require() alike). `node --no-addons` gets
// dist/esm too.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { relativeSpecifier } from './package-files.mjs';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * @param {string} distDir the package's dist, with cjs/ built
 * @param {Record<string, any>} manifest the package.json
 */
export function writeNodeEntries(distDir, manifest) {
  const load = createRequire(join(distDir, 'package.json'));
  for (const [key, value] of Object.entries(manifest.exports)) {
    if (key === './package.json') continue;
    const esm = value?.import?.default;
    const forNode = value?.import?.['node-addons'];
    const cjs = value?.require?.default;
    const expected = typeof esm === 'string' ? esm.replace('./dist/esm/', './dist/node/') : undefined;
    if (forNode !== expected) throw new Error(`exports["${key}"].import["node-addons"] must be ${expected}`);
    const types = expected.replace(/\.js$/, '.d.ts');
    if (value.import.types !== types) throw new Error(`exports["${key}"].import.types must be ${types}`);
    const cjsFile = join(distDir, cjs.slice('./dist/'.length));
    const names = Object.keys(load(cjsFile)).filter((name) => name !== '__esModule');
    const odd = names.filter((name) => !IDENTIFIER.test(name) || name === 'default');
    if (odd.length) throw new Error(`exports["${key}"] has names an ES module cannot re-export this way: ${odd.join(', ')}`);
    const file = join(distDir, forNode.slice('./dist/'.length));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      [
        `// ${manifest.name}${key.slice(1)} for Node: its CommonJS bundle, re-exported (tools/build/node-entries.mjs).`,
        `import { createRequire } from 'node:module';`,
        `const cjs = createRequire(import.meta.url)(${JSON.stringify(relativeSpecifier(file, cjsFile))});`,
        `export const { ${names.join(', ')} } = cjs;`,
        '',
      ].join('\n'),
    );
    const cjsTypes = join(distDir, value.require.types.slice('./dist/'.length));
    // The entry's @packageDocumentation comment comes along: tools read it from the entry file.
    const packageDoc = /^\/\*\*(?:(?!\*\/)[\s\S])*@packageDocumentation[\s\S]*?\*\//.exec(readFileSync(cjsTypes, 'utf8'))?.[0];
    writeFileSync(
      join(distDir, types.slice('./dist/'.length)),
      [
        `// ${manifest.name}${key.slice(1)} for Node's import: the CommonJS declarations, as its .js loads the CommonJS bundle.`,
        ...(packageDoc ? [packageDoc] : []),
        `export * from ${JSON.stringify(relativeSpecifier(file, cjsTypes).replace(/\.d\.ts$/, '.js'))};`,
        '',
      ].join('\n'),
    );
  }
}
