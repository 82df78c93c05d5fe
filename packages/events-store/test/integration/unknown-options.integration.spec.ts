import { textCodec, type KubemqClient } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventsStore, eventStoreChannel, StartPosition } from '../../src/index.js';
import { collect, connect } from './helpers.js';

describe('events store: options a call does not know (integration)', () => {
  let client: KubemqClient;
  beforeAll(async () => {
    client = await connect(sharedBroker().address);
  });
  afterAll(async () => {
    await client?.close();
  });

  it("kubemq-js's requestType, or options that are no object, are refused with VALIDATION instead of replaying nothing", async () => {
    const channel = uniqueChannel('es.unknown-options');
    const store = eventsStore(client);
    for (let i = 0; i < 3; i++) await store.send({ channel, body: `e${i}` });

    expect(() => store.subscribe({ channel, requestType: 2 } as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'requestType', message: expect.stringContaining('use startAt: StartPosition.fromFirst()') }),
    );
    expect(() => eventStoreChannel(store, { channel, codec: textCodec() }).subscribe(null as never)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'options' }));

    const replay = collect(store.subscribe({ channel, startAt: StartPosition.fromFirst() }));
    try {
      await eventually(() => expect(replay.items.map((e) => e.text())).toEqual(['e0', 'e1', 'e2']));
    } finally {
      replay.sub.unsubscribe();
    }
  });
});
