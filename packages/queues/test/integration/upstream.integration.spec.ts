import { KubemqClient } from '@kubemq/core';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { queues, queueUpstream, type QueueSendResult } from '../../src/index.js';
import { bodies, connect } from './helpers.js';

describe('queueUpstream(): batches over one stream', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-up');
  });

  afterAll(async () => {
    await client.close();
  });

  it('sends overlapping batches and gets every result, each with its store time', async () => {
    const channel = uniqueChannel('q.up');
    const up = queueUpstream(client);
    try {
      const batches = await Promise.all(
        Array.from({ length: 10 }, (_, b) => up.send(bodies(100, `b${b}`).map((body) => ({ channel, body })))),
      );
      expect(batches.map((r) => r.failed)).toEqual(Array(10).fill(0));
      const results = batches.flatMap((r) => r.results);
      expect(results).toHaveLength(1000);
      expect(results.every((r) => !('error' in r) && r.sentAt instanceof Date)).toBe(true);
    } finally {
      await up.close();
    }
    const q = queues(client);
    const info = await q.info({ channels: channel });
    expect(info.queues.find((x) => x.name === channel)?.messages).toBe(1000);
    expect(await q.purge({ channel })).toBe(1000);
  });

  it('matches results to messages by id and carries the policy times', async () => {
    const channel = uniqueChannel('q.up.policy');
    await using up = queueUpstream(client);
    // Ids unique to the run: a broker keeps one delayed message per id, across all queues.
    const ids = [`${channel}-1`, `${channel}-2`];
    const { results, failed } = await up.send([
      { channel, body: 'now', id: ids[0] },
      { channel, body: 'later', id: ids[1], policy: { delaySeconds: 60, expirationSeconds: 120 } },
    ]);
    expect(failed).toBe(0);
    expect(results.map((r) => r.id)).toEqual(ids);
    const [now, later] = results as QueueSendResult[];
    expect(now?.delayedTo).toBeUndefined();
    expect(later?.delayedTo?.getTime()).toBeGreaterThan((later?.sentAt.getTime() ?? 0) + 50_000);
    expect(later?.expiresAt).toBeInstanceOf(Date);
    expect(await queues(client).purge({ channel })).toBe(1); // the delayed one is not there yet
  });

  it('close waits for the answers of sends still in flight, then refuses further sends', async () => {
    const channel = uniqueChannel('q.up.close');
    const up = queueUpstream(client);
    const inFlight = Array.from({ length: 5 }, (_, b) => up.send(bodies(20, `c${b}`).map((body) => ({ channel, body }))));
    await up.close();
    const answered = await Promise.all(inFlight);
    expect(answered.map((r) => r.failed)).toEqual([0, 0, 0, 0, 0]);
    await expect(up.send([{ channel, body: 'too late' }])).rejects.toMatchObject({ code: 'CLOSED' });
    await up.close(); // idempotent
    expect(await queues(client).purge({ channel })).toBe(100);
  });

  it('checks every message against its limits before sending anything', async () => {
    const channel = uniqueChannel('q.up.bad');
    await using up = queueUpstream(client, { limits: { maxDelaySeconds: 10 } });
    await expect(up.send([{ channel, body: 'ok' }, { channel, body: 'x', policy: { delaySeconds: 11 } }])).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'messages[1].policy.delaySeconds',
    });
    await expect(up.send([{ channel: 'a b', body: 'x' }])).rejects.toMatchObject({ field: 'messages[0].channel' });
    expect(() => queueUpstream(client, 'x' as never)).toThrow(expect.objectContaining({ field: 'options' }));
    expect(() => queueUpstream(client, { maxQueued: 0 })).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'maxQueued' }));
    expect((await queues(client).peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
  });

  it("refuses a batch over the client's maxMessageBytes before sending it, and the stream goes on", async () => {
    const small = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('queues-up-small'), maxMessageBytes: 64 * 1024 });
    const channel = uniqueChannel('q.up.big');
    try {
      await using up = queueUpstream(small);
      const body = new Uint8Array(30 * 1024); // each body fits; three of them do not
      await expect(up.send([{ channel, body }, { channel, body }, { channel, body }])).rejects.toMatchObject({ code: 'VALIDATION', field: 'messages' });
      expect((await up.send([{ channel, body }])).failed).toBe(0);
      expect(await queues(client).purge({ channel })).toBe(1);
    } finally {
      await small.close();
    }
  });

  it("the client's close closes it: a send afterwards is refused", async () => {
    const own = await connect(sharedBroker().address, 'queues-up-own');
    const channel = uniqueChannel('q.up.owner');
    const up = queueUpstream(own);
    expect((await up.send([{ channel, body: 'x' }])).failed).toBe(0);
    await own.close();
    await expect(up.send([{ channel, body: 'y' }])).rejects.toMatchObject({ code: 'CLOSED' });
    expect(await queues(client).purge({ channel })).toBe(1);
  });
});
