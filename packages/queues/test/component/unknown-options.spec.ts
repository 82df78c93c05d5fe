// Options a call does not know (another SDK's names, a misspelling, 0.1's call options mixed in)
// are refused before anything is sent, naming what to use: ignored, their default took over, in
// a unit that differs between receive() (seconds) and poll() (milliseconds).
import { attachInternals } from '@kubemq/core/internal';
import { textCodec, ValidationError, type KubemqClient } from '@kubemq/core';
import { queueChannel, queueConsumer, queues, queueUpstream } from '../../src/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

function fakeClient(broker: FakeQueueBroker): KubemqClient {
  const client = {};
  attachInternals(client, broker.internals());
  return client as KubemqClient;
}

/** The error a call throws or rejects with (it fails the test when the call succeeds). */
async function failure(call: () => unknown): Promise<ValidationError> {
  try {
    await call();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('the call succeeded');
}

describe('queues: options a call does not know are refused before anything is sent', () => {
  it.each([
    ['receive', { maxNumberOfMessages: 10 }, 'maxNumberOfMessages', /use maxItems$/],
    ['receive', { waitTimeoutMs: 4000 }, 'waitTimeoutMs', /use waitTimeoutSeconds \(whole seconds/],
    ['receive', { timeoutMs: 4000 }, 'timeoutMs', /use \{ timeoutMs \} in the call options \(the second argument\)/],
    ['peek', { maxNumberOfMessages: 10 }, 'maxNumberOfMessages', /use maxItems$/],
    ['purge', { waitTimeoutMs: 1000 }, 'waitTimeoutMs', /use waitTimeoutSeconds/],
    ['poll', { waitTimeoutSeconds: 4 }, 'waitTimeoutSeconds', /use waitTimeoutMs \(milliseconds/],
    ['poll', { maxNumberOfMessages: 10 }, 'maxNumberOfMessages', /use maxItems$/],
    ['poll', { visibilitySeconds: 30 }, 'visibilitySeconds', /the options are channel, maxItems, waitTimeoutMs, autoAck/],
  ] as const)('%s(%j) rejects naming %s', async (method, extra, field, hint) => {
    const broker = new FakeQueueBroker();
    broker.add('q', 5);
    const q = queues(fakeClient(broker));
    const err = await failure(() => (q[method] as (o: object) => Promise<unknown>)({ channel: 'q', ...extra }));
    expect(err).toMatchObject({ code: 'VALIDATION', field, operation: `queues.${method}`, channel: 'q' });
    expect(err.message).toMatch(hint);
    expect(broker.written('QueuesDownstream')).toEqual([]);
    expect(broker.waiting('q')).toHaveLength(5);
  });

  it('subscribe(), transactions(), queueConsumer(), info(), queues() and queueUpstream() refuse them too', async () => {
    const broker = new FakeQueueBroker();
    const client = fakeClient(broker);
    const q = queues(client);
    expect(() => q.subscribe({ channel: 'q', waitTimeoutSeconds: 4 } as never)).toThrow(
      expect.objectContaining({ field: 'waitTimeoutSeconds', operation: 'queues.subscribe', message: expect.stringMatching(/use waitTimeoutMs/) }),
    );
    expect(() => q.transactions({ channel: 'q', maxNumberOfMessages: 10 } as never)).toThrow(
      expect.objectContaining({ field: 'maxNumberOfMessages', operation: 'queues.transactions', message: expect.stringMatching(/use maxItems$/) }),
    );
    // 0.1's batchSize; and autoAck, which a consumer (at-least-once) never had.
    expect(() => queueConsumer(q, { channel: 'q', batchSize: 5 } as never, () => undefined)).toThrow(
      expect.objectContaining({ field: 'batchSize', operation: 'queues.consume', message: expect.stringMatching(/use maxItems$/) }),
    );
    expect(() => queueConsumer(client, { channel: 'q', autoAck: true } as never, () => undefined)).toThrow(expect.objectContaining({ field: 'autoAck' }));
    // `channel` would have asked the broker for every queue.
    await expect(q.info({ channel: 'q' } as never)).rejects.toMatchObject({ field: 'channel', operation: 'queues.info', message: expect.stringMatching(/use channels$/) });
    expect(() => queues(client, { limit: { maxDelaySeconds: 86_400 } } as never)).toThrow(expect.objectContaining({ field: 'limit', operation: 'queues' }));
    expect(() => queueUpstream(client, { maxQueue: 5 } as never)).toThrow(expect.objectContaining({ field: 'maxQueue', operation: 'queues.upstream' }));
    expect(broker.written('QueuesDownstream')).toEqual([]);
    expect(broker.calls).toEqual([]);
  });

  it('takes a known option given as undefined as not given', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const client = fakeClient(broker);
    const q = queues(client, { limits: undefined, maxIdleStreams: undefined });
    const tx = await q.poll({ channel: 'q', maxItems: undefined, waitTimeoutMs: undefined, autoAck: undefined });
    expect(tx.messages).toHaveLength(1);
    await tx.ackAll();
    const consumer = queueConsumer(q, { channel: 'q', maxItems: undefined, concurrency: undefined, waitTimeoutMs: undefined, signal: undefined, onError: undefined }, () => undefined);
    await consumer.stop();
    const sub = q.subscribe({ channel: 'q', maxItems: undefined, waitTimeoutMs: undefined, autoAck: undefined, bufferSize: undefined }).subscribe(() => undefined);
    sub.unsubscribe();
    await queueUpstream(client, { limits: undefined, maxQueued: undefined }).close();
  });
});

describe('queueChannel(): options that are no object are refused as the untyped call refuses them', () => {
  it.each([
    ['receive', 5],
    ['peek', 'x'],
    ['purge', null],
    ['poll', 5],
    ['poll', []],
  ] as const)('%s(%j) rejects with the untyped call\'s ValidationError, instead of running with the defaults', async (method, options) => {
    const broker = new FakeQueueBroker();
    broker.add('jobs', 1);
    const q = queues(fakeClient(broker));
    const jobs = queueChannel(q, { channel: 'jobs', codec: textCodec() });
    const typed = await failure(() => (jobs[method] as (o: unknown) => Promise<unknown>)(options));
    const untyped = await failure(() => (q[method] as (o: unknown) => Promise<unknown>)(options));
    const shape = (e: ValidationError) => ({ code: e.code, field: e.field, operation: e.operation, channel: e.channel, message: e.message });
    expect(shape(typed)).toEqual(shape(untyped));
    expect(typed).toMatchObject({ code: 'VALIDATION', field: 'options', operation: `queues.${method}` });
    expect(broker.written('QueuesDownstream')).toEqual([]);
    expect(broker.waiting('jobs')).toHaveLength(1);
  });

  it.each([
    ['subscribe', 5],
    ['transactions', null],
  ] as const)('%s(%j) throws the untyped call\'s ValidationError', (method, options) => {
    const broker = new FakeQueueBroker();
    const q = queues(fakeClient(broker));
    const jobs = queueChannel(q, { channel: 'jobs', codec: textCodec() });
    expect(() => jobs[method](options as never)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'options', operation: `queues.${method}` }));
    expect(() => q[method](options as never)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'options', operation: `queues.${method}` }));
  });

  it('a foreign key given to a typed queue is refused as well', async () => {
    const broker = new FakeQueueBroker();
    const jobs = queueChannel(fakeClient(broker), { channel: 'jobs', codec: textCodec() });
    await expect(jobs.receive({ maxNumberOfMessages: 10 } as never)).rejects.toMatchObject({ field: 'maxNumberOfMessages', channel: 'jobs' });
    expect(() => jobs.subscribe({ waitTimeoutSeconds: 4 } as never)).toThrow(expect.objectContaining({ field: 'waitTimeoutSeconds' }));
    expect(() => queueConsumer(jobs, { batchSize: 5 } as never, () => undefined)).toThrow(expect.objectContaining({ field: 'batchSize' }));
    // No options at all still means the defaults.
    await expect(jobs.purge(undefined, { timeoutMs: 1 })).rejects.toMatchObject({ field: 'callOptions.timeoutMs' });
  });
});

