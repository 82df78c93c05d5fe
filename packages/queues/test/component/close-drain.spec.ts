// The client's close() drains poll(), subscribe() and transactions() as it drains a consumer: no
// poll goes out once it begins, a transaction in hand may still be settled, a settlement already
// written gets its proof, and only then (or when the drain time runs out) do the streams end.
import { KubemqError, type KubemqClient } from '@kubemq/core';
import { attachInternals, QueuesDownstreamRequestType as T, within, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { until, type FakeInternals } from '@kubemq/test-fakes';
import { QueueTransactionError } from '../../src/errors.js';
import { queues } from '../../src/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

function setup(count = 0) {
  const broker = new FakeQueueBroker();
  if (count > 0) broker.add('q', count);
  const internals = broker.internals();
  const client = {};
  attachInternals(client, internals);
  const q = queues(client as KubemqClient);
  const types = () => (broker.written('QueuesDownstream') as QueuesDownstreamRequest[]).map((r) => r.RequestTypeData);
  return { broker, internals, q, types };
}

/**
 * What the client's close() does, on the fake: it takes no new work, runs every drain for at most
 * `timeoutMs`, then ends the streams still open with CLOSED.
 */
async function closeClient(internals: FakeInternals, timeoutMs = 3000, failure?: KubemqError): Promise<'done' | 'timeout' | 'aborted'> {
  (internals as { accepting: boolean }).accepting = false;
  const drains = [...internals.tracked] as { drain(failure?: KubemqError): Promise<void> }[];
  const drained = await within(Promise.allSettled(drains.map((r) => r.drain(failure))), { timeoutMs });
  for (const call of internals.calls) call.fail(failure ?? new KubemqError({ code: 'CLOSED', operation: 'queues.poll', message: 'queues.poll: the client is closed' }));
  return drained;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The connection is lost and not back: whenReady() waits, and rejects as the client's does when its signal aborts. */
function connectionLost(internals: FakeInternals): void {
  (internals as { whenReady: FakeInternals['whenReady'] }).whenReady = (signal, ctx = { operation: 'client.whenReady' }) =>
    new Promise((_resolve, reject) => {
      const abort = () => reject(new KubemqError({ code: 'CANCELLED', operation: ctx.operation, ...(ctx.channel !== undefined && { channel: ctx.channel }), message: `${ctx.operation} was aborted` }));
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
}

describe('close() drains poll()', () => {
  it('an ackAll() written just before close() gets its proof: it resolves and the messages are acked, not reported lost', async () => {
    const { broker, internals, q } = setup(3);
    const tx = await q.poll({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 });
    const acked = tx.ackAll();
    const closed = closeClient(internals);
    await expect(acked).resolves.toBeUndefined();
    expect(await closed).toBe('done');
    expect(tx.state).toBe('settled');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'acked', 'acked']);
    expect(broker.waiting('q')).toHaveLength(0);
  });

  it('the transaction in hand may still be settled while close() waits; a poll made meanwhile is refused with CLOSED and sends nothing', async () => {
    const { broker, internals, q, types } = setup(3);
    const tx = await q.poll({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 });
    let closedAt = 0;
    const closed = closeClient(internals).then((outcome) => {
      closedAt = performance.now();
      return outcome;
    });
    await sleep(50); // the caller's work
    expect(closedAt).toBe(0);
    const written = types().length;
    await expect(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 })).rejects.toMatchObject({ code: 'CLOSED', operation: 'queues.poll' });
    expect(types()).toHaveLength(written);
    const settledAt = await tx.ackAll().then(() => performance.now());
    expect(await closed).toBe('done');
    expect(closedAt).toBeGreaterThanOrEqual(settledAt);
    expect(tx.state).toBe('settled');
    expect(broker.waiting('q')).toHaveLength(0);
    expect(broker.calls.every((c) => c.cancelled)).toBe(true);
  });

  it('a poll waiting for its answer rejects CLOSED at once; close() waits for the answer and closes what it took, so the broker holds nothing', async () => {
    const { broker, internals, q, types } = setup();
    const polled = q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 5000 });
    await until(() => broker.getsInFlight === 1);
    const closed = closeClient(internals);
    await expect(polled).rejects.toMatchObject({ code: 'CLOSED', operation: 'queues.poll', channel: 'q' });
    // The Get is not cut: a real broker would keep it waiting, taking and hiding what arrives.
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.add('q', 2);
    expect(await closed).toBe('done');
    expect(types()).toEqual([T.Get, T.CloseByClient, T.ActiveOffsets]);
    expect(broker.openTransactions.size).toBe(0);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m0', 'm1']);
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('an autoAck poll waiting when close() begins is answered within the drain: the broker has acked its messages, so they are handed over', async () => {
    const { broker, internals, q } = setup();
    const polled = q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 5000, autoAck: true });
    await until(() => broker.getsInFlight === 1);
    const closed = closeClient(internals);
    broker.add('q', 2);
    const tx = await polled;
    expect(tx.messages.map((m) => m.text())).toEqual(['m0', 'm1']);
    expect(await closed).toBe('done');
  });

  it('a poll waiting for the connection when close() begins sends nothing and rejects CLOSED, saying so; with autoAck too', async () => {
    const { broker, internals, q } = setup(1);
    connectionLost(internals);
    const plain = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }).catch((err: unknown) => err);
    const autoAck = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: true }).catch((err: unknown) => err);
    await sleep(10);
    expect(await closeClient(internals, 1000)).toBe('done');
    expect(await plain).toMatchObject({ code: 'CLOSED', operation: 'queues.poll', channel: 'q', message: 'queues.poll was not sent: the client closed first' });
    expect(await autoAck).toMatchObject({ code: 'CLOSED', operation: 'queues.poll', channel: 'q' });
    expect(broker.calls).toHaveLength(0);
  });

  it('a poll whose signal aborts while it waits for the connection rejects CANCELLED as the poll, sent nothing', async () => {
    const { broker, internals, q } = setup(1);
    connectionLost(internals);
    const abort = new AbortController();
    const polled = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }, { signal: abort.signal }).catch((err: unknown) => err);
    await sleep(10);
    abort.abort();
    expect(await polled).toMatchObject({ code: 'CANCELLED', operation: 'queues.poll', channel: 'q', message: 'the poll was not sent: its signal had already aborted' });
    expect(broker.calls).toHaveLength(0);
  });

  it('a client that gave up reconnecting: a poll waiting for the connection rejects with that failure, with autoAck too', async () => {
    const { internals, q } = setup(1);
    connectionLost(internals);
    const plain = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }).catch((err: unknown) => err);
    const autoAck = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: true }).catch((err: unknown) => err);
    await sleep(10);
    const failure = new KubemqError({ code: 'UNAVAILABLE', retryable: false, operation: 'client.reconnect', message: 'gave up reconnecting' });
    expect(await closeClient(internals, 1000, failure)).toBe('done');
    expect(await plain).toBe(failure);
    expect(await autoAck).toBe(failure);
  });

  it('a poll made once close() has begun is refused with CLOSED and opens no stream', async () => {
    const { broker, internals, q } = setup(1);
    const outcome = await closeClient(internals, 1000);
    expect(outcome).toBe('done');
    await expect(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(broker.calls).toHaveLength(0);
  });

  it('what is still unsettled when the drain time runs out goes back to the queue with its stream: the transaction is lost, a warning says why', async () => {
    const { broker, internals, q } = setup(2);
    const tx = await q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 });
    expect(await closeClient(internals, 50)).toBe('timeout');
    expect(tx.state).toBe('lost');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['released', 'released']);
    await expect(tx.ackAll()).rejects.toBeInstanceOf(QueueTransactionError);
    expect(broker.waiting('q')).toHaveLength(2);
    expect(internals.warnings).toEqual([[expect.stringContaining('the client closed before a poll transaction was settled'), expect.objectContaining({ messages: 2 })]]);
  });

  it('a settlement whose proof is still on its way when the drain time runs out rejects CLOSED, as lost: it may have been applied', async () => {
    const { broker, internals, q } = setup(2);
    const tx = await q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 });
    broker.holdProbes = true;
    const acked = tx.ackAll().catch((err: unknown) => err);
    expect(await closeClient(internals, 50)).toBe('timeout');
    expect(await acked).toMatchObject({ code: 'CLOSED', reason: 'lost', retryable: false, message: expect.stringContaining('may have applied it') });
    expect(tx.messages.map((m) => m.settlement)).toEqual(['settling', 'settling']);
  });
});

