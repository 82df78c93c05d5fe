import type { KubemqClient } from '@kubemq/core';
import { ownBroker, uniqueChannel } from '@kubemq/testing/jest';
import { events } from '../../src/index.js';
import { connect } from './helpers.js';

// A broker whose GRPC_BODY_LIMIT is below the client's maxMessageBytes (100 MiB by default) ends
// the send stream an event over its limit came on. Only that event may fail for it.
const own = ownBroker('GRPC_BODY_LIMIT=65536', { env: { GRPC_BODY_LIMIT: '65536' } });

describe('events on a broker with a lower message size limit (own broker, GRPC_BODY_LIMIT=65536)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    if (own.available) client = await connect(own.broker.address, 'events-limit');
  });

  afterAll(async () => {
    await client?.close();
  });

  own.it('an event over it fails alone and for good; the sends beside it on the shared stream go through or fail retryably, and later ones over it are refused before sending', async () => {
    const channel = uniqueChannel('ev.limit');
    const ev = events(client);
    const sends = Array.from({ length: 20 }, (_, i) => ev.send({ channel, body: i === 10 ? new Uint8Array(100_000) : `e${i}` }));
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', retryable: false }) });
    // The broker says nothing of the others: they went through, or may or may not have, which a retry can settle.
    const others = outcomes.filter((_, i) => i !== 10);
    for (const outcome of others) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'UNAVAILABLE', retryable: true });

    // The stream knows the broker's limit now: no second break.
    await expect(ev.send({ channel, body: new Uint8Array(100_000) })).rejects.toMatchObject({
      code: 'VALIDATION',
      retryable: false,
      message: expect.stringContaining("the broker's message size limit") as string,
    });
    await expect(Promise.all(Array.from({ length: 5 }, (_, i) => ev.send({ channel, body: `after${i}` })))).resolves.toHaveLength(5);
    // A unary send over it fails alone, as it always did.
    await expect(events(client, { sendMode: 'unary' }).send({ channel, body: new Uint8Array(100_000) })).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', retryable: false });
  });
});
