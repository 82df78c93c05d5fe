import type { KubemqClient } from '@kubemq/core';
import { startKubemq, type KubemqBroker } from '@kubemq/testing';
import { expectedKind } from '@kubemq/testing';
import { itSkipBecause, uniqueChannel } from '@kubemq/testing/jest';
import { queues, queueUpstream } from '../../src/index.js';
import { connect } from './helpers.js';

// A broker configured with a lower delay limit than the client assumes: the broker's own refusal
// reaches the caller as a typed error (single send) or in the results (batch).
// An external broker (KUBEMQ_ADDRESS) is not started by the tests, so it cannot take the setting.
const external = expectedKind() === 'external';
const itConfigured = external ? itSkipBecause('an external broker (KUBEMQ_ADDRESS) cannot be started with QUEUE_MAX_DELAY_SECONDS=60') : it;

describe('broker-side refusals (own broker, QUEUE_MAX_DELAY_SECONDS=60)', () => {
  let broker: KubemqBroker;
  let client: KubemqClient;

  beforeAll(async () => {
    if (external) return;
    broker = await startKubemq({ env: { QUEUE_MAX_DELAY_SECONDS: '60' } });
    client = await connect(broker.address, 'queues-limits');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  itConfigured('a single send the broker refuses throws a KubemqError with the broker code', async () => {
    const channel = uniqueChannel('q.limits');
    await expect(queues(client).send({ channel, body: 'x', policy: { delaySeconds: 120 } })).rejects.toMatchObject({
      code: 'VALIDATION',
      brokerCode: 135,
      retryable: false,
    });
  });

  itConfigured('a batch reports the refused message in its result and counts it', async () => {
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

  itConfigured('an upstream send reports the refused message in its result and counts it', async () => {
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

  itConfigured('client-side limits can be raised or lowered to match the broker', async () => {
    const channel = uniqueChannel('q.limits');
    const q = queues(client, { limits: { maxDelaySeconds: 60 } });
    await expect(q.send({ channel, body: 'x', policy: { delaySeconds: 120 } })).rejects.toMatchObject({ field: 'policy.delaySeconds' });
  });
});
