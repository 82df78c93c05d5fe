/// <reference types="jest" />
// Queue durability across a stop of the emulator process with a data dir. Like the real server:
// after `kill -9`, nothing acknowledged is lost, nothing acked comes back, and what consumers
// held unsettled (an open downstream transaction, a stream-v1 receive) is stranded for good;
// after SIGTERM (a graceful stop) every unsettled message comes back.
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kubemqClient, QueuesDownstreamRequest, QueuesDownstreamRequestType as T, StreamQueueMessagesRequest, StreamRequestType as S } from '../../src/generated/kubemq.js';
import { qmsg, queueApi, StreamReader, unique } from '../queues/harness.js';
import { closeSafely } from './support/harness.js';

jest.setTimeout(60_000);

const root = resolve(__dirname, '../../../..');
const cli = join(root, 'packages/emulator/src/cli/main.ts');

function startChild(dataDir: string): Promise<{ child: ChildProcess; address: string }> {
  return new Promise((resolveStart, reject) => {
    // One process (node with the tsx loader), so SIGKILL hits the broker itself.
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--data-dir', dataDir, '--log-level', 'error'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolveStart({ child, address: m[1] });
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
  });
}

/** Stops the process with `signal` and resolves once it has exited. */
function stopped(child: ChildProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  return new Promise((r) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.on('exit', () => r());
    child.kill(signal);
  });
}

/**
 * 100 messages m0..m99 on `q`; m0..m9 acked (AutoAck), m10..m12 nacked (copies at the tail,
 * count 1), m13..m17 held by an open transaction, m18 held by a stream-v1 receive (visibility
 * 1 s, long past by the time a restarted broker is asked: stranding outlives it).
 */
async function holdSome(client: kubemqClient, q: string): Promise<void> {
  const up = client.queuesUpstream();
  const upReader = new StreamReader(up);
  // One batch at a time: overlapping batches may be stored in any order.
  for (let i = 0; i < 5; i++) {
    up.write({ RequestID: `u${i}`, Messages: Array.from({ length: 20 }, (_, j) => qmsg(q, `m${i * 20 + j}`)) });
    expect((await upReader.expectNext()).IsError).toBe(false);
  }
  await closeSafely(client, up as grpc.ClientDuplexStream<unknown, unknown>);

  const down = client.queuesDownstream();
  const dr = new StreamReader(down);
  const get = (id: string, maxItems: number, autoAck: boolean) =>
    down.write(QueuesDownstreamRequest.fromPartial({ RequestID: id, ClientID: 'k', RequestTypeData: T.Get, Channel: q, MaxItems: maxItems, WaitTimeout: 1000, AutoAck: autoAck }));
  get('acked', 10, true);
  expect((await dr.expectNext()).Messages).toHaveLength(10);
  get('nacked', 3, false);
  const nacked = await dr.expectNext();
  down.write(QueuesDownstreamRequest.fromPartial({ RequestID: 'n', ClientID: 'k', RequestTypeData: T.NAckAll, RefTransactionId: nacked.TransactionId }));
  get('held', 5, false);
  expect((await dr.expectNext()).Messages.map((m) => m.Body.toString())).toEqual(['m13', 'm14', 'm15', 'm16', 'm17']);

  const v1 = client.streamQueueMessage();
  const vr = new StreamReader(v1);
  v1.write(StreamQueueMessagesRequest.fromPartial({ RequestID: 'r', ClientID: 'k', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2, VisibilitySeconds: 1 }));
  expect((await vr.expectNext()).Message?.Body.toString()).toBe('m18');
}

const receiveAll = async (client: kubemqClient, q: string) =>
  (await queueApi(client).receive({ RequestID: '', ClientID: 'k', Channel: q, MaxNumberOfMessages: 1024, WaitTimeSeconds: 1, IsPeak: false })).Messages.map(
    (m): [string, number | undefined] => [m.Body.toString(), m.Attributes?.ReceiveCount],
  );

describe('queue messages across a stop of the emulator process', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let client: kubemqClient | undefined;
  const start = async () => {
    client?.close();
    const started = await startChild(dir);
    child = started.child;
    client = new kubemqClient(started.address, grpc.credentials.createInsecure());
    return client;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'queues-kill-'));
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    if (child) await stopped(child, 'SIGKILL');
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL: acked messages stay gone, the rest come back with their counts, held ones are stranded for good', async () => {
    const q = unique('durable');
    await holdSome(await start(), q);
    await stopped(child as ChildProcess, 'SIGKILL');

    let c = await start();
    const expected: Array<[string, number]> = [];
    for (let i = 19; i < 100; i++) expected.push([`m${i}`, 1]);
    const nacked: Array<[string, number]> = [10, 11, 12].map((i) => [`m${i}`, 2]); // nack copies (new sequences 101..103)
    const got = await receiveAll(c, q);
    // m13..m18 were held at the kill: stranded. The nack copies come in the order NAckAll walked them (random).
    expect(got.slice(0, expected.length)).toEqual(expected);
    expect(got.slice(expected.length).sort()).toEqual(nacked);
    const info = await queueApi(c).info({ RequestID: 'i', QueueName: q });
    expect(info.Info?.Queues[0]).toMatchObject({ Messages: 103n, Waiting: 6n }); // still stored, never acked

    await stopped(child as ChildProcess, 'SIGTERM'); // a graceful restart does not bring them back either
    c = await start();
    expect(await receiveAll(c, q)).toEqual([]);
  });

  it('SIGTERM: the graceful stop hands every held message back, so all unacked messages come back', async () => {
    const q = unique('graceful');
    await holdSome(await start(), q);
    await stopped(child as ChildProcess, 'SIGTERM');

    const c = await start();
    const back = await receiveAll(c, q);
    const expected: string[] = [];
    for (let i = 10; i < 100; i++) expected.push(`m${i}`);
    expect(back.map(([body]) => body).sort()).toEqual(expected.sort());
    expect(back.filter(([body]) => /^m1[3-7]$/.test(body))).toEqual([13, 14, 15, 16, 17].map((i) => [`m${i}`, 1])); // released, count unchanged
  });
});
