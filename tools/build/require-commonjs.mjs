// An esbuild plugin for the Node build of an SDK package (bundle-esm.mjs): a dependency that Node
// loads as CommonJS (@grpc/grpc-js, rxjs/internal/*, @opentelemetry/api) is taken with require()
// from createRequire(import.meta.url) instead of an ES `import`.
//
// Why: an ES import of a CommonJS module costs Node a translation (resolve through the ESM
// resolver, run cjs-module-lexer over the source, build a module wrapper) on top of the require()
// it does anyway. For the four the SDK's cold start imports that came to about 10 ms of 65
// (docs/benchmarks.md, "Startup"). require() gives the very module object the app's own
// `import … from 'rxjs'` gets (Node keeps one CommonJS cache for both), so `instanceof` still
// holds between the app's rxjs classes and the SDK's.
//
// Bundlers never see this build: the exports map points them at the plain ESM one.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * @param {string} packageDir the package being built: dependencies resolve from there, as they
 *   will from its installed copy
 * @param {(specifier: string) => boolean} isDependency which bare imports are the package's
 *   dependencies (the rest, such as node: built-ins and @kubemq/* packages, stay imports)
 */
export function requireCommonJs(packageDir, isDependency) {
  const load = createRequire(join(packageDir, 'package.json'));
  const commonJs = new Map();
  const loadsAsCommonJs = (specifier) => {
    if (!commonJs.has(specifier)) {
      const file = resolveAsNodeImports(packageDir, specifier);
      commonJs.set(specifier, file !== undefined && isCommonJsFile(file));
    }
    return commonJs.get(specifier);
  };
  return {
    name: 'require-commonjs-dependencies',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.kind === 'import-statement' && isDependency(args.path) && loadsAsCommonJs(args.path)
          ? { path: args.path, namespace: 'node-require' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'node-require' }, (args) => {
        // The names are the module's own, read from it at build time: a named import that it
        // does not have fails the build instead of giving undefined at run time.
        const names = Object.keys(load(args.path)).filter((name) => IDENTIFIER.test(name) && name !== 'default');
        const specifier = JSON.stringify(args.path);
        return {
          contents: [
            `import { createRequire } from 'node:module';`,
            `const required = createRequire(import.meta.url)(${specifier});`,
            `export const { ${names.join(', ')} } = required;`,
            `export default required;`,
          ].join('\n'),
          loader: 'js',
        };
      });
    },
  };
}

/**
 * The file Node's ESM resolver picks for `specifier` imported from a module in `packageDir`, or
 * undefined when it is not installed (an optional peer: the import stays, and fails as it would).
 */
function resolveAsNodeImports(packageDir, specifier) {
  const code = `try { process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)})); } catch {}`;
  const url = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: packageDir }).toString();
  return url.startsWith('file:') ? fileURLToPath(url) : undefined;
}

/** Whether Node runs `file` as CommonJS: .cjs, or .js whose nearest package.json has no "type": "module". */
function isCommonJsFile(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}
