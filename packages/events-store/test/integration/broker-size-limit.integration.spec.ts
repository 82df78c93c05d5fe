import type { KubemqClient } from '@kubemq/core';
import { eventually, ownBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventsStore, StartPosition, type EventStoreSendResult } from '../../src/index.js';
import { collect, connect } from './helpers.js';

// A broker whose GRPC_BODY_LIMIT is below the client's maxMessageBytes (100 MiB by default) ends
// the send stream an event over its limit came on. Only that event may fail for it.
const own = ownBroker('GRPC_BODY_LIMIT=65536', { env: { GRPC_BODY_LIMIT: '65536' } });

describe('the events store on a broker with a lower message size limit (own broker, GRPC_BODY_LIMIT=65536)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    if (own.available) client = await connect(own.broker.address, 'events-store-limit');
  });

  afterAll(async () => {
    await client?.close();
  });

  own.it('an event over it fails alone and for good; every event confirmed beside it is stored, and later ones over it are refused before sending', async () => {
    const channel = uniqueChannel('es.limit');
    const store = eventsStore(client);
    const sends = Array.from({ length: 20 }, (_, i) => store.send({ channel, body: i === 10 ? new Uint8Array(100_000) : `e${i}` }));
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', retryable: false }) });
    const confirmed: string[] = [];
    outcomes.forEach((outcome, i) => {
      if (i === 10) return;
      if (outcome.status === 'fulfilled') confirmed.push(`e${i}`);
      else expect(outcome.reason).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    });

    await expect(store.send({ channel, body: new Uint8Array(100_000) })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining("the broker's message size limit") as string,
    });
    const after: EventStoreSendResult = await store.send({ channel, body: 'after' });
    expect(after.sent).toBe(true);

    const history = collect(store.subscribe({ channel, startAt: StartPosition.fromFirst() }));
    try {
      await eventually(() => expect(history.items.map((e) => Buffer.from(e.body).toString())).toContain('after'));
      const stored = history.items.map((e) => Buffer.from(e.body).toString());
      expect(stored).toEqual(expect.arrayContaining(confirmed));
      expect(history.items.every((e) => e.body.byteLength < 100_000)).toBe(true);
    } finally {
      history.sub.unsubscribe();
    }
  });
});
