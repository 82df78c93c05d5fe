import { KubemqClient } from '@kubemq/core';
import { queues, type QueuesClient } from '../../src/index.js';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { bodies, connect } from './helpers.js';

describe('queues simple API', () => {
  let client: KubemqClient;
  let q: QueuesClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-simple');
    q = queues(client);
  });

  afterAll(async () => {
    await client.close();
  });

  it('sends one message and receives it once (at-most-once receive)', async () => {
    const channel = uniqueChannel('q.simple');
    const sent = await q.send({ channel, body: 'hello', metadata: 'meta', tags: { k: 'v' }, id: 'my-id' });
    expect(sent.id).toBe('my-id');
    expect(sent.sentAt).toBeInstanceOf(Date);
    // The broker's clock, perhaps another host's: this checks the unit, not the clocks' agreement.
    expect(Math.abs(sent.sentAt.getTime() - Date.now())).toBeLessThan(300_000);
    expect(sent.delayedTo).toBeUndefined();
    expect(sent.expiresAt).toBeUndefined();
    expect('error' in sent).toBe(false);

    const { messages } = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 1 });
    expect(messages).toHaveLength(1);
    const m = messages[0]!;
    expect(m).toMatchObject({ id: 'my-id', channel, metadata: 'meta', tags: { k: 'v' }, receiveCount: 1, reRouted: false });
    expect(m.text()).toBe('hello');
    expect(m.sequence).toBeGreaterThan(0);
    expect(m.timestamp).toBeInstanceOf(Date);
    // the broker acked it on receipt
    expect((await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
  });

  it('a receive still waiting when its client closes is not cancelled: the message the broker acked for it reaches the caller', async () => {
    const channel = uniqueChannel('q.simple.close');
    const closing = await connect(sharedBroker().address, 'queues-closing');
    const waiting = queues(closing).receive({ channel, maxItems: 1, waitTimeoutSeconds: 3 });
    await new Promise((r) => setTimeout(r, 300)); // the receive is at the broker
    await closing.close({ timeoutMs: 100 });
    const sent = await q.send({ channel, body: 'taken while closing' });
    const { messages } = await waiting;
    expect(messages.map((m) => m.id)).toEqual([sent.id]);
  });

  it("one client's receives, peeks and purges of a queue go out one at a time, as the broker serves them", async () => {
    const channel = uniqueChannel('q.turns');
    const started = performance.now();
    const ends = await Promise.all(
      [2, 1].map((waitTimeoutSeconds) => q.receive({ channel, waitTimeoutSeconds }).then(() => performance.now() - started)),
    );
    expect(ends[0]).toBeGreaterThanOrEqual(1900);
    // The second went out once the first had ended, with its own timeout counting from then.
    expect(ends[1]).toBeGreaterThanOrEqual(2900);
  });

  it('a receive whose timeout runs out behind an earlier call of its client is never sent, and takes nothing', async () => {
    const channel = uniqueChannel('q.turns.unsent');
    await q.send({ channel, body: 'still here' });
    // The peek holds the message for its 3 s wait, then hands it back.
    const peek = q.peek({ channel, maxItems: 10, waitTimeoutSeconds: 3 });
    const err = await q.receive({ channel, waitTimeoutSeconds: 1 }, { timeoutMs: 2500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', channel });
    expect((err as Error).message).toMatch(/was not sent/);
    expect((await peek).messages.map((m) => m.text())).toEqual(['still here']);
    // Sent, that receive would have waited its turn at the broker, which runs it even after its
    // caller gave up, acking whatever is there when its turn comes.
    expect((await q.receive({ channel, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual(['still here']);
  });

  it('peeks without removing', async () => {
    const channel = uniqueChannel('q.peek');
    await q.sendBatch(bodies(3).map((body) => ({ channel, body })));
    const peeked = await q.peek({ channel, maxItems: 3, waitTimeoutSeconds: 1 });
    expect(peeked.messages.map((m) => m.text())).toEqual(bodies(3));
    expect(peeked.messages.every((m) => m.receiveCount === 1)).toBe(true);
    const again = await q.peek({ channel, maxItems: 3, waitTimeoutSeconds: 1 });
    expect(again.messages.map((m) => m.text())).toEqual(bodies(3));
    const received = await q.receive({ channel, maxItems: 3, waitTimeoutSeconds: 1 });
    expect(received.messages.map((m) => m.text())).toEqual(bodies(3));
  });

  it('purge empties a queue and reports the count', async () => {
    const channel = uniqueChannel('q.purge');
    await q.sendBatch(bodies(5).map((body) => ({ channel, body })));
    expect(await q.purge({ channel })).toBe(5);
    expect((await q.peek({ channel, maxItems: 5, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
    expect(await q.purge({ channel, waitTimeoutSeconds: 1 })).toBe(0);
  });

  it('purge acks what arrives during its wait, and takes the whole wait', async () => {
    const channel = uniqueChannel('q.purge.wait');
    const started = performance.now();
    const purging = q.purge({ channel, waitTimeoutSeconds: 2 });
    // Sent while the purge waits: the broker acks it as it arrives.
    await q.send({ channel, body: 'late' });
    expect(await purging).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1500);
    expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
  });

  it('purge leaves other queues alone, and its call options bound it', async () => {
    const channel = uniqueChannel('q.purge.one');
    const other = uniqueChannel('q.purge.other');
    await q.sendBatch([{ channel, body: 'a' }, { channel: other, body: 'b' }]);
    expect(await q.purge({ channel })).toBe(1);
    expect((await q.receive({ channel: other, maxItems: 1, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual(['b']);
    // A purge always takes its whole wait: a timeout shorter than that and a second is refused unsent.
    await expect(q.purge({ channel, waitTimeoutSeconds: 5 }, { timeoutMs: 300 })).rejects.toMatchObject({ name: 'ValidationError', field: 'callOptions.timeoutMs' });
    await expect(q.purge({ channel }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('sends a batch of 1,000 and accounts for every result', async () => {
    const channel = uniqueChannel('q.batch');
    const msgs = bodies(1000).map((body, i) => ({ channel, body, id: `id-${i}` }));
    const batch = await q.sendBatch(msgs);
    expect(batch.results).toHaveLength(1000);
    expect(batch.failed).toBe(0);
    expect(batch.results.map((r) => r.id)).toEqual(msgs.map((m) => m.id));
    expect(batch.results.every((r) => 'sentAt' in r && r.sentAt instanceof Date && !('error' in r))).toBe(true);
    const got: string[] = [];
    while (got.length < 1000) {
      const { messages } = await q.receive({ channel, maxItems: Math.min(1000 - got.length, 1024), waitTimeoutSeconds: 1 });
      if (messages.length === 0) break;
      got.push(...messages.map((m) => m.text()));
    }
    expect(got.sort()).toEqual(bodies(1000).sort());
  });

  it('reports a batch across several queues, each result in order', async () => {
    const a = uniqueChannel('q.multi');
    const b = uniqueChannel('q.multi');
    const batch = await q.sendBatch([{ channel: a, body: '1' }, { channel: b, body: '2' }, { channel: a, body: '3' }]);
    expect(batch.failed).toBe(0);
    expect((await q.receive({ channel: a, maxItems: 2, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual(['1', '3']);
    expect((await q.receive({ channel: b, maxItems: 1, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual(['2']);
  });

  it('lists queue info for exact names', async () => {
    const channel = uniqueChannel('q.info');
    await q.sendBatch(bodies(4).map((body) => ({ channel, body })));
    const info = await q.info({ channels: [channel] });
    const mine = info.queues.find((x) => x.name === channel);
    expect(mine).toBeDefined();
    expect(mine!.messages).toBe(4);
    expect(info.totalQueues).toBeGreaterThanOrEqual(1);
    const all = await q.info();
    expect(all.queues.some((x) => x.name === channel)).toBe(true);
  });

  it("finds a queue whose name the broker's info trim mangles, under its real name", async () => {
    // The broker reports `_QUEUES_.<q>` trimmed by the cutset `_QUES.`: 'QA_S.x' becomes 'A_S.x'.
    const channel = uniqueChannel('QA_S');
    await q.send({ channel, body: 'x' });
    const info = await q.info({ channels: [channel] });
    expect(info.queues.map((x) => x.name)).toEqual([channel]);
    expect(info.queues[0]?.messages).toBe(1);
    const all = await q.info();
    expect(all.queues.some((x) => x.name === channel.slice(1))).toBe(true); // unfiltered: as the broker names it
  });

  it('two queues whose names trim to the same are never reported under the name asked for', async () => {
    // 'twinS' and 'twin' both trim to 'twin': the broker's filter for one matches both.
    const twin = `${uniqueChannel('q.info.twin')}x`;
    await q.send({ channel: twin, body: 'a' });
    await q.send({ channel: `${twin}S`, body: 'b' });
    await q.send({ channel: `${twin}S`, body: 'c' });
    const info = await q.info({ channels: [`${twin}S`] });
    expect(info.queues.map((x) => [x.name, x.messages]).sort()).toEqual([
      [twin, 1],
      [twin, 2],
    ]);
  });

  it('rejects bad input with a typed error naming the field, and sends nothing', async () => {
    const channel = uniqueChannel('q.bad');
    const cases: [() => Promise<unknown>, string][] = [
      // The broker would answer these with every queue.
      [() => q.info({ channels: [] }), 'channels'],
      [() => q.info({ channels: ['orders', 'QUEUES'] }), 'channels[1]'],
      [() => q.info({ channels: '_' }), 'channels'],
      [() => q.send({ channel: '', body: 'x' }), 'channel'],
      [() => q.send({ channel: 'a.*', body: 'x' }), 'channel'],
      [() => q.send({ channel: 'a b', body: 'x' }), 'channel'],
      [() => q.send({ channel: 'a.', body: 'x' }), 'channel'],
      [() => q.send({ channel: 'a\tb', body: 'x' }), 'channel'],
      // The broker takes sends to such a queue, and refuses every receive from it.
      [() => q.send({ channel: 'tenant:orders', body: 'x' }), 'channel'],
      [() => q.poll({ channel: 'tenant:orders' }), 'channel'],
      // Some servers copy a send to each of the ';'-separated queues; v2.4.0 keeps one name.
      [() => q.send({ channel: 'orders;audit', body: 'x' }), 'channel'],
      [() => q.sendBatch([{ channel, body: 'ok' }, { channel: 'orders;audit', body: 'x' }]), 'messages[1].channel'],
      [() => q.send({ channel, body: 'x', policy: { maxReceiveCount: 2, deadLetterQueue: 'tenant:dead' } }), 'policy.deadLetterQueue'],
      [() => q.send({ channel }), 'body'],
      [() => q.send({ channel, body: 'x', policy: { delaySeconds: -1 } }), 'policy.delaySeconds'],
      [() => q.send({ channel, body: 'x', policy: { delaySeconds: 43_201 } }), 'policy.delaySeconds'],
      [() => q.send({ channel, body: 'x', policy: { expirationSeconds: 43_201 } }), 'policy.expirationSeconds'],
      [() => q.send({ channel, body: 'x', policy: { maxReceiveCount: 1025 } }), 'policy.maxReceiveCount'],
      [() => q.sendBatch([{ channel, body: 'ok' }, { channel, body: 'x', policy: { delaySeconds: 1.5 } }]), 'messages[1].policy.delaySeconds'],
      // The broker would keep one of two delayed messages with one id.
      [() => q.sendBatch([{ channel, body: 'a', id: `${channel}-x`, policy: { delaySeconds: 5 } }, { channel, body: 'b', id: `${channel}-x`, policy: { delaySeconds: 9 } }]), 'messages[1].id'],
      [() => q.receive({ channel, maxItems: 0 }), 'maxItems'],
      [() => q.receive({ channel, maxItems: 1025 }), 'maxItems'],
      [() => q.receive({ channel, waitTimeoutSeconds: 1.5 }), 'waitTimeoutSeconds'],
      [() => q.peek({ channel, waitTimeoutSeconds: 3601 }), 'waitTimeoutSeconds'],
      [() => q.purge({ channel, waitTimeoutSeconds: -1 }), 'waitTimeoutSeconds'],
      [() => q.poll({ channel, waitTimeoutMs: 500 }), 'waitTimeoutMs'],
      [() => q.poll({ channel }, { timeoutMs: 0 }), 'timeoutMs'],
    ];
    for (const [call, field] of cases) {
      await expect(call()).rejects.toMatchObject({ code: 'VALIDATION', field });
    }
    // Receiving from such a name routes nothing, so it is allowed (a queue another client filled).
    await expect(q.receive({ channel: `${channel};other`, waitTimeoutSeconds: 1 })).resolves.toMatchObject({ messages: [] });
    // nothing reached the queue (the valid first message of the bad batch included)
    expect((await q.peek({ channel, maxItems: 10, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
  });

  it("refuses a message whose body fits maxMessageBytes but which is over it encoded, naming it, before sending it", async () => {
    const small = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('queues-simple-max'), maxMessageBytes: 4096 });
    const channel = uniqueChannel('q.max');
    try {
      await expect(queues(small).send({ channel, body: new Uint8Array(4080) })).rejects.toMatchObject({ code: 'VALIDATION', field: 'message', operation: 'queues.send', channel });
      expect((await queues(small).send({ channel, body: new Uint8Array(3900) })).id).toBeDefined();
      expect(await q.purge({ channel })).toBe(1);
    } finally {
      await small.close();
    }
  });
});
