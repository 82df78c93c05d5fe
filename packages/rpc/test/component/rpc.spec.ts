// The rpc clients end to end over an in-memory broker (fake-broker.ts) that stands where core's
// transport would be: message mapping, reply mapping, timeouts, readiness and "bad input sends nothing".
import { ConnectionError, IteratorOverflowError, KubemqError, TimeoutError, ValidationError, jsonCodec, textCodec } from '@kubemq/core';
import type { Request } from '@kubemq/core/internal';
import { firstValueFrom, take, toArray } from 'rxjs';
import { commandChannel, commandResponder, commands, isRpcReadinessProbe, queries, queryChannel, queryResponder, type CommandReceive, type Responder } from '../../src/index.js';
import { FakeBroker } from './fake-broker.js';

jest.mock('@kubemq/core/internal', () => {
  const actual = jest.requireActual('@kubemq/core/internal');
  return {
    ...actual,
    clientInternals: (client: { __internals: unknown }) => client.__internals,
    // Recovery is core's; here a stream is opened once.
    recoverable: (_internals: unknown, open: (attempt: number, established: () => void) => unknown) => open(0, () => undefined),
  };
});

let broker: FakeBroker;
beforeEach(() => {
  broker = new FakeBroker();
});

/** Streams open once the client is ready (a microtask later); the fake routes to them at once. */
const streamsOpen = () => new Promise((resolve) => setImmediate(resolve));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('commands', () => {
  it('round trip: the handler sees the command, the sender gets executed, tags, time and responder id', async () => {
    const client = broker.client('responder-app');
    const seen: CommandReceive[] = [];
    const responder = commandResponder(client, { channel: 'devices.reboot' }, (cmd) => {
      seen.push(cmd);
      return { tags: { device: cmd.text() }, executedAt: new Date('2026-01-01T00:00:00Z') };
    });
    await streamsOpen();
    const res = await commands(broker.client('sender-app')).send({ channel: 'devices.reboot', body: 'dev-1', metadata: 'm', tags: { a: 'b' }, timeoutMs: 500 });
    expect(res).toMatchObject({ executed: true, error: undefined, tags: { device: 'dev-1' }, responderId: 'responder-app' });
    expect(res.executedAt).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(seen[0]).toMatchObject({ id: res.id, channel: 'devices.reboot', metadata: 'm', tags: { a: 'b' }, clientId: 'sender-app', timeoutMs: 500 });
    expect(seen[0]?.replyChannel).toMatch(/^_INBOX\./);
    await responder.stop();
  });

  it('a throwing handler answers executed = false with the message, returned (not thrown) to the sender', async () => {
    const client = broker.client();
    const responder = commandResponder(client, { channel: 'c' }, () => {
      throw new Error('device offline');
    });
    await streamsOpen();
    const res = await commands(client).send({ channel: 'c', body: 'x', timeoutMs: 500 });
    expect(res.executed).toBe(false);
    expect(res.error).toBe('device offline');
    await responder.stop();
  });

  it('no responder: TimeoutError carrying the request timeout; the gRPC deadline leaves the broker room to answer', async () => {
    const err = await rejection(commands(broker.client()).send({ channel: 'nobody', body: 'x', timeoutMs: 50 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutMs: 50, channel: 'nobody', brokerCode: 301, operation: 'commands.send' });
    const call = broker.callsTo('SendRequest')[0];
    expect(call?.ctx.timeoutMs).toBeGreaterThan(50);
    expect((call?.request as Request).Timeout).toBe(50);
  });

  it('a deadline on the client side becomes the same TimeoutError', async () => {
    const client = broker.client() as unknown as { __internals: { unary: unknown } };
    client.__internals.unary = () => Promise.reject(new KubemqError({ code: 'TIMEOUT', message: 'deadline exceeded', operation: 'x', grpcStatus: 4 }));
    const err = await rejection(commands(client as never).send({ channel: 'c', body: 'x', timeoutMs: 70 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ timeoutMs: 70, grpcStatus: 4 });
  });

  it('sent after waiting for a reconnect: the broker gets only what is left of the timeout, and none left means not sent', async () => {
    const sent: Request[] = [];
    const client = broker.client() as unknown as { __internals: { unary: unknown } };
    // As the connection does for a call that waited in its buffer: tell it how long, then send.
    const waitThenSend = (waitedMs: number) => (_method: unknown, request: Request, ctx: { onDispatch?: (ms: number) => void }) => {
      ctx.onDispatch?.(waitedMs);
      sent.push({ ...request });
      return Promise.resolve({ RequestID: request.RequestID, Executed: true, Timestamp: 0, Tags: {}, Body: Buffer.alloc(0), Metadata: '' });
    };
    client.__internals.unary = waitThenSend(400.2);
    await commands(client as never).send({ channel: 'c', body: 'x', timeoutMs: 1000 });
    expect(sent.map((r) => r.Timeout)).toEqual([599]);
    client.__internals.unary = waitThenSend(1000);
    (client.__internals as unknown as { state: string }).state = 'reconnecting'; // a call waits only then
    const err = await rejection(commands(client as never).send({ channel: 'c', body: 'x', timeoutMs: 1000 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ timeoutMs: 1000, sent: false, message: expect.stringContaining('was not sent within 1000 ms: the client was reconnecting') });
    expect(sent).toHaveLength(1);
  });

  it('other failures pass through unchanged', async () => {
    const client = broker.client() as unknown as { __internals: { unary: unknown } };
    const failure = new KubemqError({ code: 'UNAVAILABLE', message: 'down', operation: 'x', retryable: true });
    client.__internals.unary = () => Promise.reject(failure);
    expect(await rejection(commands(client as never).send({ channel: 'c', body: 'x' }))).toBe(failure);
  });

  it('raw subscribe + explicit reply', async () => {
    const client = broker.client('raw');
    const cmds = commands(client);
    const received = firstValueFrom(cmds.subscribe({ channel: 'raw.*' }));
    await streamsOpen();
    const pending = cmds.send({ channel: 'raw.one', body: 'hi', timeoutMs: 500 });
    const cmd = await received;
    expect(cmd.channel).toBe('raw.one');
    expect(isRpcReadinessProbe(cmd)).toBe(false);
    await cmds.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel, executed: false, error: 'nope', tags: { why: 'test' } });
    expect(await pending).toMatchObject({ executed: false, error: 'nope', tags: { why: 'test' }, responderId: 'raw' });
    expect(broker.openStreams).toBe(0);
  });

  it('close() waits for a raw subscriber\'s request that came without its timeout (some servers clear it) until it is replied to', async () => {
    broker.clearsRequestTimeouts = true;
    const cmds = commands(broker.client());
    let handle!: (cmd: CommandReceive) => void;
    const handed = new Promise<CommandReceive>((resolve) => (handle = resolve));
    const subscription = cmds.subscribe({ channel: 'drained' }).subscribe({ next: (cmd) => handle(cmd) });
    await streamsOpen();
    const pending = cmds.send({ channel: 'drained', body: 'x', timeoutMs: 1000 });
    const cmd = await handed;
    expect(cmd.timeoutMs).toBe(0);
    // What close() does with every tracked resource: the subscription ends, then its requests in hand are waited for.
    let drained = false;
    const draining = Promise.all([...broker.tracked].map((t) => t.drain())).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(drained).toBe(false);
    await cmds.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel });
    await draining;
    expect((await pending).executed).toBe(true);
    subscription.unsubscribe();
  });

  it("close() does not wait for a responder's readiness probe that a raw subscriber never answers (a server that clears Timeout would hold it for defaultTimeoutMs)", async () => {
    broker.clearsRequestTimeouts = true;
    const client = broker.client();
    const probes: CommandReceive[] = [];
    const subscription = commands(client).subscribe({ channel: 'probed' }).subscribe({ next: (cmd) => probes.push(cmd) });
    const responder = commandResponder(broker.client('responder-app'), { channel: 'probed' }, () => undefined);
    await streamsOpen();
    await responder.ready({ timeoutMs: 2000 });
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((p) => isRpcReadinessProbe(p) && p.timeoutMs === 0)).toBe(true);
    const started = Date.now();
    await Promise.all([...broker.tracked].map((t) => t.drain()));
    expect(Date.now() - started).toBeLessThan(1000);
    subscription.unsubscribe();
    await responder.stop();
  });

  it('for await over a subscription, cancelled when the loop ends', async () => {
    const cmds = commands(broker.client());
    const loop = (async () => {
      for await (const cmd of cmds.subscribe({ channel: 'loop' })) {
        await cmds.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel });
        break;
      }
    })();
    await streamsOpen();
    const res = await cmds.send({ channel: 'loop', body: 'x', timeoutMs: 500 });
    await loop;
    expect(res.executed).toBe(true);
    expect(broker.openStreams).toBe(0);
  });
});