describe("queues: a call's own options (CallOptions) are closed too", () => {
  const timeoutRefused = { code: 'VALIDATION', field: 'timeout', message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)' };

  it("every call refuses kubemq-js's timeout in its call options, naming timeoutMs, and sends nothing", async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 3);
    const internals = broker.internals();
    const client = {};
    attachInternals(client, internals);
    const q = queues(client as KubemqClient);
    const call = { timeout: 1000 } as never;
    const message = { channel: 'q', body: 'x' };
    await expect(q.send(message, call)).rejects.toMatchObject({ ...timeoutRefused, operation: 'queues.send', channel: 'q' });
    await expect(q.sendBatch([message], { deadline: 1000 } as never)).rejects.toMatchObject({ field: 'deadline', operation: 'queues.sendBatch' });
    for (const method of ['receive', 'peek', 'purge', 'poll'] as const) {
      await expect((q[method] as (o: object, c: never) => Promise<unknown>)({ channel: 'q' }, call)).rejects.toMatchObject({ ...timeoutRefused, operation: `queues.${method}`, channel: 'q' });
    }
    await expect(q.info({}, { abortSignal: AbortSignal.timeout(1000) } as never)).rejects.toMatchObject({ field: 'abortSignal', message: 'invalid abortSignal: is not an option here: use signal' });
    const typed = queueChannel(q, { channel: 'q', codec: textCodec() });
    await expect(typed.send({ value: 'x' }, call)).rejects.toMatchObject({ ...timeoutRefused, channel: 'q' });
    await expect(typed.receive({}, call)).rejects.toMatchObject({ ...timeoutRefused, operation: 'queues.receive' });
    const upstream = queueUpstream(client as KubemqClient);
    await expect(upstream.send([message], call)).rejects.toMatchObject({ ...timeoutRefused, operation: 'queues.upstream.send' });
    await expect(upstream.close({ timeOutMs: 0 } as never)).rejects.toMatchObject({ field: 'timeOutMs', operation: 'queues.upstream.close' });
    expect(internals.unaryCalls).toBe(0);
    expect(broker.calls).toEqual([]);
    expect(broker.waiting('q')).toHaveLength(3);
    await upstream.close({ timeoutMs: undefined, signal: undefined });
  });

  it("a transaction's settlements refuse it too, and the transaction stays in hand to settle", async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const q = queues(fakeClient(broker));
    const tx = await q.poll({ channel: 'q', maxItems: 2 });
    const written = broker.written('QueuesDownstream').length;
    const call = { timeout: 1000 } as never;
    await expect(tx.ackAll(call)).rejects.toMatchObject({ ...timeoutRefused, operation: 'queues.transaction.ackAll' });
    await expect(tx.requeueAll({ channel: 'other' }, call)).rejects.toMatchObject(timeoutRefused);
    await expect(tx.messages[0]!.ack(call)).rejects.toMatchObject(timeoutRefused);
    await expect(tx.close({ deadline: 1000 } as never)).rejects.toMatchObject({ field: 'deadline' });
    expect(broker.written('QueuesDownstream')).toHaveLength(written);
    await tx.ackAll({ signal: undefined, timeoutMs: undefined });
    expect(broker.waiting('q')).toHaveLength(0);
  });
});
