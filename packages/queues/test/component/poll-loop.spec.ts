// The poll loops (transactions(), subscribe(), consume()) write the next Get right behind the
// settlement that ends the transaction in hand. After a full batch the Get's answer is that
// settlement's proof; after a short one (or with a deadline of the caller's) an ActiveOffsets probe
// goes between them. Either way the settlement resolves only once the broker has served what proves it.
import type { KubemqClient } from '@kubemq/core';
import { attachInternals, QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import type { Subscription } from 'rxjs';
import { queueConsumer, queues, QueueTransactionError, type PolledQueueMessage, type PollResponse } from '../../src/index.js';
import { pollTransactions } from '../../src/internal/consumer/subscribe.js';
import { newLaneCounters } from '../../src/internal/downstream/lane.js';
import { until } from '@kubemq/test-fakes';
import { FakeQueueBroker } from './fake-queue-broker.js';

function fakeClient(broker: FakeQueueBroker): KubemqClient {
  const client = {};
  attachInternals(client, broker.internals());
  return client as KubemqClient;
}

const types = (broker: FakeQueueBroker, call = 0) => (broker.calls[call]!.written as unknown as QueuesDownstreamRequest[]).map((r) => r.RequestTypeData);
const open = (broker: FakeQueueBroker) => broker.calls.filter((c) => !c.cancelled);

let subscriptions: Subscription[] = [];
afterEach(() => {
  for (const s of subscriptions) s.unsubscribe();
  subscriptions = [];
});

function transactions(broker: FakeQueueBroker, maxItems: number): PollResponse[] {
  const got: PollResponse[] = [];
  subscriptions.push(queues(fakeClient(broker)).transactions({ channel: 'q', maxItems, waitTimeoutMs: 1000 }).subscribe((tx) => got.push(tx)));
  return got;
}

/** Pushes `marker` onto the broker's log when `settled` resolves or rejects (to check what it waited for). */
function mark(broker: FakeQueueBroker, settled: Promise<void>, marker = 'resolved'): Promise<unknown> {
  return settled.then(
    () => void broker.log.push(marker),
    (err: unknown) => {
      broker.log.push(`${marker} (error)`);
      return err;
    },
  );
}

describe('poll loops: after a full batch, the next Get is the proof of the settlement that ends it', () => {
  it('writes settle, close and the next Get with no ActiveOffsets, and resolves the settlement only on that Get\'s answer', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    const settled = mark(broker, got[0]!.ackAll());
    // The queue is empty: the Get waits for messages, and the settlement waits for the Get.
    await until(() => broker.getsInFlight === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.Get]);
    expect(broker.log).not.toContain('resolved');
    expect(got[0]!.state).toBe('open');
    expect(got).toHaveLength(1);
    broker.add('q', 2);
    await settled;
    expect(got[0]!.state).toBe('settled');
    expect(got[0]!.messages.map((m) => m.settlement)).toEqual(['acked', 'acked']);
    expect(broker.log).toEqual(['0> Get', '0< Get', '0> AckAll', '0> CloseByClient', '0> Get', '0< Get', 'resolved']);
    await until(() => got.length === 2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m0', 'm1']);
    expect(broker.calls).toHaveLength(1);
    expect(types(broker)).not.toContain(T.ActiveOffsets);
  });

  it('subscribe(): the last message settled rides on the next Get; earlier ones keep their probe', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got: PolledQueueMessage[] = [];
    subscriptions.push(queues(fakeClient(broker)).subscribe({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }).subscribe((m) => got.push(m)));
    await until(() => got.length === 2);
    await got[0]!.ack();
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.ActiveOffsets]);
    const last = mark(broker, got[1]!.ack());
    await until(() => broker.getsInFlight === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(types(broker).slice(3)).toEqual([T.AckRange, T.CloseByClient, T.Get]);
    expect(broker.log).not.toContain('resolved');
    broker.add('q', 2);
    await last;
    expect(broker.log.slice(-2)).toEqual(['0< Get', 'resolved']);
    await until(() => got.length === 4);
    expect(got.slice(2).map((m) => m.text())).toEqual(['m0', 'm1']);
  });

  it("subscribe(): a message's ack in flight when the stream breaks rejects as lost, naming it; the poll's other messages reject lost unsent; the loop delivers them again", async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 3);
    const got: PolledQueueMessage[] = [];
    subscriptions.push(queues(fakeClient(broker)).subscribe({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 }).subscribe((m) => got.push(m)));
    await until(() => got.length === 3);
    broker.holdProbes = true;
    const acked = got[0]!.ack().catch((err: unknown) => err);
    await until(() => types(broker).length === 3);
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.ActiveOffsets]);
    broker.calls[0]!.fail();
    const err = await acked;
    expect(err).toBeInstanceOf(QueueTransactionError);
    expect(err).toMatchObject({
      reason: 'lost',
      code: 'CLOSED',
      retryable: false,
      operation: 'queues.message.ack',
      sequence: got[0]!.sequence,
      message: expect.stringContaining('before the broker confirmed the settlement'),
    });
    // Never more than the broker proved: the unconfirmed ack stays settling.
    expect(got.map((m) => m.settlement)).toEqual(['settling', 'released', 'released']);
    await expect(got[1]!.nack()).rejects.toMatchObject({ reason: 'lost', code: 'CLOSED', sequence: got[1]!.sequence, message: expect.stringContaining('nothing was sent') });
    expect(types(broker)).toHaveLength(3);
    broker.releaseProbes();
    // The broker applied the ack before the break; the other two come back on a new stream.
    await until(() => got.length === 5, 10_000);
    expect(got.slice(3).map((m) => m.text())).toEqual(['m1', 'm2']);
  });

  it('the stream breaks before the Get behind the settlement is answered: the settlement is unconfirmed (QueueTransactionError lost), its messages count as unsettled at the loss', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const counters = newLaneCounters();
    const got: PollResponse[] = [];
    subscriptions.push(
      pollTransactions(broker.internals(), { request: { channel: 'q', maxItems: 2, waitTimeoutMs: 1000, autoAck: false }, operation: 'queues.transactions', defaultTimeoutMs: 1000, counters }).subscribe((tx) => got.push(tx)),
    );
    await until(() => got.length === 1);
    const settled = mark(broker, got[0]!.ackAll());
    await until(() => broker.getsInFlight === 1);
    broker.calls[0]!.fail();
    expect(await settled).toBeInstanceOf(QueueTransactionError);
    expect(await settled).toMatchObject({
      reason: 'lost',
      code: 'CLOSED',
      retryable: false,
      operation: 'queues.transaction.ackAll',
      transactionId: got[0]!.transactionId,
      sequence: undefined,
      message: 'the stream ended before the broker confirmed the settlement; messages it did not apply were returned to the queue and will be delivered again',
      cause: expect.objectContaining({ code: 'UNAVAILABLE' }),
    });
    expect(got[0]!.messages.map((m) => m.settlement)).toEqual(['settling', 'settling']);
    expect(got[0]!.state).toBe('lost');
    // The transaction's ack and close went out ahead of that Get: the broker serves them in order,
    // so only one of the two can still hold messages, and the Get is counted.
    expect(counters).toMatchObject({ unsettledAtLoss: 2, getsInFlightAtLoss: 1, transactionsOpenAtLoss: 0 });
  });

  it('unsubscribing while the Get behind the settlement waits: the stream ends once that Get, the proof, answers; the settlement stands and what the Get took goes back', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    const settled = mark(broker, got[0]!.ackAll());
    await until(() => broker.getsInFlight === 1);
    subscriptions.pop()!.unsubscribe();
    // Ending the stream now would fail a settlement the broker has applied.
    await new Promise((r) => setTimeout(r, 20));
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.add('q', 2, (i) => `n${i}`);
    expect(await settled).toBeUndefined();
    expect(got[0]!.state).toBe('settled');
    await until(() => broker.calls[0]!.cancelled);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['n0', 'n1']);
  });

  /** A transactions() loop whose Gets have a deadline of 1000 + 100 ms. */
  function quickLoop(broker: FakeQueueBroker): PollResponse[] {
    const got: PollResponse[] = [];
    subscriptions.push(
      pollTransactions(broker.internals(), {
        request: { channel: 'q', maxItems: 2, waitTimeoutMs: 1000, autoAck: false },
        operation: 'queues.transactions',
        defaultTimeoutMs: 100,
        counters: newLaneCounters(),
      }).subscribe((tx) => got.push(tx)),
    );
    return got;
  }
  const pendingAfter = (ms: number) => new Promise((r) => setTimeout(() => r('still pending'), ms));

  it('the Get behind the settlement, its proof, never answers (a link that died silently, a stalled broker): its deadline ends the stream at once, the settlement rejects as lost (the poll\'s TIMEOUT its cause) and the loop re-opens', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = quickLoop(broker);
    await until(() => got.length === 1);
    // Only the proof Get stalls: the re-opened stream's Get answers, however soon it comes.
    broker.stallNextGets = 1;
    const started = performance.now();
    const settled = mark(broker, got[0]!.ackAll());
    // Nothing else proves the settlement: waiting for a proof would wait for good.
    // The poll's deadline, not one of the settlement's own: the transaction is lost with its stream.
    expect(await Promise.race([settled, pendingAfter(3000)])).toMatchObject({
      reason: 'lost',
      code: 'CLOSED',
      retryable: false,
      operation: 'queues.transaction.ackAll',
      message: expect.stringContaining('did not confirm the settlement within the deadline that applied'),
      cause: expect.objectContaining({ code: 'TIMEOUT', operation: 'queues.transactions' }),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.Get]);
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(got[0]!.state).toBe('lost');
    broker.add('q', 2, (i) => `n${i}`);
    await until(() => got.length === 2);
    expect(broker.calls).toHaveLength(2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['n0', 'n1']);
  });

  it('unsubscribing while the Get behind the settlement, its proof, never answers: the stream ends when that Get\'s deadline passes', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = quickLoop(broker);
    await until(() => got.length === 1);
    broker.stallGets = true;
    const settled = mark(broker, got[0]!.ackAll());
    await until(() => broker.getsInFlight === 1);
    subscriptions.pop()!.unsubscribe();
    expect(await Promise.race([settled, pendingAfter(3000)])).toMatchObject({ reason: 'lost', cause: expect.objectContaining({ code: 'TIMEOUT' }) });
    expect(broker.calls[0]!.cancelled).toBe(true);
    await until(() => broker.getsInFlight === 0);
    expect(got).toHaveLength(1);
  });

  it('the broker refuses the ending settlement: the stream is ended, so it returns what the transaction held; the loop re-opens and gets them again; the messages stay settling (it may have applied part of it)', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    broker.refuseSettlements = 'cannot ack (refused by the test)';
    const failed = await got[0]!.ackAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toMatchObject({ message: expect.stringContaining('cannot ack (refused by the test)') });
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.Get]);
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(got[0]!.state).toBe('lost');
    // No probe says what it applied: the broker settles one by one and stops at a failure (§2.4).
    expect(got[0]!.messages.map((m) => m.settlement)).toEqual(['settling', 'settling']);
    broker.refuseSettlements = undefined;
    await until(() => got.length === 2);
    expect(broker.calls).toHaveLength(2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m0', 'm1']);
  });

  it('the last message settled one by one, refused: the ones settled before stay settled, the refused one goes back (its settlement, unproved, stays settling)', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    const tx = got[0]!;
    await tx.messages[0]!.ack();
    broker.refuseSettlements = 'invalid ack sequence id 2';
    await expect(tx.messages[1]!.ack()).rejects.toMatchObject({ message: expect.stringContaining('invalid ack sequence id 2') });
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'settling']);
    expect(broker.calls[0]!.cancelled).toBe(true);
    broker.refuseSettlements = undefined;
    await until(() => got.length === 2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m1']);
  });

  it('a deadline of the caller\'s own keeps the ActiveOffsets probe, with the Get behind it', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    await got[0]!.ackAll({ timeoutMs: 500 });
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get]);
  });
});