describe('queries', () => {
  it('round trip with data, metadata and tags', async () => {
    const client = broker.client('inventory');
    const responder = queryResponder(client, { channel: 'inventory.lookup' }, (q) => ({
      body: JSON.stringify({ sku: q.text(), stock: 4 }),
      metadata: 'application/json',
      tags: { source: 'db' },
    }));
    await streamsOpen();
    const res = await queries(client).send({ channel: 'inventory.lookup', body: 'sku-1', timeoutMs: 500 });
    expect(res.executed).toBe(true);
    expect(res.json()).toEqual({ sku: 'sku-1', stock: 4 });
    expect(res).toMatchObject({ metadata: 'application/json', tags: { source: 'db' }, cacheHit: false, responderId: 'inventory' });
    await responder.stop();
  });

  it("a responder's cacheHit reaches the requester: a handler's, a typed handler's and an explicit reply's", async () => {
    const client = broker.client();
    const handled = queryResponder(client, { channel: 'cached.handler' }, () => ({ body: 'v', cacheHit: true }));
    const typed = queryChannel(client, { channel: 'cached.typed', codec: textCodec(), responseCodec: textCodec() });
    const typedResponder = queryResponder(typed, {}, () => ({ value: 'v', cacheHit: true }));
    const raw = queries(client).subscribe({ channel: 'cached.raw' }).subscribe((q) => void queries(client).reply({ requestId: q.id, replyChannel: q.replyChannel, body: 'v', cacheHit: true }));
    await streamsOpen();
    expect((await queries(client).send({ channel: 'cached.handler', body: 'x', timeoutMs: 500 })).cacheHit).toBe(true);
    expect((await typed.send({ value: 'x', timeoutMs: 500 })).cacheHit).toBe(true);
    expect((await queries(client).send({ channel: 'cached.raw', body: 'x', timeoutMs: 500 })).cacheHit).toBe(true);
    raw.unsubscribe();
    await handled.stop();
    await typedResponder.stop();
  });

  it('cache key and TTL reach the responder (in seconds, on the wire as in the API)', async () => {
    const client = broker.client();
    const seen: Array<{ key: string | undefined; ttl: number | undefined }> = [];
    const responder = queryResponder(client, { channel: 'q' }, (q) => {
      seen.push({ key: q.cacheKey, ttl: q.cacheTtlSeconds });
      return { body: 'v' };
    });
    await streamsOpen();
    await queries(client).send({ channel: 'q', body: 'x', cacheKey: 'k1', cacheTtlSeconds: 5, timeoutMs: 500 });
    expect((broker.callsTo('SendRequest')[0]?.request as Request).CacheTTL).toBe(5);
    expect(seen).toEqual([{ key: 'k1', ttl: 5 }]);
    await responder.stop();
  });

  it('1,000 concurrent queries are each answered with their own data', async () => {
    const client = broker.client();
    const responder = queryResponder(client, { channel: 'echo' }, (q) => ({ body: `${q.id}:${q.text()}` }));
    await streamsOpen();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => queries(client).send({ channel: 'echo', id: `id-${i}`, body: String(i), timeoutMs: 2000 })),
    );
    results.forEach((res, i) => expect(res.text()).toBe(`id-${i}:${i}`));
    await responder.stop();
  });
});

