// Durability with a data directory: events-store channels, durable positions and queues survive
// a stop/start of the in-process emulator and a SIGKILL of the CLI process; without one, nothing does.
// An events-store event is written a few ms after its Sent:true (see the engine's tests for that
// window): a SIGKILL keeps what a subscriber was delivered, a SIGTERM keeps every acknowledged event.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventReceive, QueueMessage, kubemqClient } from '../../src/generated/kubemq.js';
import { call, collect, connect, event, sleep, startEmulator, subscription, unique } from './support/harness.js';
import { ensureBuilt, runCli } from './support/cli-process.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'emu-data-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const storeEvent = (c: kubemqClient, channel: string, body: string) => call(c.sendEvent.bind(c), event({ Channel: channel, Body: Buffer.from(body), Store: true }));
const sendQueue = (c: kubemqClient, channel: string, body: string) =>
  call(c.sendQueueMessage.bind(c), { MessageID: '', ClientID: 'p', Channel: channel, Metadata: '', Body: Buffer.from(body), Tags: {}, Attributes: undefined, Policy: undefined } as QueueMessage);
const receiveQueue = (c: kubemqClient, channel: string) =>
  call(c.receiveQueueMessages.bind(c), { RequestID: 'r', ClientID: 'c', Channel: channel, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, IsPeak: false });

async function readFrom(c: kubemqClient, clientId: string, channel: string, n: number): Promise<EventReceive[]> {
  const s = c.subscribeToEvents(subscription({ SubscribeTypeData: 2, ClientID: clientId, Channel: channel, EventsStoreTypeData: 2 }));
  s.on('error', () => undefined);
  const got = collect(s);
  await got.count(n);
  await sleep(100); // nothing more should come
  s.cancel();
  return got.items;
}

describe('persistence', () => {
  it('keeps events, durable positions and queue messages across stop/start with a data dir', async () => {
    const ch = unique('p');
    const q = unique('pq');
    let emu = await startEmulator({ dataDir: dir });
    let c = connect(emu.address);
    for (let i = 1; i <= 3; i++) await storeEvent(c, ch, `e${i}`);
    expect((await readFrom(c, 'durable1', ch, 3)).map((e) => e.Body.toString())).toEqual(['e1', 'e2', 'e3']);
    expect((await sendQueue(c, q, 'q1')).IsError).toBe(false);
    c.close();
    await emu.stop();

    emu = await startEmulator({ dataDir: dir, clientIdReleaseMs: 0 });
    c = connect(emu.address);
    try {
      await storeEvent(c, ch, 'e4');
      const fresh = await readFrom(c, 'fresh', ch, 4);
      expect(fresh.map((e) => Number(e.Sequence))).toEqual([1, 2, 3, 4]);
      const resumed = await readFrom(c, 'durable1', ch, 1);
      expect(resumed.map((e) => e.Body.toString())).toEqual(['e4']);
      const r = await receiveQueue(c, q);
      expect(r.Messages.map((m) => m.Body.toString())).toEqual(['q1']);
    } finally {
      c.close();
      await emu.stop();
    }
  }, 30_000);

  it('keeps nothing without a data dir', async () => {
    const ch = unique('mem');
    let emu = await startEmulator();
    let c = connect(emu.address);
    await storeEvent(c, ch, 'gone');
    c.close();
    await emu.stop();
    emu = await startEmulator();
    c = connect(emu.address);
    try {
      await storeEvent(c, ch, 'new');
      expect((await readFrom(c, 'x', ch, 1)).map((e) => Number(e.Sequence))).toEqual([1]);
    } finally {
      c.close();
      await emu.stop();
    }
  }, 30_000);

  it('keeps delivered events and acknowledged queue messages after a SIGKILL of the CLI process', async () => {
    ensureBuilt();
    const ch = unique('kill');
    const q = unique('killq');
    const first = runCli(['--port', '0', '--data-dir', dir, '--log-level', 'silent']);
    let c = connect(await first.ready());
    const stream = c.sendEventsStream();
    const results = collect(stream);
    for (let i = 1; i <= 200; i++) stream.write(event({ Channel: ch, Body: Buffer.from(`k${i}`), Store: true }));
    await results.count(200);
    const written = Array.from({ length: 200 }, (_, i) => `k${i + 1}`);
    // A subscriber gets an event once it is written, so these 200 are on disk.
    expect((await readFrom(c, 'before-kill', ch, 200)).map((e) => e.Body.toString())).toEqual(written);
    for (let i = 1; i <= 20; i++) await sendQueue(c, q, `m${i}`);
    stream.end();
    c.close();
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = runCli(['--port', '0', '--data-dir', dir, '--log-level', 'silent']);
    try {
      c = connect(await second.ready());
      const events = await readFrom(c, 'after-kill', ch, 200);
      expect(events.map((e) => e.Body.toString())).toEqual(written);
      const got: string[] = [];
      while (got.length < 20) {
        const r = await receiveQueue(c, q);
        if (r.Messages.length === 0) break;
        got.push(...r.Messages.map((m) => m.Body.toString()));
      }
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
      c.close();
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);

  it('keeps every acknowledged event when SIGTERM comes right after the last Sent:true', async () => {
    ensureBuilt();
    const ch = unique('term');
    const first = runCli(['--port', '0', '--data-dir', dir, '--log-level', 'silent']);
    let c = connect(await first.ready());
    const stream = c.sendEventsStream();
    const results = collect(stream);
    for (let i = 1; i <= 200; i++) stream.write(event({ Channel: ch, Body: Buffer.from(`t${i}`), Store: true }));
    await results.count(200);
    first.child.kill('SIGTERM'); // some of the 200 are not written yet: the graceful stop writes them
    expect(await first.exited).toBe(0);
    c.close();

    const second = runCli(['--port', '0', '--data-dir', dir, '--log-level', 'silent']);
    try {
      c = connect(await second.ready());
      const events = await readFrom(c, 'after-term', ch, 200);
      expect(events.map((e) => e.Body.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `t${i + 1}`));
      expect(events.map((e) => Number(e.Sequence))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      c.close();
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});