describe('poll loops: after a short batch, the next Get goes behind an ActiveOffsets probe', () => {
  // An expired message at the head takes one of the Get's places: the Get answers at once with one
  // message fewer than maxItems, as after waiting out its time on a quiet queue.
  it('writes settle, close, ActiveOffsets and the next Get before the proof is answered, and delivers the next transaction only once the previous one is terminal', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 5);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    expect(got[0]!.messages.map((m) => m.text())).toEqual(['m0']);
    broker.holdProbes = true;
    const settled = got[0]!.ackAll();
    await until(() => types(broker).length === 5);
    // On the wire before any answer: the proof, then the Get behind it.
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.CloseByClient, T.ActiveOffsets, T.Get]);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toHaveLength(1); // the broker serves the Get only after the held proof
    expect(got[0]!.state).toBe('open');
    broker.releaseProbes();
    await settled;
    expect(got[0]!.state).toBe('settled');
    await until(() => got.length === 2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m1', 'm2']);
    // The proof's answer came before the Get's, and the Get was written before either.
    expect(broker.log.slice(0, 7)).toEqual(['0> Get', '0< Get', '0> AckRange', '0> CloseByClient', '0> ActiveOffsets', '0> Get', '0< ActiveOffsets (error)']);
    expect(broker.log[7]).toBe('0< Get');
    // A full batch: its settlement rides on the next Get, which takes the rest.
    await got[1]!.ackAll();
    expect(types(broker).slice(5)).toEqual([T.AckAll, T.CloseByClient, T.Get]);
    await until(() => got.length === 3);
    expect(got[2]!.messages.map((m) => m.text())).toEqual(['m3', 'm4']);
    expect(broker.calls).toHaveLength(1);
  });

  it('a transaction the broker keeps open after its ending settlement ends the stream: the settlement fails, nothing is lost, the loop re-opens', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 2);
    const got = transactions(broker, 3);
    await until(() => got.length === 1);
    broker.refuseSettlements = 'cannot ack (refused by the test)';
    const failed = await got[0]!.ackAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toMatchObject({ message: expect.stringContaining('cannot ack (refused by the test)') });
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.CloseByClient, T.ActiveOffsets, T.Get]);
    // Never two open transactions on one stream: it was ended, and the broker took the messages back.
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(got[0]!.state).toBe('lost');
    expect(got[0]!.messages.map((m) => m.settlement)).toEqual(['released', 'released']);
    broker.refuseSettlements = undefined;
    broker.add('q', 1, () => 'm2');
    await until(() => got.length === 2);
    expect(broker.calls).toHaveLength(2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m0', 'm1', 'm2']);
  });

  it('a transaction the broker silently keeps open after its ending settlement: the stream is ended, the settlement rejects as lost, the loop re-opens and gets the message again', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 1);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    broker.ignoreSettlements = true;
    const failed = await got[0]!.ackAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(QueueTransactionError);
    expect(failed).toMatchObject({ reason: 'lost', code: 'CLOSED', retryable: false, message: expect.stringContaining('the broker still held messages of transaction') });
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(got[0]!.state).toBe('lost');
    expect(got[0]!.messages.map((m) => m.settlement)).toEqual(['released']);
    broker.ignoreSettlements = false;
    await until(() => got.length === 2, 10_000);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m0']);
  });

  it('unsubscribing while the Get behind the proof is pending ends the stream: that Get takes nothing, nothing more is delivered', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    await got[0]!.ackAll();
    await until(() => broker.getsInFlight === 1); // the Get behind the proof, waiting for messages
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.CloseByClient, T.ActiveOffsets, T.Get]);
    subscriptions.pop()!.unsubscribe();
    expect(broker.calls[0]!.cancelled).toBe(true);
    await until(() => broker.getsInFlight === 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m1']);
  });

  it('unsubscribing while the proof is unanswered and the Get waits behind it: the stream ends once the proof is in, so the settlement stands; nothing more is delivered', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 4);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    broker.holdProbes = true;
    const settled = got[0]!.ackAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    await until(() => types(broker).length === 5);
    subscriptions.pop()!.unsubscribe();
    // Two answers owed (the proof and the Get): ending the stream now could strand its transactions (§5.3).
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.releaseProbes();
    expect(await settled).toBeUndefined();
    expect(got[0]!.state).toBe('settled');
    await until(() => broker.calls[0]!.cancelled);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
    expect(broker.getsInFlight).toBe(0);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m1', 'm2', 'm3']); // whatever the Get behind the proof took went back
  });
});

