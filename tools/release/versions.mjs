// Lockstep versions: every @kubemq/* package has the same version, and every range on a
// @kubemq/* package (dependencies, peers, dev, optional) names exactly that version.
// `nx release version` rewrites every range on an edge it sees in the project graph; this check
// runs in CI and after every version bump, so a hand edit or an edge hidden from the graph
// (an implicitDependencies "!…") can't slip through.

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'];

/**
 * @param {{ name: string, manifest: Record<string, any> }[]} packages
 * @returns {{ version: string | undefined, problems: string[] }}
 */
export function versionProblems(packages) {
  const problems = [];
  const versions = new Map();
  for (const { name, manifest } of packages) {
    const list = versions.get(manifest.version) ?? [];
    list.push(name);
    versions.set(manifest.version, list);
  }
  // The lockstep version is the one most packages have (so the odd one out is named).
  const [version] = [...versions.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  for (const [v, names] of versions) {
    if (v !== version) problems.push(`${names.join(', ')}: version ${v}, the others are at ${version}`);
  }
  for (const { name, manifest } of packages) {
    for (const field of DEP_FIELDS) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (!dep.startsWith('@kubemq/')) continue;
        if (range !== version) problems.push(`${name}: ${field}["${dep}"] is ${JSON.stringify(range)}, must be the lockstep version "${version}"`);
      }
    }
  }
  return { version, problems };
}

/** The manifest with every @kubemq/* range set to `version` (a new object; key order kept). */
export function withLockstepRanges(manifest, version) {
  const out = { ...manifest };
  for (const field of DEP_FIELDS) {
    if (!out[field]) continue;
    out[field] = Object.fromEntries(Object.entries(out[field]).map(([dep, range]) => [dep, dep.startsWith('@kubemq/') ? version : range]));
  }
  return out;
}

/** The packages whose code reads its own version (core and the patterns, whose clients must agree). */
export const VERSIONED_IN_SOURCE = ['@kubemq/core', '@kubemq/events', '@kubemq/events-store', '@kubemq/queues', '@kubemq/rpc'];

/**
 * The source file through which a package knows its own name and version at run time
 * (`src/version.ts`: core stamps its clients with it, the patterns refuse a client from another
 * core): its text for `name` at `version`.
 */
export function versionFileText(name, version) {
  return (
    "// Kept equal to package.json's version by tools/release (npm run release:check, and its --fix).\n" +
    `export const PACKAGE = { name: '${name}', version: '${version}' } as const;\n`
  );
}

/** What is wrong with a package's version file (its `text`, undefined when missing), or undefined. */
export function versionFileProblem(name, version, text) {
  if (text === undefined) return `${name}: src/version.ts is missing`;
  return text === versionFileText(name, version) ? undefined : `${name}: src/version.ts does not say ${name} ${version}`;
}
