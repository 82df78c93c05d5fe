/// <reference types="jest" />
// Queue durability across SIGKILL: the emulator runs as a child process with a data dir;
// after `kill -9` and a restart, nothing acknowledged is lost and nothing acked comes back.
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kubemqClient, QueuesDownstreamRequest, QueuesDownstreamRequestType as T, StreamQueueMessagesRequest, StreamRequestType as S } from '../../src/generated/kubemq.js';
import { qmsg, queueApi, StreamReader, unique } from '../queues/harness.js';

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

function killed(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    child.removeAllListeners('exit');
    child.on('exit', () => r());
    child.kill('SIGKILL');
  });
}

it('survives SIGKILL: acked messages stay gone, unacked ones (incl. in flight) come back with their counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'queues-kill-'));
  const q = unique('durable');
  let child: ChildProcess | undefined;
  try {
    const first = await startChild(dir);
    child = first.child;
    let client = new kubemqClient(first.address, grpc.credentials.createInsecure());
    const up = client.queuesUpstream();
    const upReader = new StreamReader(up);
    for (let i = 0; i < 5; i++) up.write({ RequestID: `u${i}`, Messages: Array.from({ length: 20 }, (_, j) => qmsg(q, `m${i * 20 + j}`)) });
    for (let i = 0; i < 5; i++) expect((await upReader.expectNext()).IsError).toBe(false);
    up.cancel();

    const down = client.queuesDownstream();
    const dr = new StreamReader(down);
    const get = (id: string, maxItems: number, autoAck: boolean) =>
      down.write(QueuesDownstreamRequest.fromPartial({ RequestID: id, ClientID: 'k', RequestTypeData: T.Get, Channel: q, MaxItems: maxItems, WaitTimeout: 1000, AutoAck: autoAck }));
    get('acked', 10, true); // m0..m9 acked
    expect((await dr.expectNext()).Messages).toHaveLength(10);
    get('nacked', 3, false); // m10..m12 nacked: copies at the tail with count 1
    const nacked = await dr.expectNext();
    down.write(QueuesDownstreamRequest.fromPartial({ RequestID: 'n', ClientID: 'k', RequestTypeData: T.NAckAll, RefTransactionId: nacked.TransactionId }));
    get('held', 5, false); // m13..m17 in flight at the kill
    expect((await dr.expectNext()).Messages).toHaveLength(5);

    const v1 = client.streamQueueMessage();
    const vr = new StreamReader(v1);
    v1.write(StreamQueueMessagesRequest.fromPartial({ RequestID: 'r', ClientID: 'k', StreamRequestTypeData: S.ReceiveMessage, Channel: q, WaitTimeSeconds: 2 }));
    expect((await vr.expectNext()).Message?.Body.toString()).toBe('m18'); // in flight on stream v1

    await killed(child);
    client.close();

    const second = await startChild(dir);
    child = second.child;
    client = new kubemqClient(second.address, grpc.credentials.createInsecure());
    const r = await queueApi(client).receive({ RequestID: '', ClientID: 'k', Channel: q, MaxNumberOfMessages: 1024, WaitTimeSeconds: 1, IsPeak: false });
    const seen = r.Messages.map((m) => [m.Body.toString(), m.Attributes?.ReceiveCount]);
    const expected: Array<[string, number]> = [];
    for (let i = 13; i < 100; i++) expected.push([`m${i}`, 1]); // in flight at the kill → visible again, count unchanged
    for (let i = 10; i < 13; i++) expected.push([`m${i}`, 2]); // nack copies (new sequences 101..103)
    expect(seen).toEqual(expected);
    client.close();
  } finally {
    if (child && child.exitCode === null) await killed(child);
    rmSync(dir, { recursive: true, force: true });
  }
});
