import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInputs, budgetsFrom, charsBySource, compareBudgets, findMethodLiterals, foreignMethodNames, parseMethodNames, unusedFeatureInputs } from './analysis.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('parseMethodNames', () => {
  it('reads the bare names of every descriptor kind, multi-line calls included', () => {
    const source = `
      export const A = unaryMethod('SendEvent', Event, Result);
      export const B = bidiStreamMethod(
        "QueuesDownstream",
        QueuesDownstreamRequest,
        QueuesDownstreamResponse,
      );
      export const C = serverStreamMethod(\`SubscribeToEvents\`, Subscribe, EventReceive);
      export const D = emptyRequestMethod('Ping', PingResult);
      export const E = emptyStreamMethod('SendEventsStream');
      // unaryMethod is documented here, but this line declares nothing
    `;
    expect(parseMethodNames(source)).toEqual(['Ping', 'QueuesDownstream', 'SendEvent', 'SendEventsStream', 'SubscribeToEvents']);
  });

  it('finds the methods each real package declares', () => {
    const of = (p) => parseMethodNames(readFileSync(join(root, 'packages', p, 'src/internal/methods.ts'), 'utf8'));
    expect(of('queues')).toContain('QueuesDownstream');
    expect(of('events')).toContain('SendEvent');
    expect(of('rpc')).toContain('SubscribeToRequests');
    expect(of('core')).toContain('Ping');
  });
});

describe('foreignMethodNames', () => {
  const patterns = {
    events: ['SendEvent', 'SendEventsStream', 'SubscribeToEvents'],
    'events-store': ['SendEvent', 'SendEventsStream', 'SubscribeToEvents'],
    queues: ['AckAllQueueMessages', 'QueuesDownstream', 'SendQueueMessage'],
    rpc: ['SendRequest', 'SendResponse', 'SubscribeToRequests'],
  };
  const core = ['AckAllQueueMessages', 'Ping', 'SendRequest'];

  it('names the other patterns’ methods, minus shared and core ones', () => {
    expect(foreignMethodNames(patterns, ['events'], core)).toEqual(['QueuesDownstream', 'SendQueueMessage', 'SendResponse', 'SubscribeToRequests']);
  });

  it('for core alone, every pattern method core does not call itself', () => {
    expect(foreignMethodNames(patterns, [], core)).toEqual([
      'QueuesDownstream',
      'SendEvent',
      'SendEventsStream',
      'SendQueueMessage',
      'SendResponse',
      'SubscribeToEvents',
      'SubscribeToRequests',
    ]);
  });
});

describe('the real packages: core’s optional features count as foreign', () => {
  const of = (p) => parseMethodNames(readFileSync(join(root, 'packages', p, 'src/internal/methods.ts'), 'utf8'));
  const patterns = Object.fromEntries(['events', 'events-store', 'queues', 'rpc'].map((p) => [p, of(p)]));

  it('core declares only the methods its client calls itself; channel management declares its own SendRequest', () => {
    expect(of('core')).toEqual(['Ping', 'SendEventsStream']);
    const channels = readFileSync(join(root, 'packages/core/src/channels/channels-client.ts'), 'utf8');
    expect(parseMethodNames(channels)).toEqual(['SendRequest']);
  });

  it('SendRequest is foreign to every fixture but rpc’s, AckAllQueueMessages to every fixture but the queues one', () => {
    const core = of('core');
    for (const own of [[], ['events'], ['events-store'], ['queues']]) expect(foreignMethodNames(patterns, own, core)).toContain('SendRequest');
    for (const own of [[], ['events'], ['events-store'], ['rpc']]) expect(foreignMethodNames(patterns, own, core)).toContain('AckAllQueueMessages');
  });
});

describe('findMethodLiterals', () => {
  it('finds quoted names and full method paths', () => {
    expect(findMethodLiterals('const a="QueuesDownstream";', ['QueuesDownstream'])).toEqual(['QueuesDownstream']);
    expect(findMethodLiterals("x('/kubemq.kubemq/SendResponse')", ['SendResponse'])).toEqual(['SendResponse']);
    expect(findMethodLiterals('p=`SubscribeToRequests`', ['SubscribeToRequests'])).toEqual(['SubscribeToRequests']);
  });

  it('does not take a longer name for a shorter one, nor a bare identifier', () => {
    expect(findMethodLiterals('m("SendEventsStream");"/kubemq.kubemq/SendEventsStream"', ['SendEvent'])).toEqual([]);
    expect(findMethodLiterals('let QueuesDownstream=1;', ['QueuesDownstream'])).toEqual([]);
  });
});

