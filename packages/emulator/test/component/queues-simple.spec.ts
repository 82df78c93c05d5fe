/// <reference types="jest" />
// Simple queue API over raw gRPC (broker-behaviour.md §2.4, §3, §5.1, §6): exact payloads and statuses.
import * as grpc from '@grpc/grpc-js';
import { type QueueMessage, QueuesInfoRequest, ReceiveQueueMessagesRequest, AckAllQueueMessagesRequest } from '../../src/generated/kubemq.js';
import { queueApi, startBroker, qmsg, unique, type Broker } from '../queues/harness.js';

let b: Broker;
beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => {
  await b.close();
});

const api = () => queueApi(b.client);
const send = (m: QueueMessage) => api().send(m);
const receive = (r: Partial<ReceiveQueueMessagesRequest>) =>
  api().receive(ReceiveQueueMessagesRequest.fromPartial({ ClientID: 'tester', MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...r }));
const ackAll = (r: Partial<AckAllQueueMessagesRequest>) =>
  api().ackAll(AckAllQueueMessagesRequest.fromPartial({ ClientID: 'tester', WaitTimeSeconds: 1, ...r }));

const NUID = /^[0-9A-Za-z]{22}$/;

describe('SendQueueMessage', () => {
  it('returns a generated 22-char MessageID and Unix-ns times', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const r = await send(qmsg(unique('q'), 'hello', { Policy: { ExpirationSeconds: 10, DelaySeconds: 2 } }));
    expect(r.IsError).toBe(false);
    expect(r.MessageID).toMatch(NUID);
    expect(r.SentAt >= before).toBe(true);
    expect(r.ExpirationAt - r.SentAt).toBeGreaterThanOrEqual(12_000_000_000n - 50_000_000n);
    expect(r.DelayedTo - r.SentAt).toBeGreaterThanOrEqual(2_000_000_000n - 50_000_000n);
  });

  it.each([
    ['empty ClientID', { ClientID: '' }, 'Error 101: invalid clientID value, cannot be empty'],
    ['empty channel', { Channel: '' }, 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot'],
    ['wildcard', { Channel: 'a.*' }, 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot'],
    ['empty message', { Body: Buffer.alloc(0) }, 'Error 110: invalid message, cannot be empty'],
    ['expiration', { Policy: { ExpirationSeconds: 43201 } }, 'Error 133: invalid expiration seconds, exceed max expiration seconds setting in kubemq config'],
    ['receive count', { Policy: { MaxReceiveCount: -1 } }, 'Error 134: invalid max received count, cannot be negative or exceed max receive count setting in kubemq config'],
    ['delay', { Policy: { DelaySeconds: 43201 } }, 'Error 135: invalid delay seconds, exceed max delay seconds setting in kubemq config'],
    ['DLQ name', { Policy: { MaxReceiveQueue: 'dl q' } }, 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot'],
  ] as const)('%s fails in the result with a MessageID and SentAt 0', async (_name, fields, error) => {
    const r = await send(qmsg(unique('q'), 'x', fields as never));
    expect(r).toMatchObject({ IsError: true, Error: error, SentAt: 0n });
    expect(r.MessageID).toMatch(NUID);
  });

  it('checks in order: ClientID before channel before body', async () => {
    const r = await send(qmsg('', '', { ClientID: '' }));
    expect(r.Error).toBe('Error 101: invalid clientID value, cannot be empty');
  });

  it('keeps a given MessageID and rejects stan-invalid names as a publish failure', async () => {
    const r = await send(qmsg('a..b', 'x', { MessageID: 'mine' }));
    expect(r).toMatchObject({ MessageID: 'mine', IsError: true, Error: 'stan: invalid publish request' });
  });
});

describe('SendQueueMessagesBatch', () => {
  it('an empty batch is gRPC UNKNOWN "empty messages batch"', async () => {
    const err = await api().batchError({ BatchID: 'b', Messages: [] });
    expect(err.code).toBe(grpc.status.UNKNOWN);
    expect(err.details).toBe('empty messages batch');
  });

  it('answers per message in order; validation failures leave HaveErrors false, publish failures set it', async () => {
    const q = unique('q');
    const r = await api().batch({
      BatchID: 'b1',
      Messages: [qmsg(q, 'a'), qmsg(q, '', {}), qmsg(q, 'c', { Policy: { DelaySeconds: -1 } })],
    });
    expect(r.BatchID).toBe('b1');
    expect(r.Results.map((x) => [x.IsError, x.Error.slice(0, 9)])).toEqual([
      [false, ''],
      [true, 'Error 110'],
      [true, 'Error 135'],
    ]);
    expect(r.HaveErrors).toBe(false);
    const bad = await api().batch({ BatchID: 'b2', Messages: [qmsg('x/y', 'a')] });
    expect(bad.HaveErrors).toBe(true);
  });
});

describe('ReceiveQueueMessages', () => {
  it.each([
    [{ ClientID: '' }, 'Error 101: invalid clientID value, cannot be empty'],
    [{ Channel: 'a.' }, 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot'],
    [{ MaxNumberOfMessages: 0 }, 'Error 122: max messages should be between 1 and max message setting in kubemq config  '],
    [{ MaxNumberOfMessages: 1025 }, 'Error 122: max messages should be between 1 and max message setting in kubemq config  '],
    [{ WaitTimeSeconds: -1 }, 'Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config'],
    [{ WaitTimeSeconds: 3601 }, 'Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config'],
  ])('%o → %s', async (fields, error) => {
    const r = await receive({ Channel: 'ok', RequestID: 'r1', ...fields });
    expect(r).toMatchObject({ RequestID: 'r1', IsError: true, Error: error, Messages: [] });
  });

  it('a name stan refuses fails the subscription: Error 121 (receive and AckAll)', async () => {
    expect((await receive({ Channel: 'a/b' })).Error).toBe('Error 121: cannot subscribe to a queue');
    expect((await ackAll({ Channel: 'a..b' })).Error).toBe('Error 121: cannot subscribe to a queue');
  });

  it('returns at MaxNumberOfMessages, acks on arrival, shows ReceiveCount 1', async () => {
    const q = unique('q');
    for (const body of ['a', 'b', 'c']) await send(qmsg(q, body));
    const start = performance.now();
    const r = await receive({ Channel: q, MaxNumberOfMessages: 2, WaitTimeSeconds: 30 });
    expect(performance.now() - start).toBeLessThan(5000);
    expect(r.Messages.map((m) => m.Body.toString())).toEqual(['a', 'b']);
    expect(r.MessagesReceived).toBe(2);
    expect(r.Messages[0]?.Attributes).toMatchObject({ Sequence: 1n, ReceiveCount: 1 });
    expect(r.RequestID).toMatch(NUID);
    const rest = await receive({ Channel: q });
    expect(rest.Messages.map((m) => m.Body.toString())).toEqual(['c']);
  });

  it('waits the full WaitTimeSeconds when fewer messages exist', async () => {
    const q = unique('q');
    await send(qmsg(q, 'only'));
    const start = performance.now();
    const r = await receive({ Channel: q, MaxNumberOfMessages: 5, WaitTimeSeconds: 1 });
    expect(performance.now() - start).toBeGreaterThanOrEqual(950);
    expect(r.MessagesReceived).toBe(1);
  });

  it('peek leaves the message and its count', async () => {
    const q = unique('q');
    await send(qmsg(q, 'a'));
    const p = await receive({ Channel: q, IsPeak: true });
    expect(p).toMatchObject({ IsPeak: true, MessagesReceived: 1 });
    const r = await receive({ Channel: q });
    expect(r.Messages[0]?.Attributes?.ReceiveCount).toBe(1);
  });

  it('counts expired messages', async () => {
    const q = unique('q');
    await send(qmsg(q, 'a', { Policy: { ExpirationSeconds: 1 } }));
    await new Promise((r) => setTimeout(r, 1100));
    const r = await receive({ Channel: q });
    expect(r).toMatchObject({ MessagesReceived: 0, MessagesExpired: 1 });
  });

  it('delivers a delayed message only after its delay, with DelayedTo 0', async () => {
    const q = unique('q');
    await send(qmsg(q, 'late', { Policy: { DelaySeconds: 2 } }));
    const early = await receive({ Channel: q, WaitTimeSeconds: 1, IsPeak: true });
    expect(early.MessagesReceived).toBe(0);
    const r = await receive({ Channel: q, WaitTimeSeconds: 3, MaxNumberOfMessages: 1 });
    expect(r.Messages[0]?.Attributes).toMatchObject({ DelayedTo: 0n });
  });
});

describe('AckAllQueueMessages', () => {
  it('validates 101, 120, 136', async () => {
    expect((await ackAll({ ClientID: '', Channel: 'q' })).Error).toBe('Error 101: invalid clientID value, cannot be empty');
    expect((await ackAll({ Channel: '' })).Error).toMatch(/^Error 120: /);
    expect((await ackAll({ Channel: 'q', WaitTimeSeconds: -1 })).Error).toMatch(/^Error 136: /);
  });

  it('acks everything that arrives during the wait and always blocks that long', async () => {
    const q = unique('q');
    for (const body of ['a', 'b']) await send(qmsg(q, body));
    const start = performance.now();
    const r = await ackAll({ Channel: q, RequestID: 'x' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(950);
    expect(r).toMatchObject({ RequestID: 'x', AffectedMessages: 2n, IsError: false });
    expect((await receive({ Channel: q, IsPeak: true })).MessagesReceived).toBe(0);
  });
});

describe('one queue\'s receives, peeks and AckAlls take turns', () => {
  it('a receive cancelled while it waits its turn still runs then, and acks what is there (the worst of the server\'s random pick)', async () => {
    const q = unique('q');
    await receive({ Channel: q }); // the queue's pooled client now exists: later calls take turns
    await send(qmsg(q, 'held by the peek'));
    const peek = receive({ Channel: q, IsPeak: true, WaitTimeSeconds: 2 });
    const cancelled = new Promise<grpc.ServiceError | null>((resolve) => {
      const req = ReceiveQueueMessagesRequest.fromPartial({ ClientID: 'tester', Channel: q, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
      b.client.receiveQueueMessages(req, new grpc.Metadata(), { deadline: Date.now() + 300 }, (err) => resolve(err));
    });
    expect((await cancelled)?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect((await peek).MessagesReceived).toBe(1); // the peek hands it back when its wait ends
    // Then the cancelled receive's turn: it takes the message, and nobody gets it.
    expect((await receive({ Channel: q, IsPeak: true })).MessagesReceived).toBe(0);
  });

  it('validation waits its turn too', async () => {
    const q = unique('q');
    await receive({ Channel: q });
    const start = performance.now();
    const [, refused] = await Promise.all([receive({ Channel: q, WaitTimeSeconds: 1 }), receive({ Channel: q, MaxNumberOfMessages: 0 })]);
    expect(refused.Error).toMatch(/^Error 122: /);
    expect(performance.now() - start).toBeGreaterThanOrEqual(950);
  });
});

describe('QueuesInfo', () => {
  it('lists the matched queues (cutset-trimmed names) with totals of those only', async () => {
    const q = unique('info');
    await send(qmsg(q, 'a'));
    await send(qmsg(q, 'b'));
    await send(qmsg('QA_S', 'z'));
    const r = await api().info(QueuesInfoRequest.fromPartial({ RequestID: 'i1', QueueName: `${q};A;missing` }));
    expect(r.RefRequestID).toBe('i1');
    expect(r.Info?.Queues.map((x) => x.Name).sort()).toEqual(['A', q].sort());
    const mine = r.Info?.Queues.find((x) => x.Name === q);
    expect(mine).toMatchObject({ Messages: 2n, FirstSequence: 1n, LastSequence: 2n, Sent: 2n, Waiting: 2n });
    expect(r.Info).toMatchObject({ TotalQueue: 2, Sent: 3n, Waiting: 3n });
  });
});
