import { DecodeError, jsonCodec, textCodec, type KubemqClient } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { queueChannel, queueConsumer, queues, type TypedPolledQueueMessage } from '../../src/index.js';
import { connect } from './helpers.js';

interface Job {
  id: number;
}
const isJob = (v: unknown): Job => {
  if (typeof (v as Job)?.id !== 'number') throw new TypeError('not a Job');
  return v as Job;
};
const jobCodec = () => jsonCodec<Job>({ validate: isJob });

describe('typed queues (integration)', () => {
  let client: KubemqClient;
  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-typed');
  });
  afterAll(async () => {
    await client?.close();
  });

  it('send, sendBatch and receive: values in, decoded values out, a bad body flagged in its place', async () => {
    const channel = uniqueChannel('q.typed');
    const jobs = queueChannel(client, { channel, codec: jobCodec() });
    const one = await jobs.send({ value: { id: 1 }, tags: { t: 'x' } });
    expect(one.sentAt).toBeInstanceOf(Date);
    await queues(client).send({ channel, body: '{"id":"two"}' });
    const batch = await jobs.sendBatch([{ value: { id: 3 } }, { value: { id: 4 }, metadata: 'm' }]);
    expect(batch.failed).toBe(0);
    const { messages } = await jobs.receive({ maxItems: 10, waitTimeoutSeconds: 1 });
    expect(messages.map((m) => (m.ok ? m.value.id : 'bad'))).toEqual([1, 'bad', 3, 4]);
    expect(messages[0]).toMatchObject({ id: one.id, tags: { t: 'x' } });
    expect(messages[1]?.decodeError).toBeInstanceOf(DecodeError);
    expect(messages[1]?.decodeError).toMatchObject({ operation: 'queues.receive', channel, codec: 'json' });
    expect(messages[3]?.metadata).toBe('m');
  });

  it('refuses values the codec rejects, naming them, and sends nothing of that batch', async () => {
    const channel = uniqueChannel('q.typed.refused');
    const jobs = queueChannel(client, { channel, codec: jobCodec() });
    await expect(jobs.send({ value: { id: 'x' } as unknown as Job })).rejects.toMatchObject({ name: 'ValidationError', field: 'value' });
    await expect(jobs.sendBatch([{ value: { id: 1 } }, { value: {} as Job }])).rejects.toMatchObject({ field: 'messages[1].value' });
    await expect(jobs.sendBatch([{ value: { id: 1 } }, null as never])).rejects.toMatchObject({ field: 'messages[1]' });
    await expect(jobs.sendBatch('nope' as never)).rejects.toMatchObject({ name: 'ValidationError' });
    const peeked = await jobs.peek({ maxItems: 10, waitTimeoutSeconds: 1 });
    expect(peeked.messages).toEqual([]);
  });

  it('poll and transactions decode in place: the messages still settle', async () => {
    const channel = uniqueChannel('q.typed.poll');
    const jobs = queueChannel(client, { channel, codec: jobCodec() });
    await jobs.sendBatch([{ value: { id: 1 } }, { value: { id: 2 } }]);
    const tx = await jobs.poll({ maxItems: 10, waitTimeoutMs: 1000 });
    expect(tx.messages.map((m) => m.value?.id)).toEqual([1, 2]);
    await tx.messages[0]?.ack();
    await tx.messages[1]?.requeue({ channel });
    for await (const next of jobs.transactions({ maxItems: 10, waitTimeoutMs: 1000 })) {
      expect(next.messages.map((m) => m.value?.id)).toEqual([2]);
      await next.ackAll();
      break;
    }
  });

  it('subscribe: every polled message arrives decoded and must be settled, the undecodable one too', async () => {
    const channel = uniqueChannel('q.typed.sub');
    const jobs = queueChannel(client, { channel, codec: jobCodec() });
    await jobs.send({ value: { id: 1 } });
    await queues(client).send({ channel, body: 'garbage' });
    await jobs.send({ value: { id: 3 } });
    const seen: TypedPolledQueueMessage<Job>[] = [];
    for await (const m of jobs.subscribe({ maxItems: 10, waitTimeoutMs: 1000 })) {
      seen.push(m);
      await (m.ok ? m.ack() : m.nack());
      if (seen.length === 3) break;
    }
    expect(seen.map((m) => m.ok)).toEqual([true, false, true]);
    expect(seen[1]?.settlement).toBe('nacked');
  });

  it('consume: the handler gets decoded messages; an undecodable one is nacked into the dead-letter queue and reported', async () => {
    const channel = uniqueChannel('q.typed.consume');
    const dead = `${channel}.dead`;
    const jobs = queueChannel(client, { channel, codec: jobCodec() });
    const policy = { maxReceiveCount: 1, deadLetterQueue: dead };
    await jobs.send({ value: { id: 1 }, policy });
    await queues(client).send({ channel, body: '[]', policy });
    await jobs.send({ value: { id: 3 }, policy });
    const handled: number[] = [];
    const errors: unknown[] = [];
    const consumer = queueConsumer(jobs, { waitTimeoutMs: 1000, onError: (error) => errors.push(error) }, (m) => void handled.push(m.value.id));
    try {
      await eventually(() => expect(handled.sort()).toEqual([1, 3]));
      await eventually(() => expect(errors).toHaveLength(1));
    } finally {
      await consumer.stop();
    }
    expect(errors[0]).toBeInstanceOf(DecodeError);
    expect(errors[0]).toMatchObject({ operation: 'queues.consume', channel });
    await eventually(async () => {
      const { messages } = await queueChannel(client, { channel: dead, codec: textCodec() }).receive({ maxItems: 10, waitTimeoutSeconds: 1 });
      expect(messages.map((m) => m.value)).toEqual(['[]']);
    });
  });

  it('purge and the call options: the same as the client, with the channel fixed', async () => {
    const channel = uniqueChannel('q.typed.purge');
    const jobs = queueChannel(client, { channel, codec: jobCodec() });
    await jobs.sendBatch([{ value: { id: 1 } }, { value: { id: 2 } }]);
    expect(await jobs.purge()).toBe(2);
    expect(await jobs.purge({ waitTimeoutSeconds: 1 })).toBe(0);
    await expect(jobs.peek({ maxItems: 1, waitTimeoutSeconds: 5 }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    // A receive cut short would lose what the broker took for it: refused before anything is sent.
    await expect(jobs.receive({ maxItems: 1, waitTimeoutSeconds: 5 }, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'callOptions.timeoutMs',
    });
    await expect(jobs.poll({ maxItems: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(() => queueConsumer(jobs, { maxItems: 0 }, () => undefined)).toThrow(expect.objectContaining({ field: 'maxItems' }));
  }, 30_000);
});