describe('bad input sends nothing', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['invalid channel', { channel: 'a b', body: 'x' }, 'channel'],
    ['wildcard on send', { channel: 'devices.*', body: 'x' }, 'channel'],
    ['zero timeout', { channel: 'c', body: 'x', timeoutMs: 0 }, 'timeoutMs'],
    ['fractional timeout', { channel: 'c', body: 'x', timeoutMs: 10.5 }, 'timeoutMs'],
    ['empty request', { channel: 'c' }, 'body'],
  ];

  it.each(cases)('command with %s', async (_name, message, field) => {
    const err = await rejection(commands(broker.client()).send(message as never));
    expect(err).toBeInstanceOf(ValidationError);
    // The call that failed and its channel, never core's 'validate'.
    expect(err).toMatchObject({ field, operation: 'commands.send', channel: message.channel });
    expect(broker.calls).toHaveLength(0);
  });

  it.each([...cases, ['cache key without TTL', { channel: 'c', body: 'x', cacheKey: 'k' }, 'cacheTtlSeconds'] as [string, Record<string, unknown>, string]])(
    'query with %s',
    async (_name, message, field) => {
      const err = await rejection(queries(broker.client()).send(message as never));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ field, operation: 'queries.send', channel: message.channel });
      expect(broker.calls).toHaveLength(0);
    },
  );

  it.each([
    ['without request id', { replyChannel: '_INBOX.1' }, 'requestId'],
    ['without reply channel', { requestId: 'r1' }, 'replyChannel'],
  ])('reply %s', async (_name, reply, field) => {
    const err = await rejection(commands(broker.client()).reply(reply as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
    const qerr = await rejection(queries(broker.client()).reply(reply as never));
    expect((qerr as ValidationError).field).toBe(field);
    expect(broker.calls).toHaveLength(0);
  });

  it('bad send options', async () => {
    const err = await rejection(commands(broker.client()).send({ channel: 'c', body: 'x' }, { signal: 'no' as never }));
    expect((err as ValidationError).field).toBe('signal');
    expect(broker.calls).toHaveLength(0);
  });

  it('a timeoutMs in the send options is refused: it belongs to the message, which the broker applies', async () => {
    const err = await rejection(queries(broker.client()).send({ channel: 'c', body: 'x' }, { timeoutMs: 500 } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'timeoutMs', operation: 'queries.send' });
    expect((err as ValidationError).message).toMatch(/set timeoutMs on the query/);
    expect(broker.calls).toHaveLength(0);
  });

  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ timeoutMs: 1.5 }, 'timeoutMs'],
    [{ signal: {} }, 'signal'],
  ])('bad reply options %p', async (options, field) => {
    const err = await rejection(commands(broker.client()).reply({ requestId: 'r', replyChannel: 'i' }, options as never));
    expect((err as ValidationError).field).toBe(field);
    expect(broker.calls).toHaveLength(0);
  });

  it('every failed check names the call that failed (never core\'s "validate") and its channel', async () => {
    const client = broker.client();
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('expected a throw');
    };
    const typed = commandChannel(client, { channel: 'typed.c', codec: textCodec() });
    const cases: Array<[string, unknown, Record<string, unknown>]> = [
      ['send: timeoutMs', await rejection(commands(client).send({ channel: 'c.1', body: 'x', timeoutMs: 0 })), { operation: 'commands.send', channel: 'c.1', field: 'timeoutMs' }],
      ['send: cacheTtlSeconds', await rejection(queries(client).send({ channel: 'q.1', body: 'x', cacheKey: 'k', cacheTtlSeconds: 1.5 })), { operation: 'queries.send', channel: 'q.1', field: 'cacheTtlSeconds' }],
      ['send: cacheKey', await rejection(queries(client).send({ channel: 'q.1', body: 'x', cacheKey: 5 as never })), { operation: 'queries.send', channel: 'q.1', field: 'cacheKey' }],
      ['send: id', await rejection(commands(client).send({ channel: 'c.1', body: 'x', id: 'a b' })), { operation: 'commands.send', channel: 'c.1', field: 'id' }],
      // A lone surrogate would reach the broker as U+FFFD: the echoed id would not match.
      ['send: id with a lone surrogate', await rejection(queries(client).send({ channel: 'q.1', body: 'x', id: 'q-\uD800' })), { operation: 'queries.send', channel: 'q.1', field: 'id', message: expect.stringMatching(/lone surrogate U\+D800/) }],
      ['send options', await rejection(queries(client).send({ channel: 'q.1', body: 'x' }, { timeoutMs: 5 } as never)), { operation: 'queries.send', channel: 'q.1', field: 'timeoutMs' }],
      ['typed send', await rejection(typed.send({ value: 'x', timeoutMs: -1 })), { operation: 'commands.send', channel: 'typed.c', field: 'timeoutMs' }],
      ['subscribe: group', thrown(() => queries(client).subscribe({ channel: 'q.2', group: 'g h' })), { operation: 'queries.subscribe', channel: 'q.2', field: 'group' }],
      ['subscribe: bufferSize', thrown(() => commands(client).subscribe({ channel: 'c.2', bufferSize: 0 })), { operation: 'commands.subscribe', channel: 'c.2', field: 'bufferSize' }],
      ['responder: channel', thrown(() => queryResponder(client, { channel: 'q.' }, () => undefined)), { operation: 'queries.handle', channel: 'q.', field: 'channel' }],
      ['responder: group', thrown(() => commandResponder(client, { channel: 'c.3', group: 'g h' }, () => undefined)), { operation: 'commands.handle', channel: 'c.3', field: 'group' }],
      ['responder: concurrency', thrown(() => commandResponder(client, { channel: 'c.3', concurrency: 0 }, () => undefined)), { operation: 'commands.handle', channel: 'c.3', field: 'concurrency' }],
      ['responder: signal', thrown(() => queryResponder(client, { channel: 'q.3', signal: {} as never }, () => undefined)), { operation: 'queries.handle', channel: 'q.3', field: 'signal' }],
      ['typed responder: concurrency', thrown(() => commandResponder(typed, { concurrency: 1.5 }, () => undefined)), { operation: 'commands.handle', channel: 'typed.c', field: 'concurrency' }],
      ['reply: timeoutMs', await rejection(commands(client).reply({ requestId: 'r', replyChannel: 'i' }, { timeoutMs: 0 })), { operation: 'commands.reply', field: 'timeoutMs' }],
      ['reply: replyChannel', await rejection(queries(client).reply({ requestId: 'r', replyChannel: 'a b' })), { operation: 'queries.reply', field: 'replyChannel' }],
      ['reply: tags', await rejection(queries(client).reply({ requestId: 'r', replyChannel: 'i', tags: { a: 1 as never } })), { operation: 'queries.reply', field: 'tags.a' }],
    ];
    const responder = commandResponder(client, { channel: 'c.4' }, () => undefined);
    cases.push(['ready: timeoutMs', await rejection(responder.ready({ timeoutMs: 0 })), { operation: 'commands.ready', channel: 'c.4', field: 'timeoutMs' }]);
    cases.push(['ready: options', await rejection(responder.ready(5 as never)), { operation: 'commands.ready', channel: 'c.4', field: 'options' }]);
    await responder.stop();
    // A handler's result that is not a valid reply is reported with the channel it came on.
    const reported: unknown[] = [];
    const answering = queryResponder(client, { channel: 'q.>', onError: (e) => reported.push(e) }, () => ({ tags: { n: 1 as never } }));
    await streamsOpen();
    await queries(client).send({ channel: 'q.5', body: 'x', timeoutMs: 500 });
    await answering.stop();
    cases.push(['handler result', reported[0], { operation: 'queries.reply', channel: 'q.5', field: 'tags.n' }]);
    for (const [name, err, expected] of cases) {
      expect([name, err]).toEqual([name, expect.any(ValidationError)]);
      expect([name, err]).toEqual([name, expect.objectContaining(expected)]);
      if (expected['channel'] === undefined) expect([name, (err as ValidationError).channel]).toEqual([name, undefined]);
    }
  });

  it('subscribe and the responders throw at once on bad arguments, and open no stream', () => {
    expect(() => commands(broker.client()).subscribe({ channel: '' })).toThrow(ValidationError);
    expect(() => queries(broker.client()).subscribe({ channel: 'a', group: 'g h' })).toThrow(ValidationError);
    expect(() => commandResponder(broker.client(), { channel: 'a.' }, () => undefined)).toThrow(ValidationError);
    expect(() => commandResponder(broker.client(), { channel: 'a', concurrency: 0 }, () => undefined)).toThrow(ValidationError);
    expect(() => commandResponder(broker.client(), { channel: 'a' }, 'nope' as never)).toThrow(ValidationError);
    expect(() => commandResponder(broker.client(), { channel: 'a', onError: 5 as never }, () => undefined)).toThrow(ValidationError);
    expect(() => commandResponder(broker.client(), { channel: 'a', signal: 'no' as never }, () => undefined)).toThrow(
      expect.objectContaining({ field: 'signal' }),
    );
    expect(() => queries(broker.client()).subscribe({ channel: 'a', bufferSize: 0 })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    expect(() => commandResponder({} as never, { channel: 'a' }, () => undefined)).toThrow(expect.objectContaining({ field: 'client', operation: 'commands.handle' }));
    expect(() => queryResponder(42 as never, { channel: 'a' }, () => ({ body: 'x' }))).toThrow(expect.objectContaining({ field: 'client', operation: 'queries.handle' }));
    const typed = commandChannel(broker.client(), { channel: 'a', codec: textCodec() });
    expect(() => commandResponder(typed, null as never, () => undefined)).toThrow(expect.objectContaining({ field: 'options' }));
    const typedQueries = queryChannel(broker.client(), { channel: 'a', codec: textCodec(), responseCodec: textCodec() });
    expect(() => queryResponder(typedQueries, null as never, () => ({ value: 'x' }))).toThrow(expect.objectContaining({ field: 'options' }));
    expect(broker.calls).toHaveLength(0);
  });
});

