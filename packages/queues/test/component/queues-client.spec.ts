import { attachInternals, QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { textCodec, type KubemqClient } from '@kubemq/core';
import { queueChannel, queueConsumer, queues, type PolledQueueMessage } from '../../src/index.js';
import { until } from '@kubemq/test-fakes';
import { FakeQueueBroker } from './fake-queue-broker.js';

function fakeClient(broker: FakeQueueBroker): KubemqClient {
  const client = {};
  attachInternals(client, broker.internals());
  return client as KubemqClient;
}

const types = (broker: FakeQueueBroker) => (broker.written('QueuesDownstream') as QueuesDownstreamRequest[]).map((r) => r.RequestTypeData);

/** 'ok', or the error: observed at once, so a rejection is never left unhandled. */
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', (err: unknown) => err);

/** A for await result's message text (undefined when the loop ended). */
const text = (r: IteratorResult<{ text(): string }>): string | undefined => (r.done ? undefined : r.value.text());

describe('QueuesClient on a broker-like fake', () => {
  it('subscribe() emits messages and polls again only when all of a poll are settled', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 6);
    const got: PolledQueueMessage[] = [];
    const sub = queues(fakeClient(broker)).subscribe({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 }).subscribe((m) => got.push(m));
    try {
      await until(() => got.length === 3);
      await got[0]!.ack();
      await got[1]!.nack();
      await new Promise((r) => setTimeout(r, 20));
      expect(types(broker).filter((t) => t === T.Get)).toHaveLength(1); // one message still unsettled
      await got[2]!.ack();
      await until(() => got.length >= 6);
      expect(types(broker).slice(0, 10)).toEqual([
        T.Get,
        T.AckRange, T.ActiveOffsets,
        T.NAckRange, T.ActiveOffsets,
        T.AckRange, T.CloseByClient,
        T.Get, // the second poll: only now, and the proof of the settlement before it (a full batch)
        ...types(broker).slice(8, 10),
      ]);
      expect(got.slice(3).map((m) => m.text())).toEqual(['m3', 'm4', 'm5']);
    } finally {
      sub.unsubscribe();
    }
    expect(broker.waiting('q').map((s) => s.receiveCount).sort()).toEqual([0, 0, 0, 1]); // nacked one + unsettled three returned
  });

  it('bad input is refused before anything is sent', async () => {
    const broker = new FakeQueueBroker();
    const q = queues(fakeClient(broker));
    await expect(q.poll({ channel: 'a b' })).rejects.toMatchObject({ field: 'channel' });
    // Each names the call that failed and its channel (KubemqError.operation), not an inner 'validate'.
    await expect(q.poll({ channel: 'q', maxItems: 0 })).rejects.toMatchObject({ field: 'maxItems', operation: 'queues.poll', channel: 'q' });
    await expect(q.send({ channel: 'q', body: 'x', policy: { delaySeconds: -1 } })).rejects.toMatchObject({ operation: 'queues.send', channel: 'q' });
    await expect(q.sendBatch([])).rejects.toMatchObject({ operation: 'queues.sendBatch' });
    await expect(q.receive({ channel: 'q', maxItems: 0 })).rejects.toMatchObject({ operation: 'queues.receive', channel: 'q' });
    await expect(q.peek({ channel: 'q', maxItems: 0 })).rejects.toMatchObject({ operation: 'queues.peek', channel: 'q' });
    await expect(q.purge({ channel: 'q', waitTimeoutSeconds: -1 })).rejects.toMatchObject({ operation: 'queues.purge', channel: 'q' });
    await expect(q.info({ channels: ['a;b'] })).rejects.toMatchObject({ operation: 'queues.info' });
    expect(() => q.transactions({ channel: 'q', maxItems: 0 })).toThrow(expect.objectContaining({ operation: 'queues.transactions', channel: 'q' }));
    expect(() => queueConsumer(q, { channel: 'q', concurrency: 0 }, () => undefined)).toThrow(expect.objectContaining({ operation: 'queues.consume', channel: 'q' }));
    expect(() => queues(fakeClient(broker), { limits: { maxPollWaitMs: 10 } })).toThrow(expect.objectContaining({ operation: 'queues', field: 'limits.maxPollWaitMs' }));
    await expect(q.poll({ channel: 'q', waitTimeoutMs: 999 })).rejects.toMatchObject({ field: 'waitTimeoutMs' });
    await expect(q.receive({ channel: 'q', waitTimeoutSeconds: 1.5 })).rejects.toMatchObject({ field: 'waitTimeoutSeconds' });
    await expect(q.receive({ channel: 'q' }, { timeoutMs: -1 })).rejects.toMatchObject({ field: 'timeoutMs' });
    await expect(q.purge({ channel: 'q', waitTimeoutSeconds: 3601 })).rejects.toMatchObject({ field: 'waitTimeoutSeconds' });
    await expect(q.purge({ channel: 'q' }, 'x' as never)).rejects.toMatchObject({ field: 'callOptions' });
    await expect(q.send({ channel: 'q' })).rejects.toMatchObject({ field: 'body' });
    await expect(q.sendBatch([])).rejects.toMatchObject({ field: 'messages' });
    await expect(q.info({ channels: ['a;b'] })).rejects.toMatchObject({ field: 'channels[0]' });
    expect(() => q.subscribe({ channel: 'q', maxItems: -1 })).toThrow(expect.objectContaining({ field: 'maxItems' }));
    expect(() => queueConsumer(q, { channel: 'q' }, 'nope' as never)).toThrow(expect.objectContaining({ field: 'handler' }));
    expect(() => queueConsumer(q, 'q' as never, () => undefined)).toThrow(expect.objectContaining({ field: 'options' }));
    expect(() => queueConsumer(q, { channel: 'q', concurrency: 0 }, () => undefined)).toThrow(expect.objectContaining({ field: 'concurrency' }));
    expect(() => queueConsumer(q, { channel: 'q', maxItems: 0 }, () => undefined)).toThrow(expect.objectContaining({ field: 'maxItems' }));
    expect(() => queueConsumer(q, { channel: 'a b' }, () => undefined)).toThrow(expect.objectContaining({ field: 'channel' }));
    expect(() => queueConsumer(q, { channel: 'q', onError: 'log' as never }, () => undefined)).toThrow(expect.objectContaining({ field: 'onError' }));
    expect(() => queueConsumer({} as never, { channel: 'q' }, () => undefined)).toThrow(expect.objectContaining({ field: 'client', operation: 'queues.consume' }));
    const typed = queueChannel(q, { channel: 'q', codec: textCodec() });
    expect(() => queueConsumer(typed, { maxItems: 0 }, () => undefined)).toThrow(expect.objectContaining({ field: 'maxItems' }));
    expect(() => queueConsumer(typed, null as never, () => undefined)).toThrow(expect.objectContaining({ field: 'options' }));
    expect(broker.calls).toHaveLength(0);
  });

  it('a bufferSize that is not a whole count, or smaller than what one poll hands over, is refused before anything is sent', () => {
    const broker = new FakeQueueBroker();
    const q = queues(fakeClient(broker));
    const typed = queueChannel(q, { channel: 'q', codec: textCodec() });
    expect(() => q.subscribe({ channel: 'q', bufferSize: 0 })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    expect(() => q.subscribe({ channel: 'q', bufferSize: 1.5 })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    // A poll's messages arrive together: fewer than maxItems would overflow on every full batch.
    expect(() => q.subscribe({ channel: 'q', maxItems: 10, bufferSize: 9 })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    expect(() => q.subscribe({ channel: 'q', bufferSize: 9 })).toThrow(expect.objectContaining({ field: 'bufferSize' })); // maxItems defaults to 10
    expect(() => typed.subscribe({ maxItems: 10, bufferSize: 9 })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    expect(() => q.transactions({ channel: 'q', bufferSize: 0 })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    expect(() => typed.transactions({ bufferSize: 'many' as never })).toThrow(expect.objectContaining({ field: 'bufferSize' }));
    expect(q.subscribe({ channel: 'q', maxItems: 10, bufferSize: 10 })).toBeDefined();
    expect(broker.calls).toHaveLength(0);
  });

  it('subscribe() with autoAck: a for await reader is paced, the next poll goes out once it has read the last one and asks for more', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    // The broker acks what a poll hands out: a poll ahead of the reader would be lost if it left.
    const reader = queues(fakeClient(broker)).subscribe({ channel: 'q', maxItems: 2, autoAck: true })[Symbol.asyncIterator]();
    try {
      const first = [await reader.next(), await reader.next()].map(text);
      expect(first).toEqual(['m0', 'm1']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(broker.waiting('q')).toHaveLength(2);
      expect(text(await reader.next())).toBe('m2');
      expect(broker.waiting('q')).toHaveLength(0);
    } finally {
      await reader.return?.();
    }
  });

  it('transactions() and a typed channel\'s subscribe() with autoAck are paced too', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const transactions = queues(fakeClient(broker)).transactions({ channel: 'q', maxItems: 1, autoAck: true })[Symbol.asyncIterator]();
    try {
      const first = await transactions.next();
      expect(first.done ? undefined : first.value.messages.map((m) => m.text())).toEqual(['m0']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(broker.waiting('q')).toHaveLength(1);
    } finally {
      await transactions.return?.();
    }
    broker.add('t', 2);
    const typed = queueChannel(queues(fakeClient(broker)), { channel: 't', codec: textCodec() });
    const decoded = typed.subscribe({ maxItems: 1, autoAck: true })[Symbol.asyncIterator]();
    try {
      const first = await decoded.next();
      expect(first.done ? undefined : first.value.value).toBe('m0');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(broker.waiting('t')).toHaveLength(1);
      const second = await decoded.next();
      expect(second.done ? undefined : second.value.value).toBe('m1');
    } finally {
      await decoded.return?.();
    }
  });

  it('shares one pool of poll streams per client across queues(client) calls', async () => {
    const broker = new FakeQueueBroker();
    const client = fakeClient(broker);
    broker.add('q', 2);
    const first = await queues(client).poll({ channel: 'q', maxItems: 1 });
    await first.ackAll();
    const second = await queues(client).poll({ channel: 'q', maxItems: 1 });
    await second.ackAll();
    expect(broker.calls).toHaveLength(1);
  });

  it('consume() without onError warns through the client\'s logger, naming the message its handler threw on', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const internals = broker.internals();
    const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    internals.logger.warn = (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields });
    const client = {};
    attachInternals(client, internals);
    let thrown = false;
    const consumer = queueConsumer(client as KubemqClient, { channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }, (m) => {
      if (m.text() === 'm1' && !thrown) {
        thrown = true;
        throw new Error('cannot handle m1');
      }
    });
    try {
      await until(() => consumer.stats.acked === 2); // m0, and m1 on its second delivery
    } finally {
      await consumer.stop();
    }
    expect(warnings).toEqual([
      {
        message: expect.stringContaining('handler threw') as string,
        fields: expect.objectContaining({ channel: 'q', error: 'cannot handle m1', sequence: 2 }) as Record<string, unknown>,
      },
    ]);
  });

  it('consume() with onError tells it instead of the logger', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const internals = broker.internals();
    const warnings: string[] = [];
    internals.logger.warn = (message: string) => void warnings.push(message);
    const client = {};
    attachInternals(client, internals);
    const reported: [unknown, string | undefined][] = [];
    let thrown = false;
    const consumer = queueConsumer(client as KubemqClient, 
      { channel: 'q', maxItems: 1, waitTimeoutMs: 1000, onError: (error, message) => void reported.push([error, message?.text()]) },
      () => {
        if (thrown) return;
        thrown = true;
        throw new Error('nope');
      },
    );
    try {
      await until(() => consumer.stats.acked === 1);
    } finally {
      await consumer.stop();
    }
    expect(reported).toEqual([[expect.objectContaining({ message: 'nope' }), 'm0']]);
    expect(warnings).toEqual([]);
  });
});

describe('poll(): a poll made while a settlement is proved goes behind its probe on the same stream', () => {
  it('a poll() made before the ack is awaited takes the same stream behind its probe; the ack does not wait for that Get', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const q = queues(fakeClient(broker));
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    const acked = tx.ackAll();
    const next = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    await acked; // the queue is empty: the Get waits, the ack does not
    expect(tx.state).toBe('settled');
    expect(broker.getsInFlight).toBe(1);
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get]);
    expect(broker.calls).toHaveLength(1);
    broker.add('q', 1);
    const second = await next;
    expect(second.messages.map((m) => m.text())).toEqual(['m0']);
    await second.ackAll();
  });

  it('an awaited ack, with nothing after it, is proved by ActiveOffsets; the next poll() reuses the stream behind it', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const q = queues(fakeClient(broker));
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    await tx.ackAll();
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    const second = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    expect(broker.calls).toHaveLength(1);
    await second.ackAll();
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
  });

  it('the next poll\'s own deadline ends the stream while its Get waits: the ack, proved before, stands', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const q = queues(fakeClient(broker));
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    broker.stallNextGets = 1; // its Get never answers (a stalled broker): only its deadline ends it
    const acked = tx.ackAll();
    const next = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 10_000 }, { timeoutMs: 2000 });
    await expect(acked).resolves.toBeUndefined();
    await expect(next).rejects.toMatchObject({ code: 'TIMEOUT', sent: true });
    await until(() => broker.calls[0]!.cancelled);
    expect(tx.state).toBe('settled');
    expect(tx.messages[0]?.settlement).toBe('acked');
  });

  it.each(['at once', 'in a microtask', 'in a timer'])(
    'aborting the next poll %s while the ack\'s probe is unanswered fails that poll only: the stream ends once the probe is answered, and the ack stands',
    async (when) => {
      const broker = new FakeQueueBroker();
      broker.add('q', 4);
      const q = queues(fakeClient(broker));
      const tx = await q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 });
      broker.holdProbes = true;
      const acked = outcome(tx.ackAll());
      const ac = new AbortController();
      const next = q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }, { signal: ac.signal });
      if (when === 'at once') ac.abort();
      else if (when === 'in a microtask') queueMicrotask(() => ac.abort());
      else setTimeout(() => ac.abort(), 0);
      expect(await outcome(next)).toMatchObject({ code: 'CANCELLED' });
      // The stream still owes the ack's proof: ending it now would report the ack lost.
      expect(broker.calls[0]!.cancelled).toBe(false);
      broker.releaseProbes();
      expect(await acked).toBe('ok');
      expect(tx.state).toBe('settled');
      expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'acked']);
      await until(() => broker.calls[0]!.cancelled);
      await until(() => broker.waiting('q').length === 2);
      expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m2', 'm3']);
    },
  );

  it('a timeoutMs of the next poll that passes while the ack\'s probe is unanswered fails that poll only, with TIMEOUT', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    // The ack's deadline (the client's default) well past the poll's.
    const client = {};
    attachInternals(client, broker.internals({ defaultTimeoutMs: 10_000 }));
    const q = queues(client as KubemqClient);
    const tx = await q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 });
    broker.holdProbes = true;
    const acked = outcome(tx.ackAll());
    // Written behind the probe, the Get is served only once the probe is: its deadline passes first.
    const next = outcome(q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }, { timeoutMs: 2000 }));
    expect(await next).toMatchObject({ code: 'TIMEOUT', sent: true });
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.releaseProbes();
    expect(await acked).toBe('ok');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'acked']);
    await until(() => broker.calls[0]!.cancelled);
    // The stream ended with one answer owed (the Get's), never two.
    await until(() => broker.waiting('q').length === 2);
  });

  /** A client whose settlements have a deadline of 100 ms (the client's defaultTimeoutMs). */
  function quickClient(broker: FakeQueueBroker) {
    const internals = broker.internals({ defaultTimeoutMs: 100 });
    const client = {};
    attachInternals(client, internals);
    return { internals, q: queues(client as KubemqClient) };
  }

  it('the ack\'s deadline (the client\'s default) passes while its probe is unanswered and a poll() waits behind it: the ack rejects at once as lost, the stream ends only once that poll is answered (never with two answers owed); that poll is not handed over, and what it took goes back', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const { internals, q } = quickClient(broker);
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    broker.holdProbes = true;
    const acked = outcome(tx.ackAll());
    const next = outcome(q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }));
    // A deadline the SDK applied, not one of the caller's: the transaction is lost with its stream.
    expect(await acked).toMatchObject({ reason: 'lost', code: 'CLOSED', retryable: false, cause: expect.objectContaining({ code: 'TIMEOUT', timeoutMs: 100 }) });
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get]);
    expect(tx.state).toBe('lost');
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.add('q', 2, (i) => `n${i}`);
    broker.releaseProbes();
    // Its transaction could not be settled on a stream that is ending.
    expect(await next).toMatchObject({ code: 'UNAVAILABLE', retryable: true, message: expect.stringContaining('the broker returns the 2 messages it took to the queue') });
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(broker.owedAtCancel).toEqual([0]);
    expect(internals.logs).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringContaining('not handed over'), fields: expect.objectContaining({ messages: 2 }) }));
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['n0', 'n1']);
    const again = await q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 });
    expect(again.messages.map((m) => m.text())).toEqual(['n0', 'n1']);
    await again.ackAll();
  });

  it('the same with an autoAck poll() behind the probe: it is handed over, as the broker acked what it took', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const { q } = quickClient(broker);
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    broker.holdProbes = true;
    const acked = outcome(tx.ackAll());
    const next = q.poll({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000, autoAck: true });
    expect(await acked).toMatchObject({ reason: 'lost', cause: expect.objectContaining({ code: 'TIMEOUT' }) });
    broker.add('q', 2, (i) => `n${i}`);
    broker.releaseProbes();
    const got = await next;
    expect(got.messages.map((m) => m.text())).toEqual(['n0', 'n1']);
    expect(got.state).toBe('settled');
    await until(() => broker.calls[0]!.cancelled);
    expect(broker.owedAtCancel).toEqual([0]);
  });

  it('with no idle stream kept (maxIdleStreams 0) the lane is not handed on early: the ack is proved by ActiveOffsets', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const q = queues(fakeClient(broker), { maxIdleStreams: 0 });
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    const acked = tx.ackAll();
    const next = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    await acked;
    await (await next).ackAll();
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    expect(broker.calls).toHaveLength(2);
  });
});

