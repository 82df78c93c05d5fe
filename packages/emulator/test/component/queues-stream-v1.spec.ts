/// <reference types="jest" />
// StreamQueueMessage (stream API v1) over raw gRPC (broker-behaviour.md §2.4, §5.2, §6).
import { StreamQueueMessagesRequest, StreamRequestType as S } from '../../src/generated/kubemq.js';
import { qmsg, queueApi, startBroker, StreamReader, unique, type Broker } from '../queues/harness.js';

let b: Broker;
beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => {
  await b.close();
});

function stream() {
  const call = b.client.streamQueueMessage();
  const reader = new StreamReader(call);
  const req = (fields: Partial<StreamQueueMessagesRequest>) => call.write(StreamQueueMessagesRequest.fromPartial({ ClientID: 'tester', ...fields }));
  return { call, reader, req };
}

const receiveAll = async (q: string) =>
  (await queueApi(b.client).receive({ RequestID: '', ClientID: 'c', Channel: q, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, IsPeak: false })).Messages;

describe('StreamQueueMessage', () => {
  it('validation errors keep the stream open; Ack before a receive is Error 124', async () => {
    const s = stream();
    s.req({ RequestID: 'v1', StreamRequestTypeData: S.ReceiveMessage, ClientID: '', Channel: 'q' });
    s.req({ RequestID: 'v2', StreamRequestTypeData: S.ReceiveMessage, Channel: 'q', VisibilitySeconds: 43201 });
    s.req({ RequestID: 'v3', StreamRequestTypeData: S.ReceiveMessage, Channel: 'q', WaitTimeSeconds: -1 });
    s.req({ RequestID: 'v4', StreamRequestTypeData: S.AckMessage, RefSequence: 0n });
    s.req({ RequestID: 'v5', StreamRequestTypeData: S.SendModifiedMessage });
    s.req({ RequestID: 'v6', StreamRequestTypeData: 9 as S });
    s.req({ RequestID: 'v7', StreamRequestTypeData: S.AckMessage, RefSequence: 5n });
    s.req({ RequestID: 'v8', StreamRequestTypeData: S.RejectMessage, RefSequence: 5n });
    s.req({ RequestID: 'v9', StreamRequestTypeData: S.ResendMessage, Channel: 'other' });
    s.req({ RequestID: 'v10', StreamRequestTypeData: S.ReceiveMessage, Channel: 'a..b' });
    const errors: Array<[string, string]> = [];
    for (let i = 0; i < 10; i++) {
      const r = await s.reader.expectNext();
      expect(r.IsError).toBe(true);
      errors.push([r.RequestID, r.Error]);
    }
    expect(errors).toEqual([
      ['v1', 'Error 101: invalid clientID value, cannot be empty'],
      ['v2', 'Error 127: invalid visibility time, cannot be negative or exceed setting in kubemq config'],
      ['v3', 'Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config'],
      ['v4', 'Error 125: ack sequence cannot be 0 or negative'],
      ['v5', 'Error 131: invalid queue message'],
      ['v6', 'Error 132: invalid stream queue messages request type'],
      ['v7', 'Error 124: no active message to ack'],
      ['v8', 'Error 137: no active message to reject'],
      ['v9', 'Error 126: no active message to send'],
      ['v10', 'Error 121: cannot subscribe to a queue'],
    ]);
    expect(s.reader.ended).toBe(false);
    s.call.cancel();
  });

  it('no message in time → Error 138 and the stream ends', async () => {
    const s = stream();
    s.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: unique('empty'), WaitTimeSeconds: 1 });
    const r = await s.reader.expectNext(3000);
    expect(r).toMatchObject({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, IsError: true, Error: 'Error 138: no new message in queue, wait time expired' });
    expect(await s.reader.waitEnd()).toBe(true);
    expect(s.reader.status?.code).toBe(0);
  });

  it('delivers one message; a second Receive is Error 128; a wrong RefSequence is Error 125; Ack answers OK and ends', async () => {
    const q = unique('q');
    await queueApi(b.client).send(qmsg(q, 'a'));
    const s = stream();
    s.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2 });
    const got = await s.reader.expectNext();
    expect(got.Message?.Body.toString()).toBe('a');
    expect(got.Message?.Attributes).toMatchObject({ Sequence: 1n, ReceiveCount: 1 });
    s.req({ RequestID: 'r2', StreamRequestTypeData: S.ReceiveMessage, Channel: q });
    expect((await s.reader.expectNext()).Error).toBe('Error 128: subscription to queue is already active');
    s.req({ RequestID: 'bad', StreamRequestTypeData: S.AckMessage, RefSequence: 7n });
    expect((await s.reader.expectNext()).Error).toBe('Error 125: ack sequence cannot be 0 or negative');
    s.req({ RequestID: 'ack', StreamRequestTypeData: S.AckMessage, RefSequence: 1n });
    expect(await s.reader.expectNext()).toMatchObject({ RequestID: 'ack', StreamRequestTypeData: S.AckMessage, IsError: false });
    expect(await s.reader.waitEnd()).toBe(true);
    expect(await receiveAll(q)).toEqual([]);
  });

  it('Reject requeues with count + 1', async () => {
    const q = unique('q');
    await queueApi(b.client).send(qmsg(q, 'a'));
    const s = stream();
    s.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2 });
    await s.reader.expectNext();
    s.req({ RequestID: 'rej', StreamRequestTypeData: S.RejectMessage, RefSequence: 1n });
    expect(await s.reader.expectNext()).toMatchObject({ RequestID: 'rej', IsError: false });
    expect(await s.reader.waitEnd()).toBe(true);
    const back = await receiveAll(q);
    expect(back.map((m) => [m.Attributes?.Sequence, m.Attributes?.ReceiveCount])).toEqual([[2n, 2]]);
  });

  it('visibility expiry → Error 129, requeue, end; ModifyVisibility resets the timer', async () => {
    const q = unique('q');
    await queueApi(b.client).send(qmsg(q, 'a'));
    const s = stream();
    s.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2, VisibilitySeconds: 1 });
    await s.reader.expectNext();
    await new Promise((r) => setTimeout(r, 600));
    s.req({ RequestID: 'mv', StreamRequestTypeData: S.ModifyVisibility, VisibilitySeconds: 1 });
    expect(await s.reader.expectNext()).toMatchObject({ RequestID: 'mv', IsError: false });
    await new Promise((r) => setTimeout(r, 600));
    expect(s.reader.ended).toBe(false); // 1.2 s after receive, but the timer was reset
    const expired = await s.reader.expectNext(2000);
    expect(expired).toMatchObject({ IsError: true, Error: 'Error 129: current visibility timer expired' });
    expect(await s.reader.waitEnd()).toBe(true);
    expect((await receiveAll(q)).map((m) => m.Attributes?.ReceiveCount)).toEqual([2]);
  });

  it('Resend moves a copy to another queue; SendModified sends the modified message', async () => {
    const q = unique('q');
    const other = unique('other');
    await queueApi(b.client).send(qmsg(q, 'a'));
    await queueApi(b.client).send(qmsg(q, 'b'));
    const s1 = stream();
    s1.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2 });
    await s1.reader.expectNext();
    s1.req({ RequestID: 'rs', StreamRequestTypeData: S.ResendMessage, Channel: other });
    expect(await s1.reader.expectNext()).toMatchObject({ RequestID: 'rs', IsError: false });
    expect(await s1.reader.waitEnd()).toBe(true);
    const s2 = stream();
    s2.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2 });
    await s2.reader.expectNext();
    s2.req({ RequestID: 'sm', StreamRequestTypeData: S.SendModifiedMessage, ModifiedMessage: qmsg(other, 'b2') });
    expect(await s2.reader.expectNext()).toMatchObject({ RequestID: 'sm', IsError: false });
    expect(await s2.reader.waitEnd()).toBe(true);
    expect((await receiveAll(other)).map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount])).toEqual([
      ['a', 1],
      ['b2', 1],
    ]);
    expect(await receiveAll(q)).toEqual([]);
  });

  it('a disconnect with a message in flight is a negative settle; half-close is ignored', async () => {
    const q = unique('q');
    await queueApi(b.client).send(qmsg(q, 'a'));
    const s = stream();
    s.req({ RequestID: 'r', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2 });
    await s.reader.expectNext();
    s.call.end();
    expect(await s.reader.waitEnd(300)).toBe(false);
    s.call.cancel();
    await new Promise((r) => setTimeout(r, 100));
    expect((await receiveAll(q)).map((m) => m.Attributes?.ReceiveCount)).toEqual([2]);
  });
});
