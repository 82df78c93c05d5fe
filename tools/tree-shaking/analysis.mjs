// Pure helpers of the tree-shaking check (unit-tested in analysis.spec.mjs).

const METHOD_CALL = /\b(?:unaryMethod|serverStreamMethod|bidiStreamMethod)\(\s*['"`]([A-Za-z0-9_]+)['"`]/g;

/** The bare RPC names a methods.ts declares, e.g. `unaryMethod('SendEvent', …)` → `SendEvent`. */
export function parseMethodNames(source) {
  return [...new Set([...source.matchAll(METHOD_CALL)].map((m) => m[1]))].sort();
}

/**
 * The method names that must not appear in a bundle importing `own` patterns: every other
 * pattern's methods, minus those the bundle's own packages also declare (events and
 * events-store share SendEvent) and those core's client calls itself (Ping). Channel management
 * declares its SendRequest outside core's methods.ts, so it counts as foreign too.
 * @param {Record<string, string[]>} patternMethods pattern folder → method names
 * @param {string[]} ownPatterns pattern folders the fixture imports
 * @param {string[]} coreMethods
 */
export function foreignMethodNames(patternMethods, ownPatterns, coreMethods) {
  const allowed = new Set([...coreMethods, ...ownPatterns.flatMap((p) => patternMethods[p] ?? [])]);
  const foreign = new Set();
  for (const [pattern, names] of Object.entries(patternMethods)) {
    if (ownPatterns.includes(pattern)) continue;
    for (const n of names) if (!allowed.has(n)) foreign.add(n);
  }
  return [...foreign].sort();
}

/**
 * Which of `names` occur in `code` as a whole string literal (`"QueuesDownstream"`) or as a full
 * method path (`/kubemq.kubemq/QueuesDownstream`). A longer name that merely starts with one
 * (`SendEventsStream` vs `SendEvent`) does not count.
 */
export function findMethodLiterals(code, names) {
  return names.filter((name) => {
    const literal = new RegExp(`["'\`]${name}["'\`]|/kubemq\\.kubemq/${name}(?![A-Za-z0-9_])`);
    return literal.test(code);
  });
}

/**
 * Metafile inputs that come from a workspace package the fixture must not contain, or from a
 * package's sources instead of its built `dist/esm` (which would mean the check bundled the
 * wrong thing). Paths are as esbuild reports them, relative to the workspace root.
 * @param {string[]} inputs
 * @param {string[]} allowedFolders packages/* folders the fixture may contain (e.g. core, events)
 */
export function badInputs(inputs, allowedFolders) {
  const bad = [];
  for (const input of inputs) {
    const m = /^packages\/([^/]+)\/(.*)$/.exec(input.replace(/\\/g, '/'));
    if (!m) continue;
    const [, folder, rest] = m;
    if (!allowedFolders.includes(folder)) bad.push({ input, reason: `@kubemq/${folder} is not imported by this fixture` });
    else if (!rest.startsWith('dist/esm/')) bad.push({ input, reason: 'bundled from outside dist/esm (sources instead of the build?)' });
  }
  return bad;
}

/**
 * Inputs an app holds only when it asks for them: codecs and typed channels (`jsonCodec`,
 * `eventChannel`, …), OpenTelemetry (`@kubemq/core/opentelemetry`, `@opentelemetry/*`), channel
 * management (`channels(client)`) and the send streams you own (`eventStream(client)`,
 * `eventStoreStream(client)`, `queueUpstream(client)`: functions, not client methods, so an app
 * that never calls one bundles none; a pattern's own shared send stream behind `send()` is not one
 * of them).
 * Returns `{ input, reason }` for each one a fixture holds without using that `feature`.
 */
export const OPTIONAL_FEATURES = {
  codecs: [/^packages\/core\/dist\/esm\/(codecs|internal\/codecs)\//, /^packages\/[^/]+\/dist\/esm\/internal\/channel\//],
  telemetry: [/^packages\/core\/dist\/esm\/opentelemetry\//, /(^|\/)node_modules\/@opentelemetry\//],
  channels: [/^packages\/core\/dist\/esm\/channels\//],
  streams: [/^packages\/(events|events-store)\/dist\/esm\/internal\/stream\//, /^packages\/queues\/dist\/esm\/internal\/upstream\//],
};

export function unusedFeatureInputs(inputs, usedFeatures) {
  const bad = [];
  for (const input of inputs.map((i) => i.replace(/\\/g, '/'))) {
    for (const [feature, patterns] of Object.entries(OPTIONAL_FEATURES)) {
      if (!usedFeatures.includes(feature) && patterns.some((p) => p.test(input))) {
        bad.push({ input, reason: `${feature} code in an app that uses no ${feature}` });
      }
    }
  }
  return bad;
}

/**
 * Compares measured sizes with the budgets.
 * @param {Record<string, { minified: number, gzip: number }>} measured
 * @param {Record<string, { minified: number, gzip: number }>} budgets
 * @returns {{ fixture: string, metric: 'minified' | 'gzip', size: number, budget: number | undefined, ok: boolean }[]}
 */
export function compareBudgets(measured, budgets) {
  const rows = [];
  for (const [fixture, sizes] of Object.entries(measured)) {
    for (const metric of /** @type {const} */ (['minified', 'gzip'])) {
      const budget = budgets[fixture]?.[metric];
      rows.push({ fixture, metric, size: sizes[metric], budget, ok: typeof budget === 'number' && sizes[metric] <= budget });
    }
  }
  return rows;
}

/** Budgets at the measured size plus `headroom` (10%), never below a small floor. */
export function budgetsFrom(measured, headroom = 0.1, floor = { minified: 512, gzip: 256 }) {
  return Object.fromEntries(
    Object.entries(measured).map(([fixture, s]) => [
      fixture,
      {
        minified: Math.max(floor.minified, Math.ceil(Math.round(s.minified * (1 + headroom)) / 100) * 100),
        gzip: Math.max(floor.gzip, Math.ceil(Math.round(s.gzip * (1 + headroom)) / 100) * 100),
      },
    ]),
  );
}

/** `12345` → `12.1 KB`. */
export function formatBytes(n) {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}