describe('a signal that had already aborted: nothing is sent', () => {
  it('poll() rejects CANCELLED without opening a stream, or writing on an idle one', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const q = queues(fakeClient(broker));
    const aborted = AbortSignal.abort();
    await expect(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }, { signal: aborted })).rejects.toMatchObject({ code: 'CANCELLED', operation: 'queues.poll', channel: 'q' });
    expect(broker.calls).toHaveLength(0);
    const tx = await q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 });
    await tx.ackAll();
    const written = types(broker).length;
    await expect(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }, { signal: aborted })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(types(broker)).toHaveLength(written);
    expect(broker.calls.some((c) => c.cancelled)).toBe(false);
    expect(broker.waiting('q')).toHaveLength(1);
  });

  it('a settlement or a close rejects CANCELLED without writing anything: the transaction stays open and can still be settled', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 3);
    const q = queues(fakeClient(broker));
    const tx = await q.poll({ channel: 'q', maxItems: 3, waitTimeoutMs: 1000 });
    const signal = AbortSignal.abort();
    const written = types(broker).length;
    await expect(tx.ackAll({ signal })).rejects.toMatchObject({ code: 'CANCELLED', operation: 'queues.transaction.ackAll' });
    await expect(tx.requeueAll({ channel: 'other' }, { signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(tx.nackSequences([1], { signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(tx.messages[0]!.ack({ signal })).rejects.toMatchObject({ code: 'CANCELLED', operation: 'queues.message.ack' });
    await expect(tx.close({ signal })).rejects.toMatchObject({ code: 'CANCELLED', operation: 'queues.transaction.close' });
    expect(types(broker)).toHaveLength(written);
    expect(tx.state).toBe('open');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['pending', 'pending', 'pending']);
    await tx.ackAll();
    expect(tx.state).toBe('settled');
    expect(broker.waiting('q')).toHaveLength(0);
  });
});
