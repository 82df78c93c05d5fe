/// <reference types="jest" />
// What a graceful stop (stop(), as on SIGTERM) returns and what it strands, with a data dir
// (broker-behaviour.md §5.3). The server stops its gRPC server first and closes its store about
// 1.1 s later; a QueuesDownstream Get runs on the server's own context, so one still waiting when
// the store closes keeps its subscription for good, as after a kill.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueuesDownstreamRequest, QueuesDownstreamRequestType as T } from '../../src/generated/kubemq.js';
import { qmsg, queueApi, startBroker, StreamReader, unique, type Broker } from '../queues/harness.js';

jest.setTimeout(30_000);

let dir: string;
let b: Broker | undefined;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'queues-graceful-'))));
afterEach(async () => {
  await b?.close();
  b = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function downstream(broker: Broker) {
  const call = broker.client.queuesDownstream();
  const reader = new StreamReader(call);
  const req = (fields: Partial<QueuesDownstreamRequest>) => call.write(QueuesDownstreamRequest.fromPartial({ ClientID: 'tester', ...fields }));
  return { call, reader, req };
}

const fill = (broker: Broker, q: string, ...bodies: string[]) => queueApi(broker.client).batch({ BatchID: 'f', Messages: bodies.map((x) => qmsg(q, x)) });

const receiveAll = async (broker: Broker, q: string) =>
  (await queueApi(broker.client).receive({ RequestID: '', ClientID: 'r', Channel: q, MaxNumberOfMessages: 100, WaitTimeSeconds: 1, IsPeak: false })).Messages.map(
    (m) => m.Body.toString(),
  );

describe('a graceful stop of the emulator', () => {
  it('returns what idle streams and Gets ending within 1 s held; strands a longer Get, what its stream held, and a stuck stream', async () => {
    b = await startBroker({ dataDir: dir });
    const q = { waiting: unique('waiting'), behind: unique('behind'), idle: unique('idle'), soon: unique('soon'), stuck: unique('stuck') };
    for (const name of Object.values(q)) await fill(b, name, 'm1', 'm2');

    // A Get that took both messages and waits on for a minute: still subscribed when the store closes.
    const waiting = downstream(b);
    waiting.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q.waiting, MaxItems: 5, WaitTimeout: 60_000 });

    // An open transaction on a stream whose handler is in a long Get (on an empty queue) at the stop.
    const behind = downstream(b);
    behind.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q.behind, MaxItems: 2, WaitTimeout: 1000 });
    expect((await behind.reader.expectNext()).Messages).toHaveLength(2);
    behind.req({ RequestID: 'long', RequestTypeData: T.Get, Channel: unique('empty'), MaxItems: 1, WaitTimeout: 60_000 });

    // An open transaction on an idle stream: the stop makes its handler close it [seen, §6].
    const idle = downstream(b);
    idle.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q.idle, MaxItems: 2, WaitTimeout: 1000 });
    expect((await idle.reader.expectNext()).Messages).toHaveLength(2);

    // A stream ended with two answers owed: its handler is stuck, its transaction stays open.
    const stuck = downstream(b);
    stuck.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q.stuck, MaxItems: 2, WaitTimeout: 1000 });
    expect((await stuck.reader.expectNext()).Messages).toHaveLength(2);
    stuck.req({ RequestID: 'wait', RequestTypeData: T.Get, Channel: unique('empty'), MaxItems: 1, WaitTimeout: 1000 });
    stuck.req({ RequestID: 'status', RequestTypeData: T.TransactionStatus, RefTransactionId: 'x' });
    await sleep(200);
    stuck.call.cancel();
    await sleep(1200); // the Get's answer takes the one-slot buffer, the status answer blocks the handler

    // A Get that took both messages, with its wait (the least the server allows) ending before the store closes.
    const soon = downstream(b);
    soon.req({ RequestID: 'g', RequestTypeData: T.Get, Channel: q.soon, MaxItems: 5, WaitTimeout: 1000 });
    await sleep(100);

    await b.emu.stop();
    b = await startBroker({ dataDir: dir });
    const broker = b;
    const got = await Promise.all([q.idle, q.soon, q.waiting, q.behind, q.stuck].map((name) => receiveAll(broker, name)));
    expect(got).toEqual([['m1', 'm2'], ['m1', 'm2'], [], [], []]);
    const info = await queueApi(b.client).info({ RequestID: 'i', QueueName: [q.waiting, q.behind, q.stuck].join(';') });
    expect(info.Info?.Queues.map((x) => [x.Messages, x.Waiting])).toEqual([
      [2n, 2n],
      [2n, 2n],
      [2n, 2n],
    ]); // still stored, never acked
  });
});