describe('handle()', () => {
  it('readiness: the first request right after subscribing is lost while the broker registers; ready() waits it out', async () => {
    broker.registrationDelayMs = 300;
    const client = broker.client();
    const handled: string[] = [];
    const responder = commandResponder(client, { channel: 'late' }, (cmd) => {
      handled.push(cmd.text());
    });
    const early = await rejection(commands(client).send({ channel: 'late', body: 'too early', timeoutMs: 50 }));
    expect(early).toBeInstanceOf(TimeoutError);
    await responder.ready();
    expect((await commands(client).send({ channel: 'late', body: 'after ready', timeoutMs: 500 })).executed).toBe(true);
    // Probes never reach the handler.
    expect(handled).toEqual(['after ready']);
    // A second call has nothing new to prove.
    const before = broker.callsTo('SendRequest').length;
    await responder.ready();
    expect(broker.callsTo('SendRequest').length).toBe(before);
    await responder.stop();
  });

  it('a request that reached the responder proves it: ready() then sends no probe', async () => {
    const client = broker.client();
    const responder = commandResponder(client, { channel: 'busy' }, () => undefined);
    await streamsOpen();
    expect((await commands(client).send({ channel: 'busy', body: 'work', timeoutMs: 500 })).executed).toBe(true);
    const before = broker.callsTo('SendRequest').length;
    await responder.ready();
    expect(broker.callsTo('SendRequest').length).toBe(before);
    expect(responder.stats.probesAnswered).toBe(0);
    await responder.stop();
  });

  it('ready() rejects with TimeoutError when the responder never becomes routable', async () => {
    broker.registrationDelayMs = 60_000;
    const responder = commandResponder(broker.client(), { channel: 'never' }, () => undefined);
    const err = await rejection(responder.ready({ timeoutMs: 200 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ timeoutMs: 200, channel: 'never' });
    await responder.stop();
  });

  it('ready() of a wildcard responder probes a channel the pattern matches', async () => {
    const responder = queryResponder(broker.client(), { channel: 'sensors.>' }, () => ({ body: 'x' }));
    await responder.ready();
    const probe = broker.callsTo('SendRequest')[0]?.request as Request;
    expect(probe.Channel).toMatch(/^sensors\._probe_/);
    expect(probe.Tags['x-kubemq-rpc-probe']).toBeDefined();
    await responder.stop();
  });

  it('every member of a group is proven, though probes land on any member', async () => {
    const client = broker.client();
    const members = [0, 1, 2].map(() => commandResponder(client, { channel: 'grp', group: 'workers' }, () => undefined));
    await Promise.all(members.map((m) => m.ready()));
    await Promise.all(members.map((m) => m.stop()));
  });

  it('two responders without a group each prove readiness and ignore each other\'s probes', async () => {
    const client = broker.client();
    let calls = 0;
    const a = commandResponder(client, { channel: 'fan' }, () => void calls++);
    const b = commandResponder(client, { channel: 'fan' }, () => void calls++);
    await Promise.all([a.ready(), b.ready()]);
    expect(calls).toBe(0);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('stop() waits for running handlers, then settles done and stops the stream', async () => {
    const client = broker.client();
    let finish!: () => void;
    let markStarted!: () => void;
    const started = new Promise<void>((r) => (markStarted = r));
    const responder = commandResponder(client, { channel: 'slow' }, () => {
      markStarted();
      return new Promise<void>((r) => (finish = r));
    });
    await streamsOpen();
    const sent = commands(client).send({ channel: 'slow', body: 'x', timeoutMs: 1000 });
    await started;
    let stopped = false;
    const stopping = responder.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await responder.done;
    expect((await sent).executed).toBe(true);
    expect(broker.openStreams).toBe(0);
    expect(broker.tracked.size).toBe(0);
  });

  it('a request that waited longer than its timeout behind a busy handler is not executed', async () => {
    const client = broker.client();
    const ran: string[] = [];
    const responder = commandResponder(client, { channel: 'busy', concurrency: 1 }, async (cmd) => {
      ran.push(cmd.text());
      if (cmd.text() === 'first') await new Promise((r) => setTimeout(r, 100));
    });
    await streamsOpen();
    broker.deliver({ Channel: 'busy', RequestID: 'a', Body: Buffer.from('first'), ReplyChannel: '_INBOX.a', Timeout: 5000, ClientID: 's' });
    broker.deliver({ Channel: 'busy', RequestID: 'b', Body: Buffer.from('stale'), ReplyChannel: '_INBOX.b', Timeout: 20, ClientID: 's' });
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toEqual(['first']);
    expect(broker.logs.some((l) => l.includes('expired while queued'))).toBe(true);
    expect(responder.stats).toMatchObject({ received: 2, handled: 1, skipped: 1 });
    await responder.stop();
  });

  it('requests waiting behind stuck handlers leave the queue once their senders give up (skipped), not when a slot frees; one without a timeout waits on', async () => {
    const client = broker.client();
    const ran: string[] = [];
    const responder = commandResponder(client, { channel: 'stuck', concurrency: 1 }, (cmd) => {
      ran.push(cmd.id);
      return new Promise<void>(() => undefined);
    });
    await streamsOpen();
    const body = Buffer.alloc(1024);
    broker.deliver({ Channel: 'stuck', RequestID: 'running', Body: body, ReplyChannel: '_INBOX.r', Timeout: 60_000, ClientID: 's' });
    for (let i = 0; i < 50; i++) broker.deliver({ Channel: 'stuck', RequestID: `w${i}`, Body: body, ReplyChannel: `_INBOX.${i}`, Timeout: 40, ClientID: 's' });
    // Timeout 0: its deadline is unknown (a server that clears it), so it cannot expire.
    broker.deliver({ Channel: 'stuck', RequestID: 'unknown', Body: body, ReplyChannel: '_INBOX.u', Timeout: 0, ClientID: 's' });
    expect(responder.stats).toMatchObject({ received: 52, running: 1, waiting: 51, skipped: 0 });
    await new Promise((r) => setTimeout(r, 150));
    expect(responder.stats).toMatchObject({ received: 52, running: 1, waiting: 1, skipped: 50, handled: 0 });
    expect(broker.logs.filter((l) => l.includes('expired while queued'))).toHaveLength(50);
    expect(ran).toEqual(['running']);
    // stop() drops the last one (counted) and waits for the stuck handler: not awaited here.
    void responder.stop();
    expect(responder.stats).toMatchObject({ waiting: 0, skipped: 51 });
  });

  it('the handler\'s signal aborts when the sender stops waiting', async () => {
    const client = broker.client();
    let aborted: boolean | undefined;
    const responder = commandResponder(client, { channel: 'sig' }, async (_cmd, { signal }) => {
      await new Promise((r) => setTimeout(r, 150));
      aborted = signal.aborted;
    });
    await streamsOpen();
    const err = await rejection(commands(client).send({ channel: 'sig', body: 'x', timeoutMs: 50 }));
    expect(err).toBeInstanceOf(TimeoutError);
    await responder.stop();
    expect(aborted).toBe(true);
  });

  it('the handler\'s signal stays quiet while the sender waits', async () => {
    const client = broker.client();
    let aborted: boolean | undefined;
    const responder = queryResponder(client, { channel: 'sig2' }, (_q, { signal }) => {
      aborted = signal.aborted;
      return { body: 'ok' };
    });
    await streamsOpen();
    await queries(client).send({ channel: 'sig2', body: 'x', timeoutMs: 1000 });
    expect(aborted).toBe(false);
    await responder.stop();
  });

  it('the handler\'s context can be spread or listed, and each request has its own signal', async () => {
    const client = broker.client();
    const seen: { keys: string[]; spread: AbortSignal | undefined; signal: AbortSignal }[] = [];
    const responder = queryResponder(client, { channel: 'ctx' }, (_q, context) => {
      seen.push({ keys: Object.keys(context), spread: { ...context }.signal, signal: context.signal });
      return { body: 'ok' };
    });
    await streamsOpen();
    await queries(client).send({ channel: 'ctx', body: 'a', timeoutMs: 1000 });
    await queries(client).send({ channel: 'ctx', body: 'b', timeoutMs: 1000 });
    expect(seen.map((s) => s.keys)).toEqual([['signal'], ['signal']]);
    expect(seen[0]?.spread).toBeInstanceOf(AbortSignal);
    expect(seen[0]?.spread).toBe(seen[0]?.signal);
    expect(seen[0]?.signal).not.toBe(seen[1]?.signal);
    await responder.stop();
  });

  it('an invalid handler result is reported, and the sender gets executed = false instead of a timeout', async () => {
    const client = broker.client();
    const errors: unknown[] = [];
    const requests: Array<CommandReceive | undefined> = [];
    const onError = (e: unknown, request?: CommandReceive) => {
      errors.push(e);
      requests.push(request);
    };
    const responder = commandResponder(client, { channel: 'bad-result', onError }, () => ({ body: 'x' }) as never);
    await streamsOpen();
    const res = await commands(client).send({ channel: 'bad-result', body: 'x', timeoutMs: 500 });
    expect(res.executed).toBe(false);
    expect(res.error).toMatch(/invalid handler result/);
    expect(errors[0]).toBeInstanceOf(ValidationError);
    expect(requests[0]?.id).toBe(res.id);
    await responder.stop();
    expect(responder.stats).toMatchObject({ handled: 1, handlerErrors: 0, repliesSent: 1 });
  });

  it('a result that is not a reply (bytes, an array, a string) is refused, not sent as executed with an empty body: the sender learns what to return, onError hears it', async () => {
    const client = broker.client();
    const reported: Array<[unknown, string | undefined]> = [];
    const results: unknown[] = [Buffer.from('{"available":3}'), new Uint8Array([1, 2]), [{ body: 'x' }], 'plain text'];
    let next = 0;
    const responder = queryResponder(client, { channel: 'raw-result', onError: (e, q) => reported.push([e, q?.id]) }, () => results[next++] as never);
    await streamsOpen();
    const ids: string[] = [];
    for (const what of ['Buffer', 'Uint8Array', 'an array', 'string']) {
      const res = await queries(client).send({ channel: 'raw-result', body: 'x', timeoutMs: 500 });
      expect(res).toMatchObject({
        executed: false,
        error: `invalid handler result: invalid reply: the handler returned ${what}; return nothing or an object such as { body, metadata, tags }`,
      });
      expect(res.body).toHaveLength(0);
      ids.push(res.id);
    }
    expect(reported).toEqual(ids.map((id) => [expect.objectContaining({ code: 'VALIDATION', field: 'reply', operation: 'queries.reply' }), id]));
    await responder.stop();
    expect(responder.stats).toMatchObject({ handled: 4, handlerErrors: 0, repliesSent: 4, replyErrors: 0 });

    // A command handler, plain or typed, is held to the same: bytes are no answer to a command.
    const reported2: unknown[] = [];
    const plain = commandResponder(client, { channel: 'raw-command', onError: (e) => reported2.push(e) }, () => Buffer.from('done') as never);
    const typed = commandResponder(commandChannel(client, { channel: 'raw-typed', codec: textCodec() }), { onError: (e) => reported2.push(e) }, () => [] as never);
    await streamsOpen();
    expect(await commands(client).send({ channel: 'raw-command', body: 'x', timeoutMs: 500 })).toMatchObject({ executed: false, error: expect.stringMatching(/returned Buffer; .*\{ tags \}/) });
    expect(await commands(client).send({ channel: 'raw-typed', body: 'x', timeoutMs: 500 })).toMatchObject({ executed: false, error: expect.stringMatching(/returned an array; /) });
    expect(reported2).toEqual([expect.objectContaining({ field: 'reply' }), expect.objectContaining({ field: 'reply' })]);
    await Promise.all([plain.stop(), typed.stop()]);
  });

  it('typed channels still answer with their encoded value, and a command handler\'s plain result as before', async () => {
    const client = broker.client();
    const stock = queryChannel(client, { channel: 'typed-stock', codec: jsonCodec<{ sku: string }>(), responseCodec: jsonCodec<{ available: number }>() });
    const stockResponder = queryResponder(stock, {}, (q) => ({ value: { available: q.value.sku.length }, metadata: 'json' }));
    const reboots = commandChannel(client, { channel: 'typed-reboot', codec: textCodec() });
    const rebootResponder = commandResponder(reboots, {}, (cmd) => ({ tags: { device: cmd.value } }));
    await streamsOpen();
    const answer = await stock.send({ value: { sku: 'sku-1' }, timeoutMs: 500 });
    expect(answer).toMatchObject({ ok: true, executed: true, value: { available: 5 }, metadata: 'json' });
    expect(await reboots.send({ value: 'dev-1', timeoutMs: 500 })).toMatchObject({ executed: true, tags: { device: 'dev-1' } });
    await Promise.all([stockResponder.stop(), rebootResponder.stop()]);
    expect(stockResponder.stats).toMatchObject({ handled: 1, handlerErrors: 0, repliesSent: 1 });
  });

  it('the handler runs requests concurrently up to `concurrency`', async () => {
    const client = broker.client();
    let running = 0;
    let peak = 0;
    const responder = queryResponder(client, { channel: 'par', concurrency: 4 }, async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return { body: 'ok' };
    });
    await streamsOpen();
    await Promise.all(Array.from({ length: 12 }, () => queries(client).send({ channel: 'par', body: 'x', timeoutMs: 2000 })));
    expect(peak).toBe(4);
    await responder.stop();
  });

  it('a subscription that fails ends the responder: done rejects and onError hears it', async () => {
    const client = broker.client();
    const errors: unknown[] = [];
    const responder = commandResponder(client, { channel: 'dies', onError: (e) => errors.push(e) }, () => undefined);
    await streamsOpen();
    const failure = new KubemqError({ code: 'PERMISSION_DENIED', message: 'no', operation: 'x' });
    const stream = broker.callsTo('SubscribeToRequests')[0];
    expect(stream).toBeDefined();
    // Fail the open stream from the broker's side.
    broker.breakStreams(failure);
    expect(await rejection(responder.done)).toBe(failure);
    expect(errors).toContain(failure);
  });

  it('stats: requests received, handled (returned) and failed (threw), answered; probes counted apart', async () => {
    const client = broker.client();
    const responder = queryResponder(client, { channel: 'counted' }, (q) => {
      if (q.text() === 'fail') throw new Error('no');
      return { body: 'ok' };
    });
    await responder.ready();
    const probes = responder.stats.probesAnswered;
    expect(probes).toBeGreaterThanOrEqual(1);
    for (const body of ['a', 'fail', 'b']) await queries(client).send({ channel: 'counted', body, timeoutMs: 500 });
    // The sender may have its answer a moment before the responder counts it: stop() waits for that.
    await responder.stop();
    expect(responder.stats).toEqual({
      received: 3,
      // handled + handlerErrors = runs, as in an events listener.
      handled: 2,
      handlerErrors: 1,
      skipped: 0,
      repliesSent: 3,
      replyErrors: 0,
      probesAnswered: probes,
      running: 0,
      waiting: 0,
      recoveries: 0,
    });
    // A snapshot: reading it again gives a new object.
    expect(responder.stats).not.toBe(responder.stats);
  });

  it('a request that timed out waiting for a reconnect fails as every unary call does: core\'s TimeoutError, sent: false, the reconnect failure as cause', async () => {
    const client = broker.client() as unknown as { __internals: { state: string; unary: (m: unknown, r: unknown, ctx: { timeoutMs: number; maxWaitMs?: number }) => Promise<unknown> } };
    client.__internals.state = 'reconnecting';
    // What core's connection rejects such a call with (pending-calls.ts).
    const down = new ConnectionError({ code: 'UNAVAILABLE', message: 'connect ECONNREFUSED', operation: 'client.reconnect', retryable: true });
    const waited = new TimeoutError({
      message: 'commands.send on channel "down" timed out after 500 ms waiting for the connection (state reconnecting; the last attempt failed with UNAVAILABLE: connect ECONNREFUSED)',
      operation: 'commands.send',
      channel: 'down',
      timeoutMs: 500,
      sent: false,
      cause: down,
    });
    const contexts: Array<{ timeoutMs: number; maxWaitMs?: number }> = [];
    client.__internals.unary = (_m, _r, ctx) => {
      contexts.push(ctx);
      return Promise.reject(waited);
    };
    const err = await rejection(commands(client as never).send({ channel: 'down', body: 'x', timeoutMs: 500 }));
    // The call's deadline has a margin for the broker's own timeout answer; unsent, it waits no longer than the command's limit.
    expect(contexts).toEqual([expect.objectContaining({ timeoutMs: 1500, maxWaitMs: 500 })]);
    expect(err).toBe(waited);
    expect((err as TimeoutError).cause).toBeInstanceOf(ConnectionError);
    // Sent and unanswered is the other case: it says so.
    client.__internals.state = 'ready';
    client.__internals.unary = () => Promise.reject(new TimeoutError({ message: 'deadline', operation: 'commands.send', timeoutMs: 1500, sent: true }));
    expect(await rejection(commands(client as never).send({ channel: 'down', body: 'x', timeoutMs: 500 }))).toMatchObject({ sent: true, timeoutMs: 500, message: expect.stringMatching(/no response within 500 ms/) });
  });

  it('stats: a reply the broker refuses is counted and reported with its request', async () => {
    const client = broker.client() as unknown as { __internals: { unary: (m: { path: string }, r: unknown, c: unknown) => Promise<unknown> } };
    const reported: Array<[unknown, CommandReceive | undefined]> = [];
    const responder = commandResponder(client as never, { channel: 'refused', onError: (e, request) => reported.push([e, request]) }, () => undefined);
    await streamsOpen();
    const refusal = new KubemqError({ code: 'UNAVAILABLE', message: 'reply refused', operation: 'x', retryable: true });
    client.__internals.unary = () => Promise.reject(refusal);
    broker.deliver({ Channel: 'refused', RequestID: 'r1', Body: Buffer.from('x'), ReplyChannel: '_INBOX.r1', Timeout: 5000, ClientID: 's' });
    await responder.stop();
    expect(reported).toEqual([[refusal, expect.objectContaining({ id: 'r1' })]]);
    expect(responder.stats).toMatchObject({ received: 1, handled: 1, repliesSent: 0, replyErrors: 1 });
  });

  it('a reply lost to a connection drop is sent once more while its sender waits: the sender gets it, the command ran once', async () => {
    const client = broker.client();
    let runs = 0;
    const responder = commandResponder(client, { channel: 'dropped' }, () => void runs++);
    await streamsOpen();
    broker.dropResponses = 1;
    const res = await commands(broker.client('sender-app')).send({ channel: 'dropped', body: 'x', timeoutMs: 2000 });
    expect(res.executed).toBe(true);
    expect(runs).toBe(1);
    expect(responder.stats).toMatchObject({ handled: 1, repliesSent: 1, replyErrors: 0 });
    await responder.stop();
  });

  it('a reply lost to a drop is sent once more when the server cleared the request\'s timeout (its deadline unknown): the sender gets it, the command ran once', async () => {
    broker.clearsRequestTimeouts = true;
    const client = broker.client();
    const seen: number[] = [];
    const responder = commandResponder(client, { channel: 'cleared' }, (cmd) => void seen.push(cmd.timeoutMs));
    await streamsOpen();
    broker.dropResponses = 1;
    const res = await commands(broker.client('sender-app')).send({ channel: 'cleared', body: 'x', timeoutMs: 2000 });
    expect(res.executed).toBe(true);
    expect(seen).toEqual([0]);
    expect(responder.stats).toMatchObject({ handled: 1, repliesSent: 1, replyErrors: 0 });
    // Its deadline unknown, the re-send waits for the connection up to the client's defaultTimeoutMs.
    expect(broker.callsTo('SendResponse').map((c) => c.ctx.timeoutMs)).toEqual([undefined, 3_000]);
    await responder.stop();
  });

  it('onError defaults to a warning through the client\'s logger, naming the request', async () => {
    const client = broker.client();
    const responder = commandResponder(client, { channel: 'warned' }, () => ({ metadata: 'not on a command' }) as never);
    await streamsOpen();
    const res = await commands(client).send({ channel: 'warned', body: 'x', timeoutMs: 500 });
    expect(res.executed).toBe(false);
    const warning = broker.logEntries.find((e) => e.level === 'warn');
    expect(warning?.message).toMatch(/^commands\.handle on "warned": invalid metadata/);
    expect(warning?.fields).toEqual({ channel: 'warned', code: 'VALIDATION', requestId: res.id });
    await responder.stop();
  });

  it('its signal stops it: no new requests, done resolves, the stream ends', async () => {
    const client = broker.client();
    const shutdown = new AbortController();
    const responder = commandResponder(client, { channel: 'aborted', signal: shutdown.signal }, () => undefined);
    await streamsOpen();
    expect(broker.openStreams).toBe(1);
    shutdown.abort();
    await responder.done;
    expect(broker.openStreams).toBe(0);
    expect(broker.tracked.size).toBe(0);
    await expect(responder.ready()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('an already aborted signal stops it at once', async () => {
    const responder = queryResponder(broker.client(), { channel: 'never-started', signal: AbortSignal.abort() }, () => ({ body: 'x' }));
    await responder.done;
    await streamsOpen();
    expect(broker.openStreams).toBe(0);
  });

  it('stop() drops requests still waiting for a slot, counts them as skipped, and is idempotent', async () => {
    const client = broker.client();
    let finish!: () => void;
    const responder = commandResponder(client, { channel: 'queue', concurrency: 1 }, () => new Promise<void>((r) => (finish = r)));
    await streamsOpen();
    for (const id of ['1', '2', '3']) {
      broker.deliver({ Channel: 'queue', RequestID: id, Body: Buffer.from(id), ReplyChannel: `_INBOX.${id}`, Timeout: 5000, ClientID: 's' });
    }
    expect(responder.stats).toMatchObject({ received: 3, running: 1, waiting: 2 });
    const stopping = responder.stop();
    expect(responder.stop()).toBe(stopping);
    finish();
    await stopping;
    expect(responder.stats).toMatchObject({ handled: 1, skipped: 2, running: 0, waiting: 0 });
  });

  it('await using stops it', async () => {
    const client = broker.client();
    let responder: Responder | undefined;
    {
      await using serving = commandResponder(client, { channel: 'scoped' }, () => undefined);
      responder = serving;
      await streamsOpen();
      expect(broker.openStreams).toBe(1);
    }
    await responder.done;
    expect(broker.openStreams).toBe(0);
  });

  it('ready() takes CallOptions: a signal aborts it, a bad timeoutMs is refused', async () => {
    broker.registrationDelayMs = 60_000;
    const responder = commandResponder(broker.client(), { channel: 'slow-start' }, () => undefined);
    const abort = new AbortController();
    const waiting = rejection(responder.ready({ signal: abort.signal }));
    abort.abort();
    expect(await waiting).toMatchObject({ code: 'CANCELLED', operation: 'commands.ready' });
    expect(await rejection(responder.ready({ timeoutMs: 0 }))).toMatchObject({ field: 'timeoutMs' });
    await responder.stop();
  });

  it('a subscription\'s bufferSize bounds how far a for-await loop may fall behind', async () => {
    const cmds = commands(broker.client());
    const iterator = cmds.subscribe({ channel: 'buffered', bufferSize: 2 })[Symbol.asyncIterator]();
    await streamsOpen();
    for (const id of ['1', '2', '3']) broker.deliver({ Channel: 'buffered', RequestID: id, Metadata: id, ReplyChannel: 'i', RequestTypeData: 1 });
    expect((await iterator.next()).value?.id).toBe('1');
    expect((await iterator.next()).value?.id).toBe('2');
    await expect(iterator.next()).rejects.toBeInstanceOf(IteratorOverflowError);
    expect(broker.openStreams).toBe(0);
  });

  it('collects a subscription\'s first values as data', async () => {
    const cmds = commands(broker.client());
    const two = firstValueFrom(cmds.subscribe({ channel: 'x' }).pipe(take(2), toArray()));
    await streamsOpen();
    broker.deliver({ Channel: 'x', RequestID: '1', Metadata: 'a', ReplyChannel: 'i', RequestTypeData: 1 });
    broker.deliver({ Channel: 'x', RequestID: '2', Metadata: 'b', ReplyChannel: 'i', RequestTypeData: 1 });
    expect((await two).map((c) => c.metadata)).toEqual(['a', 'b']);
  });
});

describe('typed channels', () => {
  it('handle(options, handler): options first, as on the clients; onError gets the request that did not decode', async () => {
    const client = broker.client();
    const reported: Array<[unknown, CommandReceive | undefined]> = [];
    const reboots = commandChannel(commands(client), { channel: 'typed', codec: jsonCodec<{ device: string }>() });
    const responder = commandResponder(reboots, { concurrency: 2, onError: (e, request) => reported.push([e, request]) }, (cmd) => ({ tags: { device: cmd.value.device } }));
    await streamsOpen();
    expect((await reboots.send({ value: { device: 'dev-1' }, timeoutMs: 500 })).tags).toEqual({ device: 'dev-1' });
    const bad = await commands(client).send({ channel: 'typed', body: 'not json', timeoutMs: 500 });
    expect(bad.executed).toBe(false);
    expect(reported).toEqual([[expect.objectContaining({ code: 'DECODE_FAILED' }), expect.objectContaining({ id: bad.id })]]);
    await responder.stop();
    expect(responder.stats).toMatchObject({ handled: 1, handlerErrors: 1 });
  });

  it('a typed subscription keeps its bufferSize', async () => {
    const typed = queryChannel(queries(broker.client()), { channel: 'typed-buffer', codec: textCodec(), responseCodec: textCodec() });
    const iterator = typed.subscribe({ bufferSize: 1 })[Symbol.asyncIterator]();
    await streamsOpen();
    for (const id of ['1', '2']) broker.deliver({ Channel: 'typed-buffer', RequestID: id, Body: Buffer.from(id), ReplyChannel: 'i', RequestTypeData: 2 });
    expect((await iterator.next()).value).toMatchObject({ ok: true, value: '1' });
    await expect(iterator.next()).rejects.toBeInstanceOf(IteratorOverflowError);
  });

  it('reply() takes CallOptions', async () => {
    const typed = queryChannel(queries(broker.client()), { channel: 'typed-reply', codec: textCodec(), responseCodec: textCodec() });
    const err = await rejection(typed.reply({ requestId: 'r', replyChannel: 'i', value: 'x' }, { timeoutMs: -1 }));
    expect(err).toMatchObject({ field: 'timeoutMs' });
    await typed.reply({ requestId: 'r', replyChannel: 'i', value: 'x' }, { timeoutMs: 500 });
    expect(broker.callsTo('SendResponse')[0]?.ctx.timeoutMs).toBe(500);
  });
});