describe('badInputs', () => {
  it('flags files of packages the fixture does not import, and sources instead of dist/esm', () => {
    const inputs = [
      'tools/bench/tree-shaking/fixtures/events-only.ts',
      'node_modules/rxjs/dist/esm5/index.js',
      'packages/core/dist/esm/index.js',
      'packages/events/dist/esm/index.js',
      'packages/queues/dist/esm/internal/methods.js',
      'packages/core/src/index.ts',
      'packages/events/dist/cjs/index.js',
    ];
    expect(badInputs(inputs, ['core', 'events']).map((b) => b.input)).toEqual([
      'packages/queues/dist/esm/internal/methods.js',
      'packages/core/src/index.ts',
      'packages/events/dist/cjs/index.js',
    ]);
  });

  it('accepts Windows separators', () => {
    expect(badInputs(['packages\\rpc\\dist\\esm\\index.js'], ['core'])).toHaveLength(1);
  });
});

describe('budgets', () => {
  it('passes sizes at or under budget and fails sizes over it or without one', () => {
    const rows = compareBudgets(
      { a: { minified: 1000, gzip: 300 }, b: { minified: 10, gzip: 5 } },
      { a: { minified: 1000, gzip: 299 } },
    );
    expect(rows).toEqual([
      { fixture: 'a', metric: 'minified', size: 1000, budget: 1000, ok: true },
      { fixture: 'a', metric: 'gzip', size: 300, budget: 299, ok: false },
      { fixture: 'b', metric: 'minified', size: 10, budget: undefined, ok: false },
      { fixture: 'b', metric: 'gzip', size: 5, budget: undefined, ok: false },
    ]);
  });

  it('sets new budgets at +3%, rounded up to 100 bytes, with a floor for tiny bundles', () => {
    expect(budgetsFrom({ a: { minified: 50_000, gzip: 15_001 }, bare: { minified: 0, gzip: 20 } })).toEqual({
      a: { minified: 51_500, gzip: 15_500 },
      bare: { minified: 512, gzip: 256 },
    });
  });

  it('the committed budgets cover every fixture, and only those', () => {
    const budgets = JSON.parse(readFileSync(join(root, 'tools/bench/tree-shaking/budgets.json'), 'utf8'));
    const fixtures = readdirSync(join(root, 'tools/bench/tree-shaking/fixtures'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    expect(Object.keys(budgets).sort()).toEqual(fixtures.sort());
    expect(fixtures).toEqual(expect.arrayContaining(['bare-core', 'core-only', 'events-only', 'events-store-only', 'queues-only', 'rpc-only']));
  });
});

describe('unusedFeatureInputs', () => {
  const inputs = [
    'packages/core/src/client/kubemq-client.ts',
    'packages/core/src/codecs/json-codec.ts',
    'packages/core/src/internal/codecs/typed-channel.ts',
    'packages/events/src/internal/channel/event-channel.ts',
    'packages/core/src/opentelemetry/open-telemetry.ts',
    'node_modules/@opentelemetry/api/build/esm/index.js',
    'packages/core/src/channels/channels-client.ts',
    'packages/events/src/internal/stream/event-stream.ts',
    'packages/events-store/src/internal/stream/event-store-stream.ts',
    'packages/queues/src/queue-upstream.ts',
    'packages/queues/src/internal/upstream/upstream.ts',
    'packages/core/src/client/credentials.ts',
    'packages/core/src/internal/connection/token-manager.ts',
    'packages/events/src/internal/listen/listener.ts',
    'packages/events/src/internal/readiness/readiness.ts',
    'packages/rpc/src/internal/serve/responder.ts',
    'packages/queues/src/internal/consumer/consumer.ts',
    'packages/queues/src/queue-consumer.ts',
    // what every app of its pattern holds: the shared send stream behind send(), a constant the
    // stream handle shares with it, a typed channel's registry for the handler functions, probe tags
    'packages/events/src/internal/send/send-stream.ts',
    'packages/events-store/src/internal/stream/max-queued.ts',
    'packages/events/src/internal/listen/listen-through.ts',
    'packages/events/src/internal/readiness/probe-tags.ts',
    'packages/queues/src/internal/consumer/consume-through.ts',
    'packages/rpc/src/internal/serve/serve-through.ts',
    'packages/rpc/src/internal/serve/probe-tags.ts',
    'packages/core/src/internal/connection/call-auth.ts',
  ];

  it('flags the code of every optional feature in an app that uses none', () => {
    expect(unusedFeatureInputs(inputs, []).map((b) => [b.input, b.reason.split(' ')[0]])).toEqual([
      ['packages/core/src/codecs/json-codec.ts', 'codecs'],
      ['packages/core/src/internal/codecs/typed-channel.ts', 'codecs'],
      ['packages/events/src/internal/channel/event-channel.ts', 'codecs'],
      ['packages/core/src/opentelemetry/open-telemetry.ts', 'telemetry'],
      ['node_modules/@opentelemetry/api/build/esm/index.js', 'telemetry'],
      ['packages/core/src/channels/channels-client.ts', 'channels'],
      ['packages/events/src/internal/stream/event-stream.ts', 'streams'],
      ['packages/events-store/src/internal/stream/event-store-stream.ts', 'streams'],
      ['packages/queues/src/queue-upstream.ts', 'streams'],
      ['packages/queues/src/internal/upstream/upstream.ts', 'streams'],
      ['packages/core/src/client/credentials.ts', 'credentials'],
      ['packages/core/src/internal/connection/token-manager.ts', 'credentials'],
      ['packages/events/src/internal/listen/listener.ts', 'handlers'],
      ['packages/events/src/internal/readiness/readiness.ts', 'handlers'],
      ['packages/rpc/src/internal/serve/responder.ts', 'handlers'],
      ['packages/queues/src/internal/consumer/consumer.ts', 'handlers'],
      ['packages/queues/src/queue-consumer.ts', 'handlers'],
    ]);
  });

  it('lets an app hold what it uses', () => {
    const all = ['codecs', 'telemetry', 'channels', 'streams', 'credentials', 'handlers'];
    expect(unusedFeatureInputs(inputs, all)).toEqual([]);
    expect(unusedFeatureInputs(inputs, all.filter((f) => f !== 'telemetry')).every((b) => b.reason.startsWith('telemetry'))).toBe(true);
  });
});

describe('charsBySource', () => {
  it('gives each source the generated characters its segments own, unmapped segments none', () => {
    // Line 1 "abcdefgh": "abc" from a.ts (column 0), "de" unmapped (column 3), "fgh" from b.ts
    // (column 5); line 2 "ij" from b.ts. Each segment's fields are deltas, in base64 VLQ.
    const vlq = (n) => {
      let v = n < 0 ? (-n << 1) | 1 : n << 1;
      let out = '';
      do {
        let digit = v & 31;
        v >>>= 5;
        if (v > 0) digit |= 32;
        out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[digit];
      } while (v > 0);
      return out;
    };
    const mappings = [
      [vlq(0) + vlq(0) + vlq(0) + vlq(0), vlq(3), vlq(2) + vlq(1) + vlq(0) + vlq(0)].join(','),
      vlq(0) + vlq(0) + vlq(1) + vlq(0),
    ].join(';');
    const counts = charsBySource('abcdefgh\nij', { sources: ['a.ts', 'b.ts'], mappings });
    expect(Object.fromEntries(counts)).toEqual({ 'a.ts': 3, 'b.ts': 5 });
  });

  it('refuses a mapping it cannot read', () => {
    expect(() => charsBySource('x', { sources: ['a.ts'], mappings: 'A!' })).toThrow('not a source map mapping character');
  });

  it('reads a real esbuild source map: the bundle of two modules, each named with its share', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      stdin: { contents: "import { big } from './big.js'; console.log(big(), 1);", resolveDir: '/virtual', sourcefile: 'entry.js' },
      plugins: [{ name: 'virtual', setup: (b) => {
        b.onResolve({ filter: /big/ }, () => ({ path: '/virtual/big.js' }));
        b.onLoad({ filter: /big/ }, () => ({ contents: 'export function big() { return "' + 'x'.repeat(200) + '"; }', loader: 'js' }));
      } }],
      bundle: true, write: false, format: 'esm', minify: true, sourcemap: 'external', outfile: '/virtual/out.js', logLevel: 'silent',
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
    const sourceMap = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map')).text);
    const counts = charsBySource(code, sourceMap);
    const big = [...counts].find(([s]) => s.endsWith('big.js'));
    expect(big?.[1]).toBeGreaterThan(200);
    expect([...counts].find(([s]) => s.endsWith('entry.js'))?.[1]).toBeGreaterThan(0);
  });
});
