// The package.json shape every @kubemq/* package ships with (style.md lesson 2), as a pure
// function so the rules are unit-tested. publint and attw check what they can see in a packed
// tarball; these are the rules of this SDK that they don't know about.

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'];

function isConditions(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const quoted = (names) => names.map((n) => `"${n}"`).join(', ');

/**
 * Problems with one export entry (`key`) whose value should be
 * `{ import: {types, default}, require: {types, default} }`: ESM under dist/esm, CommonJS under
 * dist/cjs. The SDK packages (core and the patterns) differ, so that an app holds one copy of them
 * and TypeScript one set of their declarations (tools/build/node-entries.mjs says why):
 * - `module` first, `{types, default}`, the same files as `import`: bundlers (esbuild, webpack,
 *   Rollup, Vite) match it for import and require() alike and take dist/esm; Node ignores it;
 * - `import: {types, "node-addons", default}`: "node-addons" (Node sets it, bundlers do not) is
 *   Node's build under dist/node, and `types` its .d.ts beside it, which re-exports dist/cjs's.
 */
function exportEntryProblems(key, value, withNodeBuild) {
  if (key === './package.json') return value === './package.json' ? [] : [`exports["./package.json"] must be "./package.json"`];
  const branches = withNodeBuild ? ['module', 'import', 'require'] : ['import', 'require'];
  if (!isConditions(value)) return [`exports["${key}"] must have ${quoted(branches)} branches`];
  const problems = [];
  const keys = Object.keys(value);
  if (keys.join(',') !== branches.join(',')) problems.push(`exports["${key}"] must list exactly ${quoted(branches)}, in that order (has ${keys.join(', ') || 'nothing'})`);
  for (const branch of branches) {
    const target = value[branch];
    if (!isConditions(target)) {
      problems.push(`exports["${key}"].${branch} must be { types, default }`);
      continue;
    }
    const order = branch === 'import' && withNodeBuild ? ['types', 'node-addons', 'default'] : ['types', 'default'];
    if (Object.keys(target).join(',') !== order.join(',')) problems.push(`exports["${key}"].${branch} must list ${quoted(order)}, in that order`);
    const jsFolder = branch === 'require' ? 'dist/cjs/' : 'dist/esm/';
    const typesFolder = branch === 'require' ? 'dist/cjs/' : withNodeBuild ? 'dist/node/' : 'dist/esm/';
    const typesOk = typeof target.types === 'string' && target.types.startsWith(`./${typesFolder}`) && target.types.endsWith('.d.ts');
    const defaultOk = typeof target.default === 'string' && target.default.startsWith(`./${jsFolder}`) && target.default.endsWith('.js');
    if (!typesOk) problems.push(`exports["${key}"].${branch}.types must be a .d.ts under ./${typesFolder} (is ${JSON.stringify(target.types)})`);
    if (!defaultOk) problems.push(`exports["${key}"].${branch}.default must be a .js under ./${jsFolder} (is ${JSON.stringify(target.default)})`);
    if (typesOk && defaultOk && target.types.slice(typesFolder.length + 2, -'.d.ts'.length) !== target.default.slice(jsFolder.length + 2, -'.js'.length)) {
      problems.push(`exports["${key}"].${branch}: types and default must be the same module (${target.types} vs ${target.default})`);
    }
    if (branch === 'import' && withNodeBuild && defaultOk) {
      const forNode = target.default.replace('./dist/esm/', './dist/node/');
      if (target['node-addons'] !== forNode) problems.push(`exports["${key}"].import["node-addons"] must be ${forNode} (is ${JSON.stringify(target['node-addons'])})`);
    }
  }
  if (withNodeBuild && isConditions(value.module) && isConditions(value.import)) {
    if (value.module.types !== value.import.types || value.module.default !== value.import.default) {
      problems.push(`exports["${key}"].module must name the files of exports["${key}"].import (types ${value.import.types}, default ${value.import.default})`);
    }
  }
  return problems;
}

/**
 * Problems with `types` and `typesVersions`, which TypeScript's node10 resolution reads (it knows
 * no exports map: `"module": "commonjs"` without a moduleResolution, as in NestJS apps): the root's
 * and every subpath's CommonJS declarations, as `require` resolves them.
 */
function node10TypesProblems(m) {
  if (!isConditions(m.exports)) return [];
  const problems = [];
  const rootTypes = m.exports['.']?.require?.types;
  if (m.types !== rootTypes) problems.push(`types must be ${rootTypes} (exports["."].require.types, for TypeScript's node10 resolution)`);
  const expected = Object.fromEntries(
    Object.entries(m.exports)
      .filter(([key]) => key !== '.' && key !== './package.json')
      .map(([key, value]) => [key.slice(2), [value?.require?.types]]),
  );
  const mapped = isConditions(m.typesVersions) ? m.typesVersions : {};
  if (Object.keys(expected).length === 0) {
    if (m.typesVersions !== undefined) problems.push('typesVersions is for subpath exports, and this package has none');
  } else if (Object.keys(mapped).join(',') !== '*' || JSON.stringify(mapped['*']) !== JSON.stringify(expected)) {
    problems.push(`typesVersions must be ${JSON.stringify({ '*': expected })} (each subpath's require.types, for TypeScript's node10 resolution)`);
  }
  return problems;
}

/**
 * Problems with one package.json (empty when it is right).
 * @param {Record<string, any>} m the manifest
 * @param {'core' | 'pattern' | 'emulator' | 'testing' | 'other'} role from the Nx tags
 * @returns {string[]}
 */
export function manifestProblems(m, role) {
  const problems = [];
  const need = (ok, message) => {
    if (!ok) problems.push(message);
  };
  need(typeof m.name === 'string' && m.name.startsWith('@kubemq/'), 'name must be @kubemq/<package>');
  need(m.private !== true, '"private": true would block publishing');
  need(typeof m.version === 'string' && /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(m.version), 'version must be a plain semver version');
  need(typeof m.description === 'string' && m.description.length > 0, 'description is missing');
  need(typeof m.license === 'string' && m.license.length > 0, 'license is missing');
  need(m.type === 'module', '"type" must be "module" (dist/esm is ESM; dist/cjs has its own package.json)');
  need(m.sideEffects === false, '"sideEffects" must be false');
  need(Array.isArray(m.files) && m.files.includes('dist'), '"files" must include "dist"');
  need(Array.isArray(m.files) && m.files.every((f) => !/^(src|test)\b/.test(f)), '"files" must not ship tests or sources');
  // Node 20.4 is the first 20.x with Symbol.asyncDispose, which every handle's `await using` needs.
  need(m.engines?.node === '>=20.4.0', 'engines.node must be ">=20.4.0"');
  need(m.publishConfig?.access === 'public', 'publishConfig.access must be "public" (a scoped package is private by default)');
  need(m.main === './dist/cjs/index.js', 'main must be ./dist/cjs/index.js (for tools that ignore exports)');
  need(m.module === './dist/esm/index.js', 'module must be ./dist/esm/index.js');

  if (!isConditions(m.exports) || !('.' in m.exports)) {
    problems.push('exports must be a map with a "." entry');
  } else {
    need('./package.json' in m.exports, 'exports must include "./package.json"');
    for (const [key, value] of Object.entries(m.exports)) problems.push(...exportEntryProblems(key, value, role === 'core' || role === 'pattern'));
    problems.push(...node10TypesProblems(m));
  }

  const deps = m.dependencies ?? {};
  const peers = m.peerDependencies ?? {};
  const devs = m.devDependencies ?? {};
  if (role === 'pattern') {
    need(typeof peers['@kubemq/core'] === 'string', 'a pattern package must have @kubemq/core as a peerDependency (one core per app)');
    need(typeof peers.rxjs === 'string', 'a pattern package must have rxjs as a peerDependency (one rxjs per app)');
    need(typeof devs['@kubemq/core'] === 'string', 'a pattern package needs @kubemq/core in devDependencies too (the workspace link)');
    need(!('@kubemq/core' in deps), '@kubemq/core must not be a dependency of a pattern (it would nest a second copy)');
    need(!('rxjs' in deps), 'rxjs must not be a dependency of a pattern (it would nest a second copy)');
    for (const name of Object.keys(deps)) need(!/^@grpc\/|^@bufbuild\//.test(name), `a pattern package must not depend on ${name}`);
  }
  if (role === 'core') {
    need(isConditions(m.exports) && './internal' in m.exports, 'core must export "./internal" for the pattern packages');
    need(typeof peers.rxjs === 'string', 'core must have rxjs as a peerDependency');
    need(typeof deps['@grpc/grpc-js'] === 'string', 'core must depend on @grpc/grpc-js');
    for (const name of [...Object.keys(deps), ...Object.keys(peers)]) need(!name.startsWith('@kubemq/'), `core must not depend on ${name}`);
  }
  if (role === 'emulator') {
    for (const name of [...Object.keys(deps), ...Object.keys(peers)]) need(!name.startsWith('@kubemq/'), `the emulator must not depend on ${name}`);
  }
  for (const field of DEP_FIELDS) {
    for (const [name, range] of Object.entries(m[field] ?? {})) {
      need(typeof range === 'string' && !/^(workspace:|file:|link:|\*$)/.test(range), `${field}.${name} must be a publishable range (is ${JSON.stringify(range)})`);
    }
  }
  return problems;
}
