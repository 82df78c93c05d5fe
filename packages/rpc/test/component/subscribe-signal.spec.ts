// A raw subscription's signal: aborting it ends the subscription quietly, also a `for await` loop
// that waits for a request (which no check in its body could end).
import { getEventListeners } from 'node:events';
import { textCodec } from '@kubemq/core';
import { commandChannel, commands, queries, queryChannel } from '../../src/index.js';
import { FakeBroker } from './fake-broker.js';

jest.mock('@kubemq/core/internal', () => {
  const actual = jest.requireActual('@kubemq/core/internal');
  return { ...actual, clientInternals: (client: { __internals: unknown }) => client.__internals };
});

let broker: FakeBroker;
beforeEach(() => {
  broker = new FakeBroker();
});

const streamsOpen = () => new Promise((resolve) => setImmediate(resolve));
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('commands and queries: subscribe({ signal })', () => {
  it.each(['commands', 'queries'] as const)('%s: a for await loop waiting for a request ends without an error when it aborts; its stream is cancelled, the listener removed', async (kind) => {
    const client = kind === 'commands' ? commands(broker.client()) : queries(broker.client());
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const request of client.subscribe({ channel: 'jobs', signal: controller.signal })) seen.push(request.id);
      return 'ended';
    })();
    await streamsOpen();
    broker.deliver({ Channel: 'jobs', RequestID: '1', ReplyChannel: 'i', RequestTypeData: kind === 'commands' ? 1 : 2 });
    await streamsOpen();
    expect(broker.openStreams).toBe(1);
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    expect(seen).toEqual(['1']);
    expect(broker.openStreams).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('a subscriber sees it complete; already aborted, it completes at once and opens no stream', async () => {
    const cmds = commands(broker.client());
    const controller = new AbortController();
    const ends: string[] = [];
    cmds.subscribe({ channel: 'jobs', signal: controller.signal }).subscribe({ error: () => ends.push('error'), complete: () => ends.push('complete') });
    await streamsOpen();
    controller.abort();
    expect(ends).toEqual(['complete']);
    expect(broker.openStreams).toBe(0);

    cmds.subscribe({ channel: 'jobs', signal: AbortSignal.abort() }).subscribe({ complete: () => ends.push('complete at once') });
    for await (const _ of cmds.subscribe({ channel: 'jobs', signal: AbortSignal.abort() })) throw new Error('no request');
    await streamsOpen();
    expect(ends).toEqual(['complete', 'complete at once']);
    expect(broker.callsTo('SubscribeToRequests')).toHaveLength(1);
  });

  it('the typed channels take it too', async () => {
    const controller = new AbortController();
    const typedCommands = commandChannel(commands(broker.client()), { channel: 'typed', codec: textCodec() });
    const typedQueries = queryChannel(queries(broker.client()), { channel: 'typed', codec: textCodec(), responseCodec: textCodec() });
    const loops = [typedCommands.subscribe({ signal: controller.signal }), typedQueries.subscribe({ signal: controller.signal })].map(async (subscription) => {
      for await (const _ of subscription) throw new Error('no request');
      return 'ended';
    });
    await streamsOpen();
    expect(broker.openStreams).toBe(2);
    controller.abort();
    await expect(Promise.all(loops)).resolves.toEqual(['ended', 'ended']);
    expect(broker.openStreams).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('removes the abort listener when the subscription ends otherwise, and refuses a signal that is no AbortSignal', async () => {
    const cmds = commands(broker.client());
    const { signal } = new AbortController();
    for (let i = 0; i < 10; i++) {
      cmds.subscribe({ channel: 'jobs', signal }).subscribe().unsubscribe();
      const loop = (async () => {
        for await (const _ of cmds.subscribe({ channel: 'jobs', signal })) break;
      })();
      await streamsOpen();
      broker.deliver({ Channel: 'jobs', RequestID: `${i}`, ReplyChannel: 'i', RequestTypeData: 1 });
      await loop;
    }
    expect(listeners(signal)).toBe(0);
    expect(() => queries(broker.client()).subscribe({ channel: 'jobs', signal: 'stop' as never })).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'signal', operation: 'queries.subscribe' }));
  });
});
