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
