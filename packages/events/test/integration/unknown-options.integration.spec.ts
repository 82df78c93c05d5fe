import { textCodec, type KubemqClient } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventChannel, eventListener, events, type EventReceive } from '../../src/index.js';
import { connect } from './helpers.js';

describe('events: options a call does not know (integration)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'events-unknown-options');
  });
  afterAll(async () => {
    await client?.close();
  });

  it('a listener or subscription given one is refused with VALIDATION and never subscribes; the client goes on', async () => {
    const channel = uniqueChannel('ev.unknown-options');
    const refused: EventReceive[] = [];
    expect(() => eventListener(client, { channel, clientId: 'mine' } as never, (event) => void refused.push(event))).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'clientId', message: expect.stringContaining('use KubemqClient.connect({ clientId })') }),
    );
    expect(() => eventChannel(client, { channel, codec: textCodec() }).subscribe(5 as never)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'options' }));

    const received: EventReceive[] = [];
    const listener = eventListener(client, { channel }, (event) => void received.push(event));
    try {
      await listener.ready();
      const { id } = await events(client).send({ channel, body: 'one' });
      await eventually(() => expect(received.map((e) => e.id)).toEqual([id]));
      expect(refused).toEqual([]);
    } finally {
      await listener.stop();
    }
  });
});