describe('poll loops: a settlement\'s own deadline passes while its probe, with the Get behind it, is unanswered', () => {
  // §5.3: a stream ended with two answers owed (the probe's and the Get's) can leave the broker's
  // handler blocked for good: it never closes the stream's transactions, so what that Get takes
  // stays held. The fake broker does the same (see its downstream()).
  it('the settlement rejects at once, but the stream ends only once the probe is answered, with the Get\'s answer alone owed: nothing is stranded, the loop re-opens and gets every message', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 4);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    expect(got[0]!.messages.map((m) => m.text())).toEqual(['m0']);
    broker.holdProbes = true;
    // Not retryable: the transaction is lost with its stream, so the same ackAll() cannot succeed.
    expect(await mark(broker, got[0]!.ackAll({ timeoutMs: 50 }))).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', retryable: false, sent: true, timeoutMs: 50 });
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.CloseByClient, T.ActiveOffsets, T.Get]);
    expect(got[0]!.state).toBe('lost');
    await expect(got[0]!.ackAll()).rejects.toMatchObject({ name: 'QueueTransactionError', reason: 'lost' });
    expect(got[0]!.messages[0]!.settlement).toBe('settling'); // the broker may have applied it
    // The loop re-opens on a new stream at once; the old one waits for its probe's answer.
    await until(() => got.length === 2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m1', 'm2']);
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.releaseProbes();
    await until(() => broker.calls[0]!.cancelled);
    expect(broker.owedAtCancel[0]).toBe(1);
    // Whatever the Get behind the probe would have taken is still there for the new stream.
    await got[1]!.ackAll();
    await until(() => got.length === 3);
    expect(got[2]!.messages.map((m) => m.text())).toEqual(['m3']);
    expect(broker.log).not.toContainEqual(expect.stringContaining('stuck'));
  });

  it('a signal that aborts the settlement does the same: it rejects CANCELLED at once, the stream ends once the probe is answered, and the subscription goes on', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 1);
    const got: PollResponse[] = [];
    let failed: unknown;
    subscriptions.push(queues(fakeClient(broker)).transactions({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }).subscribe({ next: (tx) => got.push(tx), error: (err: unknown) => (failed = err) }));
    await until(() => got.length === 1);
    broker.holdProbes = true;
    const ac = new AbortController();
    const settled = mark(broker, got[0]!.ackAll({ signal: ac.signal }));
    await until(() => types(broker).length === 5);
    ac.abort();
    expect(await settled).toMatchObject({ code: 'CANCELLED' });
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.releaseProbes();
    await until(() => broker.calls[0]!.cancelled);
    expect(broker.owedAtCancel[0]).toBe(1);
    // The settlement failed, not the subscription: it goes on, on a fresh stream.
    broker.add('q', 1);
    await until(() => got.length === 2);
    expect(failed).toBeUndefined();
    expect(broker.calls.length).toBe(2);
  });

  it('a probe that is never answered (a stalled broker): the stream ends when the Get behind it reaches its own deadline, as nothing else would end it', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 1);
    const got: PollResponse[] = [];
    subscriptions.push(
      pollTransactions(broker.internals(), {
        request: { channel: 'q', maxItems: 2, waitTimeoutMs: 1000, autoAck: false },
        operation: 'queues.transactions',
        defaultTimeoutMs: 100, // the Get's deadline: 1000 + 100 ms
        counters: newLaneCounters(),
      }).subscribe((tx) => got.push(tx)),
    );
    await until(() => got.length === 1);
    broker.holdProbes = true;
    const started = performance.now();
    expect(await mark(broker, got[0]!.ackAll({ timeoutMs: 20 }))).toMatchObject({ code: 'TIMEOUT' });
    await new Promise((r) => setTimeout(r, 500));
    expect(broker.calls[0]!.cancelled).toBe(false);
    await until(() => broker.calls[0]!.cancelled);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(broker.owedAtCancel[0]).toBe(2);
    broker.releaseProbes();
  });
});

