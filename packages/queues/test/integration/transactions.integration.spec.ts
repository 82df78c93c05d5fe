import type { KubemqClient } from '@kubemq/core';
import { queues, QueueTransactionError, type QueuesClient } from '../../src/index.js';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { bodies, connect } from './helpers.js';

describe('queue stream API: poll transactions', () => {
  let client: KubemqClient;
  let q: QueuesClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-tx');
    q = queues(client);
  });

  afterAll(async () => {
    await client.close();
  });

  async function fill(prefix: string, n: number): Promise<string> {
    const channel = uniqueChannel(prefix);
    const res = await q.sendBatch(bodies(n).map((body) => ({ channel, body })));
    expect(res.failed).toBe(0);
    return channel;
  }

  const waiting = async (channel: string, n: number) => (await q.peek({ channel, maxItems: n, waitTimeoutSeconds: 1 })).messages;

  it('ack-all removes the transaction’s messages; settling again throws and sends nothing', async () => {
    const channel = await fill('q.tx.ack', 3);
    const tx = await q.poll({ channel, maxItems: 3, waitTimeoutMs: 1000 });
    expect(tx.messages.map((m) => m.text())).toEqual(bodies(3));
    await tx.ackAll();
    expect(tx.state).toBe('settled');
    await expect(tx.ackAll()).rejects.toBeInstanceOf(QueueTransactionError);
    await expect(tx.messages[0]!.ack()).rejects.toMatchObject({ code: 'CLOSED', reason: 'settled' });
    expect(await waiting(channel, 3)).toHaveLength(0);
  });

  it('nack-all returns the messages with receive count + 1', async () => {
    const channel = await fill('q.tx.nack', 2);
    const tx = await q.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 });
    expect(tx.messages.map((m) => m.receiveCount)).toEqual([1, 1]);
    await tx.nackAll();
    const again = await q.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 });
    expect(again.messages.map((m) => m.text()).sort()).toEqual(bodies(2));
    expect(again.messages.map((m) => m.receiveCount)).toEqual([2, 2]);
    await again.ackAll();
  });

  it('requeue-all moves the messages to another queue', async () => {
    const channel = await fill('q.tx.rq', 2);
    const target = uniqueChannel('q.tx.rq.target');
    const tx = await q.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 });
    await tx.requeueAll({ channel: target });
    expect(await waiting(channel, 2)).toHaveLength(0);
    const moved = await q.receive({ channel: target, maxItems: 2, waitTimeoutSeconds: 1 });
    // In no set order: the broker moves a transaction's messages in the order of a Go map walk.
    expect(moved.messages.map((m) => m.text()).sort()).toEqual(bodies(2));
  });

  it('settles per message: ack, nack and requeue', async () => {
    const channel = await fill('q.tx.each', 3);
    const target = uniqueChannel('q.tx.each.target');
    const tx = await q.poll({ channel, maxItems: 3, waitTimeoutMs: 1000 });
    const [a, b, c] = tx.messages;
    await a!.ack();
    await b!.nack();
    await c!.requeue({ channel: target });
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'nacked', 'requeued']);
    expect(tx.state).toBe('settled');
    const back = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 1 });
    expect(back.messages.map((m) => [m.text(), m.receiveCount])).toEqual([[bodies(3)[1], 2]]);
    expect((await q.receive({ channel: target, maxItems: 1, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual([bodies(3)[2]]);
  });

  it('acks a list of sequences, then nacks the rest', async () => {
    const channel = await fill('q.tx.seq', 4);
    const tx = await q.poll({ channel, maxItems: 4, waitTimeoutMs: 1000 });
    const seqs = tx.messages.map((m) => m.sequence);
    await tx.ackSequences([seqs[0]!, seqs[2]!]);
    expect(tx.state).toBe('open');
    await tx.nackSequences([seqs[1]!, seqs[3]!]);
    expect(tx.state).toBe('settled');
    const back = await q.receive({ channel, maxItems: 2, waitTimeoutSeconds: 1 });
    expect(back.messages.map((m) => m.text()).sort()).toEqual([bodies(4)[1], bodies(4)[3]]);
  });

  it('auto-ack delivers settled messages', async () => {
    const channel = await fill('q.tx.auto', 2);
    const tx = await q.poll({ channel, maxItems: 2, waitTimeoutMs: 1000, autoAck: true });
    expect(tx.messages).toHaveLength(2);
    expect(tx.state).toBe('settled');
    expect(await waiting(channel, 2)).toHaveLength(0);
  });

  it('an auto-ack for await loop polls no further than it reads: leaving it loses at most the rest of the batch in hand', async () => {
    // The broker acks what a Get hands out: a loop that polled ahead would lose all it held unread.
    const channel = await fill('q.tx.auto-loop', 200);
    const seen: string[] = [];
    for await (const message of q.subscribe({ channel, maxItems: 10, waitTimeoutMs: 1000, autoAck: true })) {
      seen.push(message.text());
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (seen.length === 5) break;
    }
    expect(seen).toEqual(bodies(5));
    // 5 read, the other 5 of the first batch acked unread: 190 left.
    expect(await waiting(channel, 200)).toHaveLength(190);

    let batches = 0;
    for await (const tx of q.transactions({ channel, maxItems: 10, waitTimeoutMs: 1000, autoAck: true })) {
      expect(tx.messages).toHaveLength(10);
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (++batches === 2) break;
    }
    expect(await waiting(channel, 200)).toHaveLength(170);
  }, 30_000);

  it('close returns unsettled messages to the queue', async () => {
    const channel = await fill('q.tx.close', 3);
    const tx = await q.poll({ channel, maxItems: 3, waitTimeoutMs: 1000 });
    await tx.messages[0]!.ack();
    await tx.close();
    expect(tx.state).toBe('closed');
    await expect(tx.ackAll()).rejects.toMatchObject({ reason: 'closed' });
    const back = await q.receive({ channel, maxItems: 2, waitTimeoutSeconds: 1 });
    expect(back.messages.map((m) => m.text()).sort()).toEqual(bodies(3).slice(1));
  });

  it('a message captured by an open transaction (broker-behaviour.md §2.4) returns once the last known message is settled', async () => {
    const channel = uniqueChannel('q.tx.capture');
    await q.send({ channel, body: 'first' });
    const tx = await q.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 }); // gets 1 of 2: keeps capturing
    expect(tx.messages.map((m) => m.text())).toEqual(['first']);
    await q.send({ channel, body: 'late' });
    // hidden from everyone while the transaction is open
    expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
    await tx.messages[0]!.ack(); // the SDK closes the transaction with its last known message
    expect(tx.state).toBe('settled');
    const back = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 2 });
    expect(back.messages.map((m) => m.text())).toEqual(['late']);
  }, 20_000);

  it('a pending poll does not hold up a settlement', async () => {
    const channel = await fill('q.tx.parallel', 1);
    const tx = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 1000 });
    const started = performance.now();
    const longPoll = q.poll({ channel, maxItems: 1, waitTimeoutMs: 5000 });
    await tx.ackAll();
    expect(performance.now() - started).toBeLessThan(4000);
    const empty = await longPoll;
    expect(empty.messages).toHaveLength(0);
  }, 20_000);

  it("a poll's call options bound it: a timeoutMs that leaves no room for the broker's shortest wait and its answer fails unsent, an aborted signal ends it at once", async () => {
    const channel = uniqueChannel('q.tx.bound');
    await expect(q.poll({ channel, maxItems: 1, waitTimeoutMs: 10_000 }, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'TIMEOUT', sent: false });
    await expect(q.poll({ channel, maxItems: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    // The queue still works for the next poll, and nothing was taken by the ended ones.
    await q.send({ channel, body: 'after' });
    const tx = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 2000 });
    expect(tx.messages.map((m) => m.text())).toEqual(['after']);
    await tx.ackAll();
  }, 30_000);

  it('an autoAck poll whose waitTimeoutMs is longer than its timeoutMs allows asks the broker for a shorter wait: it answers in time, and leaves no Get behind to take (and ack) what is sent next', async () => {
    const channel = uniqueChannel('q.tx.clamped');
    const started = performance.now();
    // 5 s asked, 2.5 s allowed: the broker waits 1.5 s at most, and the answer has a second to come.
    const polled = await q.poll({ channel, maxItems: 10, waitTimeoutMs: 5000, autoAck: true }, { timeoutMs: 2500 }).catch((err: unknown) => err);
    const answeredMs = performance.now() - started;
    // Sent while a Get cut at the poll's deadline would still wait at the broker, acking what it takes.
    const sent = await q.sendBatch(bodies(3, 'late').map((body) => ({ channel, body })));
    expect(sent.failed).toBe(0);
    // Once such a Get's 5 s would be over, the messages are all still there.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 5500 - (performance.now() - started))));
    const rest = await q.poll({ channel, maxItems: 3, waitTimeoutMs: 2000 });
    expect(rest.messages.map((m) => m.text()).sort()).toEqual(bodies(3, 'late'));
    await rest.ackAll();
    expect(polled).toMatchObject({ messages: [] });
    expect(answeredMs).toBeLessThan(2500);
  }, 30_000);

  it('an autoAck poll whose signal aborts while its Get waits is not cut: it resolves with what the broker took (and acked) for it', async () => {
    const channel = uniqueChannel('q.tx.autoack.signal');
    const ac = new AbortController();
    const polled = q.poll({ channel, maxItems: 1, waitTimeoutMs: 5000, autoAck: true }, { signal: ac.signal });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the Get waits on the broker
    ac.abort();
    await q.send({ channel, body: 'taken' });
    const tx = await polled;
    expect(tx.messages.map((m) => m.text())).toEqual(['taken']);
    expect(tx.state).toBe('settled');
  }, 30_000);
});
