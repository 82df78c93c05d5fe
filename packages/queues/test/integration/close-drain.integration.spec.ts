// close() drains the stream API (poll(), transactions(), subscribe()); a poll or a settlement whose
// signal has already aborted sends nothing; aborting one poll leaves another transaction's ack alone.
import type { KubemqClient } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { queues, type QueuesClient } from '../../src/index.js';
import { bodies, connect } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 'ok', or the error: observed at once, so a rejection is never left unhandled. */
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', (err: unknown) => err);

describe('queue stream API: close(), aborts', () => {
  let other: KubemqClient;
  let q: QueuesClient;

  beforeAll(async () => {
    other = await connect(sharedBroker().address, 'queues-drain-other');
    q = queues(other);
  });

  afterAll(async () => {
    await other.close();
  });

  async function fill(prefix: string, n: number): Promise<string> {
    const channel = uniqueChannel(prefix);
    const res = await q.sendBatch(bodies(n).map((body) => ({ channel, body })));
    expect(res.failed).toBe(0);
    return channel;
  }

  /**
   * What another client still finds in the queue (taking it). The wait covers a Get left waiting
   * by an ended stream (1 s) and the broker's 100 ms before it hands returned messages on.
   */
  async function left(channel: string): Promise<string[]> {
    const tx = await q.poll({ channel, maxItems: 100, waitTimeoutMs: 2000 });
    const texts = tx.messages.map((m) => m.text()).sort();
    await tx.ackAll();
    return texts;
  }

  it('close() waits for a poll() transaction in hand to be settled; a poll made meanwhile fails with CLOSED; nothing is delivered again', async () => {
    const channel = await fill('q.drain.poll', 3);
    const client = await connect(sharedBroker().address, 'queues-drain-poll');
    const mine = queues(client);
    const tx = await mine.poll({ channel, maxItems: 3, waitTimeoutMs: 1000 });
    const closed = client.close();
    await expect(mine.poll({ channel, maxItems: 1, waitTimeoutMs: 1000 })).rejects.toMatchObject({ code: 'CLOSED' });
    await sleep(300); // the caller's work, well within the drain time
    await tx.ackAll();
    await closed;
    expect(tx.state).toBe('settled');
    expect(await left(channel)).toEqual([]);
  }, 20_000);

  it('an ackAll() made just before close() is proved, not cut', async () => {
    const channel = await fill('q.drain.ack', 3);
    const client = await connect(sharedBroker().address, 'queues-drain-ack');
    const tx = await queues(client).poll({ channel, maxItems: 3, waitTimeoutMs: 1000 });
    const acked = outcome(tx.ackAll());
    await client.close();
    expect(await acked).toBe('ok');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'acked', 'acked']);
    expect(await left(channel)).toEqual([]);
  }, 20_000);

  it('a poll waiting when close() begins rejects CLOSED; what it takes goes back to the queue', async () => {
    const channel = uniqueChannel('q.drain.waiting');
    const client = await connect(sharedBroker().address, 'queues-drain-waiting');
    const polled = outcome(queues(client).poll({ channel, maxItems: 2, waitTimeoutMs: 2000 }));
    await sleep(200);
    const closed = client.close();
    expect(await polled).toMatchObject({ code: 'CLOSED', operation: 'queues.poll' });
    await q.send({ channel, body: 'late' });
    await closed;
    expect(await left(channel)).toEqual(['late']);
  }, 20_000);

  it('transactions(): the loop body settles the transaction in hand after close() began, then the loop ends', async () => {
    const channel = await fill('q.drain.tx', 5);
    const client = await connect(sharedBroker().address, 'queues-drain-tx');
    let closed: Promise<void> | undefined;
    const states: string[] = [];
    for await (const tx of queues(client).transactions({ channel, maxItems: 3, waitTimeoutMs: 1000 })) {
      closed ??= client.close();
      await sleep(300);
      await tx.ackAll();
      states.push(tx.state);
    }
    await closed;
    expect(states).toEqual(['settled']);
    expect(await left(channel)).toEqual(bodies(5).slice(3));
  }, 20_000);

  it('subscribe(): the messages of the poll in hand are settled after close() began, then the loop ends', async () => {
    const channel = await fill('q.drain.sub', 5);
    const client = await connect(sharedBroker().address, 'queues-drain-sub');
    let closed: Promise<void> | undefined;
    const acked: string[] = [];
    for await (const m of queues(client).subscribe({ channel, maxItems: 3, waitTimeoutMs: 1000 })) {
      closed ??= client.close();
      await sleep(100);
      await m.ack();
      acked.push(m.text());
    }
    await closed;
    expect(acked).toEqual(bodies(3));
    expect(await left(channel)).toEqual(bodies(5).slice(3));
  }, 20_000);

  it('a poll whose signal has already aborted sends nothing: it leaves no Get on the broker to take what arrives', async () => {
    const channel = uniqueChannel('q.abort.poll');
    const client = await connect(sharedBroker().address, 'queues-abort-poll');
    try {
      // A stream left open by an earlier poll, which the aborted one would take.
      await queues(client).poll({ channel, maxItems: 1, waitTimeoutMs: 1000 });
      await expect(queues(client).poll({ channel, maxItems: 10, waitTimeoutMs: 10_000 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
      await q.send({ channel, body: 'x' });
      // A Get written and cut would hold 'x' until it has 10 messages or its wait is over (broker-behaviour.md §5.3).
      const tx = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 5000 });
      expect(tx.messages.map((m) => m.text())).toEqual(['x']);
      await tx.ackAll();
    } finally {
      await client.close();
    }
  }, 20_000);

  it('a settlement whose signal has already aborted sends nothing: the transaction stays open', async () => {
    const channel = await fill('q.abort.ack', 2);
    const client = await connect(sharedBroker().address, 'queues-abort-ack');
    try {
      const tx = await queues(client).poll({ channel, maxItems: 2, waitTimeoutMs: 1000 });
      await expect(tx.ackAll({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(tx.state).toBe('open');
      expect(tx.messages.map((m) => m.settlement)).toEqual(['pending', 'pending']);
      await tx.nackAll();
      expect(tx.messages.map((m) => m.settlement)).toEqual(['nacked', 'nacked']);
    } finally {
      await client.close();
    }
    expect(await left(channel)).toEqual(bodies(2));
  }, 20_000);

  it('aborting a poll made right behind an ack (the same stream) fails that poll only: the ack stands', async () => {
    const channel = await fill('q.abort.next', 4);
    const client = await connect(sharedBroker().address, 'queues-abort-next');
    try {
      const mine = queues(client);
      const tx = await mine.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 });
      const acked = outcome(tx.ackAll());
      const ac = new AbortController();
      const next = outcome(mine.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 }, { signal: ac.signal }));
      queueMicrotask(() => ac.abort());
      expect(await next).toMatchObject({ code: 'CANCELLED' });
      expect(await acked).toBe('ok');
      expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'acked']);
    } finally {
      await client.close();
    }
    expect(await left(channel)).toEqual(bodies(4).slice(2));
  }, 20_000);
});
