// Pure helpers of the tree-shaking check (unit-tested in analysis.spec.mjs).

const METHOD_CALL = /\b(?:unaryMethod|serverStreamMethod|bidiStreamMethod|emptyRequestMethod|emptyStreamMethod)\(\s*['"`]([A-Za-z0-9_]+)['"`]/g;

/** The bare RPC names a methods.ts declares, e.g. `unaryMethod('SendEvent', …)` → `SendEvent`. */
export function parseMethodNames(source) {
  return [...new Set([...source.matchAll(METHOD_CALL)].map((m) => m[1]))].sort();
}

/**
 * The method names that must not appear in a bundle importing `own` patterns: every other
 * pattern's methods, minus those the bundle's own packages also declare (events and
 * events-store share SendEvent) and those core's client calls itself (Ping, and SendEventsStream to check a token; so a pattern's SendEventsStream leaking into another pattern's bundle is not caught by name). Channel management
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

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * How much of `code` each original source file holds, read off the bundle's source map (v3): a
 * mapping segment owns the generated code up to the next segment of its line. The SDK packages
 * ship one ESM file per entry point (tools/build/bundle-esm.mjs), so a bundle's inputs say little;
 * their source maps chain to the packages' TypeScript sources, and so does this.
 * @param {string} code the bundle
 * @param {{ sources: string[], mappings: string }} map its source map
 * @returns {Map<string, number>} source (as the map names it) → characters of `code`
 */
export function charsBySource(code, map) {
  const lineLengths = code.split('\n').map((line) => line.length);
  const counts = new Map();
  let line = 0;
  let source = 0;
  /** The current line's segments: [generated column, source index or -1]. */
  let segments = [];
  const flush = () => {
    for (let i = 0; i < segments.length; i++) {
      const [column, src] = segments[i];
      const end = i + 1 < segments.length ? segments[i + 1][0] : (lineLengths[line] ?? 0);
      if (src < 0 || end <= column) continue;
      const name = map.sources[src];
      counts.set(name, (counts.get(name) ?? 0) + end - column);
    }
    segments = [];
  };
  let column = 0;
  let fields = [];
  let value = 0;
  let shift = 0;
  const endSegment = () => {
    if (fields.length === 0) return;
    column += fields[0];
    if (fields.length >= 4) {
      source += fields[1];
      segments.push([column, source]);
    } else {
      segments.push([column, -1]);
    }
    fields = [];
  };
  for (const char of map.mappings) {
    if (char === ',' || char === ';') {
      endSegment();
      if (char === ';') {
        flush();
        line++;
        column = 0;
      }
      continue;
    }
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`not a source map mapping character: ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  endSegment();
  flush();
  return counts;
}

/**
 * Source files an app holds only when it asks for them (paths from the workspace root):
 * - codecs and typed channels (`jsonCodec`, `eventChannel`, …);
 * - OpenTelemetry (`@kubemq/core/opentelemetry`, `@opentelemetry/*`);
 * - channel management (`channels(client)`);
 * - the send streams you own (`eventStream(client)`, `eventStoreStream(client)`,
 *   `queueUpstream(client)`; a pattern's own shared send stream behind `send()` is not one);
 * - refreshing credentials (`refreshingCredentials()`);
 * - the running handlers (`eventListener()`, `queueConsumer()`, `commandResponder()`,
 *   `queryResponder()`; not the registries through which a typed channel hands them its decoding).
 * Each is a function, not a client member, so an app that never calls one bundles none of it.
 */
export const OPTIONAL_FEATURES = {
  codecs: [/^packages\/core\/src\/(codecs|internal\/codecs)\//, /^packages\/[^/]+\/src\/internal\/channel\//],
  telemetry: [/^packages\/core\/src\/opentelemetry\//, /(^|\/)node_modules\/@opentelemetry\//],
  channels: [/^packages\/core\/src\/channels\//],
  streams: [/^packages\/(events|events-store)\/src\/internal\/stream\/event(-store)?-stream\.ts$/, /^packages\/queues\/src\/(queue-upstream\.ts$|internal\/upstream\/)/],
  credentials: [/^packages\/core\/src\/client\/credentials\.ts$/, /^packages\/core\/src\/internal\/connection\/token-manager\.ts$/],
  handlers: [
    /^packages\/events\/src\/internal\/listen\/(?!listen-through\.ts$)/,
    /^packages\/events\/src\/internal\/readiness\/readiness\.ts$/,
    /^packages\/rpc\/src\/internal\/serve\/(responder|responders|limiter|readiness)\.ts$/,
    /^packages\/queues\/src\/queue-consumer\.ts$/,
    /^packages\/queues\/src\/internal\/consumer\/(consumer|processed)\.ts$/,
  ],
};

/**
 * Returns `{ input, reason }` for each source (a workspace-relative path) a fixture holds without
 * using that `feature`.
 */
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

/**
 * Budgets at the measured size plus `headroom` (3%: a budget is the size reached, and a change that
 * grows a bundle says so in budgets.json's diff), never below a small floor.
 */
export function budgetsFrom(measured, headroom = 0.03, floor = { minified: 512, gzip: 256 }) {
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