describe('close() drains transactions() and subscribe()', () => {
  it('transactions(): the loop body finishes and settles the transaction in hand, then the loop ends; no poll goes out after close() begins', async () => {
    const { broker, internals, q, types } = setup(5);
    let closed: Promise<unknown> | undefined;
    const settled: string[] = [];
    for await (const tx of q.transactions({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 })) {
      closed ??= closeClient(internals);
      await sleep(50); // the loop body's work, shorter than the drain time
      await tx.ackAll();
      settled.push(tx.state);
    }
    expect(await closed).toBe('done');
    expect(settled).toEqual(['settled']);
    expect(types().filter((t) => t === T.Get)).toHaveLength(1);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m3', 'm4']);
  });

  it('subscribe(): the messages of the poll in hand are still handed to the loop and settled, then the loop ends', async () => {
    const { broker, internals, q, types } = setup(5);
    let closed: Promise<unknown> | undefined;
    const acked: string[] = [];
    for await (const m of q.subscribe({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 })) {
      closed ??= closeClient(internals);
      await sleep(20);
      await m.ack();
      acked.push(m.text());
    }
    expect(await closed).toBe('done');
    expect(acked).toEqual(['m0', 'm1', 'm2']);
    expect(types().filter((t) => t === T.Get)).toHaveLength(1);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m3', 'm4']);
  });

  it('transactions(): a Get waiting when close() begins is waited for, what it took is closed, and the loop completes', async () => {
    const { broker, internals, q } = setup();
    const got: unknown[] = [];
    let completed = false;
    q.transactions({ channel: 'q', maxItems: 2, waitTimeoutMs: 5000 }).subscribe({ next: (tx) => got.push(tx), complete: () => (completed = true) });
    await until(() => broker.getsInFlight === 1);
    const closed = closeClient(internals);
    broker.add('q', 2);
    expect(await closed).toBe('done');
    expect(completed).toBe(true);
    expect(got).toHaveLength(0);
    expect(broker.openTransactions.size).toBe(0);
    expect(broker.waiting('q')).toHaveLength(2);
  });

  it('transactions() with autoAck: a Get waiting when close() begins is waited for and its messages, acked by the broker, are handed over', async () => {
    const { broker, internals, q } = setup();
    const got: string[][] = [];
    let completed = false;
    q.transactions({ channel: 'q', maxItems: 2, waitTimeoutMs: 5000, autoAck: true }).subscribe({
      next: (tx) => got.push(tx.messages.map((m) => m.text())),
      complete: () => (completed = true),
    });
    await until(() => broker.getsInFlight === 1);
    const closed = closeClient(internals);
    broker.add('q', 2);
    expect(await closed).toBe('done');
    expect(got).toEqual([['m0', 'm1']]);
    expect(completed).toBe(true);
  });

  it.each(['subscribe', 'transactions'] as const)('%s() with autoAck: a loop body that awaits close() right after a delivery does not wait out the drain time', async (api) => {
    const { internals, q } = setup(1);
    let outcome: unknown;
    let took = 0;
    for await (const _ of q[api]({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: true })) {
      const started = performance.now();
      outcome = await closeClient(internals, 2000);
      took = performance.now() - started;
    }
    expect(outcome).toBe('done');
    expect(took).toBeLessThan(500);
  });

  it('a client that gave up reconnecting: the drain does not wait, and the loop ends with that failure', async () => {
    const { broker, internals, q } = setup(2);
    let ended: unknown;
    const got: unknown[] = [];
    q.transactions({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }).subscribe({ next: (tx) => got.push(tx), error: (err: unknown) => (ended = err), complete: () => (ended = 'complete') });
    await until(() => got.length === 1);
    const failure = new KubemqError({ code: 'UNAVAILABLE', retryable: false, operation: 'client.reconnect', message: 'gave up reconnecting' });
    expect(await closeClient(internals, 1000, failure)).toBe('done');
    await until(() => ended !== undefined);
    expect(ended).toBe(failure);
    expect(broker.waiting('q')).toHaveLength(2);
  });

  it('an Observable subscriber settling one message at a time: a settlement written before close() is proved, not cut', async () => {
    const { internals, q } = setup(2);
    const outcomes: Promise<unknown>[] = [];
    let completed = false;
    q.subscribe({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }).subscribe({
      next: (m) => outcomes.push(m.ack().then(() => m.settlement, (err: unknown) => err)),
      complete: () => (completed = true),
    });
    await until(() => outcomes.length === 2);
    expect(await closeClient(internals)).toBe('done');
    expect(await Promise.all(outcomes)).toEqual(['acked', 'acked']);
    expect(completed).toBe(true);
  });
});
