import type { KubemqClient } from '@kubemq/core';
import { ownBroker, uniqueChannel } from '@kubemq/testing/jest';
import { queues, queueUpstream } from '../../src/index.js';
import { connect } from './helpers.js';

// A broker configured with a lower delay limit than the client assumes: the broker's own refusal
// reaches the caller as a typed error (single send) or in the results (batch).
const own = ownBroker('QUEUE_MAX_DELAY_SECONDS=60', { env: { QUEUE_MAX_DELAY_SECONDS: '60' } });

describe('broker-side refusals (own broker, QUEUE_MAX_DELAY_SECONDS=60)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    if (own.available) client = await connect(own.broker.address, 'queues-limits');
  });

  afterAll(async () => {
    await client?.close();
  });

  own.it('a single send the broker refuses throws a KubemqError with the broker code', async () => {
    const channel = uniqueChannel('q.limits');
    await expect(queues(client).send({ channel, body: 'x', policy: { delaySeconds: 120 } })).rejects.toMatchObject({
      code: 'VALIDATION',
      brokerCode: 135,
      retryable: false,
    });
  });

  own.it('a batch reports the refused message in its result and counts it', async () => {
    const channel = uniqueChannel('q.limits');
    const batch = await queues(client).sendBatch([
      { channel, body: 'ok' },
      { channel, body: 'too late', policy: { delaySeconds: 120 } },
    ]);
    expect(batch.failed).toBe(1);
    expect(batch.results[0]).toMatchObject({ sentAt: expect.any(Date) as Date });
    expect(batch.results[0]).not.toHaveProperty('error');
    // A refused message has no store time, only the broker's error.
    expect(Object.keys(batch.results[1] ?? {}).sort()).toEqual(['error', 'id']);
    expect(batch.results[1]).toMatchObject({ error: { brokerCode: 135 } });
  });

  own.it('an upstream send reports the refused message in its result and counts it', async () => {
    const channel = uniqueChannel('q.limits');
    await using up = queueUpstream(client);
    const batch = await up.send([
      { channel, body: 'too late', policy: { delaySeconds: 120 } },
      { channel, body: 'ok' },
    ]);
    expect(batch.failed).toBe(1);
    expect(Object.keys(batch.results[0] ?? {}).sort()).toEqual(['error', 'id']);
    expect(batch.results[0]).toMatchObject({ error: { brokerCode: 135 } });
    expect(batch.results[1]).toMatchObject({ sentAt: expect.any(Date) as Date });
  });

  own.it('client-side limits can be raised or lowered to match the broker', async () => {
    const channel = uniqueChannel('q.limits');
    const q = queues(client, { limits: { maxDelaySeconds: 60 } });
    await expect(q.send({ channel, body: 'x', policy: { delaySeconds: 120 } })).rejects.toMatchObject({ field: 'policy.delaySeconds' });
  });
});
