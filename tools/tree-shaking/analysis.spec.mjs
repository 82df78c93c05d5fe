import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInputs, budgetsFrom, compareBudgets, findMethodLiterals, foreignMethodNames, parseMethodNames, unusedFeatureInputs } from './analysis.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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
      // unaryMethod is documented here, but this line declares nothing
    `;
    expect(parseMethodNames(source)).toEqual(['QueuesDownstream', 'SendEvent', 'SubscribeToEvents']);
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
      'tools/tree-shaking/fixtures/events-only.ts',
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

  it('sets new budgets at +10%, rounded up to 100 bytes, with a floor for tiny bundles', () => {
    expect(budgetsFrom({ a: { minified: 50_000, gzip: 15_001 }, bare: { minified: 0, gzip: 20 } })).toEqual({
      a: { minified: 55_000, gzip: 16_600 },
      bare: { minified: 512, gzip: 256 },
    });
  });

  it('the committed budgets cover every fixture, and only those', () => {
    const budgets = JSON.parse(readFileSync(join(root, 'tools/tree-shaking/budgets.json'), 'utf8'));
    const fixtures = readdirSync(join(root, 'tools/tree-shaking/fixtures'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    expect(Object.keys(budgets).sort()).toEqual(fixtures.sort());
    expect(fixtures).toEqual(expect.arrayContaining(['bare-core', 'core-only', 'events-only', 'events-store-only', 'queues-only', 'rpc-only']));
  });
});

describe('unusedFeatureInputs', () => {
  const inputs = [
    'packages/core/dist/esm/client/kubemq-client.js',
    'packages/core/dist/esm/codecs/json-codec.js',
    'packages/core/dist/esm/internal/codecs/typed-channel.js',
    'packages/events/dist/esm/internal/channel/event-channel.js',
    'packages/core/dist/esm/opentelemetry/open-telemetry.js',
    'node_modules/@opentelemetry/api/build/esm/index.js',
    'packages/core/dist/esm/channels/channels-client.js',
    'packages/events/dist/esm/internal/stream/event-stream.js',
    'packages/events-store/dist/esm/internal/stream/event-store-stream.js',
    'packages/queues/dist/esm/internal/upstream/upstream.js',
    // the shared send stream behind events(client).send() is the pattern's own, not an optional feature
    'packages/events/dist/esm/internal/send/send-stream.js',
  ];

  it('flags codec, typed-channel, OpenTelemetry, channel-management and send-stream code in an app that uses none', () => {
    expect(unusedFeatureInputs(inputs, []).map((b) => [b.input, b.reason.split(' ')[0]])).toEqual([
      ['packages/core/dist/esm/codecs/json-codec.js', 'codecs'],
      ['packages/core/dist/esm/internal/codecs/typed-channel.js', 'codecs'],
      ['packages/events/dist/esm/internal/channel/event-channel.js', 'codecs'],
      ['packages/core/dist/esm/opentelemetry/open-telemetry.js', 'telemetry'],
      ['node_modules/@opentelemetry/api/build/esm/index.js', 'telemetry'],
      ['packages/core/dist/esm/channels/channels-client.js', 'channels'],
      ['packages/events/dist/esm/internal/stream/event-stream.js', 'streams'],
      ['packages/events-store/dist/esm/internal/stream/event-store-stream.js', 'streams'],
      ['packages/queues/dist/esm/internal/upstream/upstream.js', 'streams'],
    ]);
  });

  it('lets an app hold what it uses', () => {
    expect(unusedFeatureInputs(inputs, ['codecs', 'telemetry', 'channels', 'streams'])).toEqual([]);
    expect(unusedFeatureInputs(inputs, ['codecs', 'channels', 'streams']).every((b) => b.reason.startsWith('telemetry'))).toBe(true);
  });
});
