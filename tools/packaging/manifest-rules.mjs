// The package.json shape every @kubemq/* package ships with (style.md lesson 2), as a pure
// function so the rules are unit-tested. publint and attw check what they can see in a packed
// tarball; these are the rules of this SDK that they don't know about.

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'];

function isConditions(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Problems with one export entry (`key`) whose value should be
 * `{ import: {types, default}, require: {types, default} }`. The SDK packages (core and the
 * patterns) also ship a Node build: `import: {types, "node-addons", default}`, where
 * "node-addons" is the same module under ./dist/node/ (tools/build/node-entries.mjs says why).
 */
function exportEntryProblems(key, value, withNodeBuild) {
  if (key === './package.json') return value === './package.json' ? [] : [`exports["./package.json"] must be "./package.json"`];
  if (!isConditions(value)) return [`exports["${key}"] must have "import" and "require" branches`];
  const problems = [];
  const keys = Object.keys(value);
  if (keys.join(',') !== 'import,require') problems.push(`exports["${key}"] must list exactly "import" then "require" (has ${keys.join(', ') || 'nothing'})`);
  for (const [branch, folder] of [['import', 'dist/esm/'], ['require', 'dist/cjs/']]) {
    const target = value[branch];
    if (!isConditions(target)) {
      problems.push(`exports["${key}"].${branch} must be { types, default }`);
      continue;
    }
    const order = branch === 'import' && withNodeBuild ? 'types,node-addons,default' : 'types,default';
    if (Object.keys(target).join(',') !== order) problems.push(`exports["${key}"].${branch} must list ${order.split(',').map((c) => `"${c}"`).join(', ')}, in that order`);
    if (typeof target.types !== 'string' || !target.types.startsWith(`./${folder}`) || !target.types.endsWith('.d.ts')) {
      problems.push(`exports["${key}"].${branch}.types must be a .d.ts under ./${folder} (is ${JSON.stringify(target.types)})`);
    }
    if (typeof target.default !== 'string' || !target.default.startsWith(`./${folder}`) || !target.default.endsWith('.js')) {
      problems.push(`exports["${key}"].${branch}.default must be a .js under ./${folder} (is ${JSON.stringify(target.default)})`);
    }
    if (typeof target.types === 'string' && typeof target.default === 'string' && target.types.replace(/\.d\.ts$/, '') !== target.default.replace(/\.js$/, '')) {
      problems.push(`exports["${key}"].${branch}: types and default must be the same module (${target.types} vs ${target.default})`);
    }
    if (branch === 'import' && withNodeBuild && typeof target.default === 'string') {
      const forNode = target.default.replace('./dist/esm/', './dist/node/');
      if (target['node-addons'] !== forNode) problems.push(`exports["${key}"].import["node-addons"] must be ${forNode} (is ${JSON.stringify(target['node-addons'])})`);
    }
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
  need(m.engines?.node === '>=20.3.0', 'engines.node must be ">=20.3.0"');
  need(m.publishConfig?.access === 'public', 'publishConfig.access must be "public" (a scoped package is private by default)');
  need(m.main === './dist/cjs/index.js', 'main must be ./dist/cjs/index.js (for tools that ignore exports)');
  need(m.module === './dist/esm/index.js', 'module must be ./dist/esm/index.js');
  need(m.types === './dist/esm/index.d.ts', 'types must be ./dist/esm/index.d.ts');

  if (!isConditions(m.exports) || !('.' in m.exports)) {
    problems.push('exports must be a map with a "." entry');
  } else {
    need('./package.json' in m.exports, 'exports must include "./package.json"');
    for (const [key, value] of Object.entries(m.exports)) problems.push(...exportEntryProblems(key, value, role === 'core' || role === 'pattern'));
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