describe('poll loops: no Get follows, so the probe is the proof', () => {
  it('consume(): stop() during a batch writes no Get behind its settlement but still proves it; the rest stays in the queue, nothing more is delivered', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const consumer = queueConsumer(fakeClient(broker), { channel: 'q', maxItems: 2, concurrency: 2 }, async (m) => {
      seen.push(m.text());
      await gate;
    });
    await until(() => seen.length === 2);
    const stopping = consumer.stop();
    release();
    await stopping;
    expect(broker.log.filter((l) => l === '0< Get')).toHaveLength(1); // no Get went out after stop()
    await expect(consumer.done).resolves.toBeUndefined();
    // The batch in hand was settled and proved, and nothing was written behind its proof.
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    expect(broker.log.slice(-1)).toEqual(['0< ActiveOffsets (error)']);
    expect(consumer.stats).toMatchObject({ batches: 1, acked: 2, streamsOpen: 0, maxPollsInFlight: 1 });
    expect(open(broker)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['m0', 'm1']);
    expect(broker.waiting('q').map((s) => [s.msg.Body.toString(), s.receiveCount])).toEqual([
      ['m2', 0],
      ['m3', 0],
    ]);
  });

  it('a stream due for replacement gets no Get behind the settlement: it is proved by a probe, and the next Get goes on a new stream once the transaction is terminal', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got: PollResponse[] = [];
    subscriptions.push(
      pollTransactions(broker.internals(), {
        request: { channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: false },
        operation: 'queues.transactions',
        defaultTimeoutMs: 1000,
        counters: newLaneCounters(),
        maxTransactionsPerStream: 1,
      }).subscribe((tx) => got.push(tx)),
    );
    await until(() => got.length === 1);
    await got[0]!.ackAll();
    await until(() => got.length === 2);
    expect(types(broker, 0)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(types(broker, 1)[0]).toBe(T.Get);
  });
});

describe('poll loops: an owner that stops', () => {
  it('a poll answered as its stream broke, once the owner stopped, is not handed over: the transaction is lost, its messages back in the queue', async () => {
    const broker = new FakeQueueBroker();
    let keep = true;
    let completed = false;
    const got: PollResponse[] = [];
    subscriptions.push(
      pollTransactions(broker.internals(), {
        request: { channel: 'q', maxItems: 2, waitTimeoutMs: 1000, autoAck: false },
        operation: 'queues.transactions',
        defaultTimeoutMs: 1000,
        counters: newLaneCounters(),
        keepPolling: () => keep,
      }).subscribe({ next: (tx) => got.push(tx), complete: () => (completed = true) }),
    );
    await until(() => broker.getsInFlight === 1);
    keep = false;
    broker.breakAfterNextGet = true;
    broker.add('q', 2);
    await until(() => completed);
    expect(got).toHaveLength(0);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m0', 'm1']);
  });
});
