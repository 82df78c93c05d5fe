// Message size limit (GRPC_BODY_LIMIT) and the slow-consumer drop (broker-behaviour.md §2.1, §3, §4).
import * as grpc from '@grpc/grpc-js';
import { QueuesUpstreamRequest } from '../../src/generated/kubemq.js';
import { call, collect, connect, event, failure, probe, sleep, startEmulator, subscription, unique, until } from './support/harness.js';

describe('limits', () => {
  it('rejects a message over bodyLimit with RESOURCE_EXHAUSTED', async () => {
    const emu = await startEmulator({ bodyLimit: 10_000 });
    const c = connect(emu.address);
    try {
      expect((await call(c.sendEvent.bind(c), event({ Channel: 'x', Body: Buffer.alloc(5_000) }))).Sent).toBe(true);
      expect((await failure(c.sendEvent.bind(c), event({ Channel: 'x', Body: Buffer.alloc(20_000) }))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      c.close();
      await emu.stop();
    }
  });

  it('panics on a queue upstream request over bodyLimit, where the real server dereferences the nil request its reader hands on', async () => {
    const emu = await startEmulator({ bodyLimit: 10_000 });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const c = connect(emu.address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 50 });
    try {
      const up = c.queuesUpstream();
      up.on('error', () => undefined);
      up.write(QueuesUpstreamRequest.fromPartial({ RequestID: 'big', Messages: [{ MessageID: 'm', ClientID: 'c', Channel: 'q.big', Body: Buffer.alloc(20_000) }] }));
      await until(() => emu.panicked !== undefined);
      expect(emu.panicked).toMatch(/^QueuesUpstream read a request over GRPC_BODY_LIMIT \(grpc: received message larger than max \(\d+ vs\. 10000\)\)/);
      expect((await failure(c.ping.bind(c), {})).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      stderr.mockRestore();
      c.close();
      await emu.stop();
    }
  });

  it('drops events a subscriber that stopped reading could not take in time, and keeps the rest in order', async () => {
    await using sub = await stalledSubscriber({ capacity: 5, bodyBytes: 32 * 1024 });
    const total = 400;
    for (let i = 0; i < total; i++) await sub.send(i);
    await sleep(1500); // lets the 100 ms drop window pass for many waiting events
    sub.stream.resume();
    await until(() => sub.got.items.some((e) => e.Metadata === String(total - 1)), 10_000).catch(() => undefined);
    await sleep(200);
    const seq = sub.received();
    expect(seq.length).toBeLessThan(total);
    expect(seq.length).toBeGreaterThan(0);
    expect([...seq].sort((a, b) => a - b)).toEqual(seq); // order kept
  }, 30_000);

  // What a stalled subscriber keeps before its first drop on the server (§2.1): what its client
  // holds (16 messages unread, then its 64 KiB window takes part of the next), then grpc-go's
  // write quota of 64 KiB: the message the window took part of and, once that part gave its
  // bytes back, one more; one blocked in Send; then the buffer. grpc-js's own write buffer took
  // 16 messages of any size.
  it('keeps no more 100 KB events for a stalled subscriber than the server does before its first drop', async () => {
    const capacity = 5;
    await using sub = await stalledSubscriber({ capacity, bodyBytes: 100 * 1024 });
    for (let i = 0; i < 60; i++) await sub.send(i);
    await sleep(400); // the first waiting event is dropped after 100 ms
    const unread = sub.stream.readableLength;
    sub.stream.resume();
    let seen = -1;
    while (seen !== sub.got.items.length) {
      seen = sub.got.items.length;
      await sleep(300);
    }
    const seq = sub.received();
    const kept = seq.findIndex((n, i) => n !== i); // the first one dropped
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(unread + 2 + 1 + capacity);
    expect(kept).toBeGreaterThanOrEqual(unread + 1 + capacity);
    expect([...seq].sort((a, b) => a - b)).toEqual(seq);
  }, 30_000);
});

/**
 * An emulator dropping a waiting event after 100 ms, and a subscriber to a fresh channel that has
 * received one event and then stopped reading (HTTP/2 flow control fills up, then the broker's
 * buffer of `capacity`). `send(i)` publishes event i (its number in Metadata); `received()` is the
 * numbers that arrived, in arrival order.
 */
async function stalledSubscriber({ capacity, bodyBytes }: { capacity: number; bodyBytes: number }) {
  const emu = await startEmulator({ subscriptionBuffer: capacity, slowConsumerDropMs: 100 });
  const pub = connect(emu.address);
  const subClient = connect(emu.address);
  const ch = unique('stalled');
  const stream = subClient.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: ch }));
  const got = collect(stream);
  const send = (i: number) => call(pub.sendEvent.bind(pub), event({ Channel: ch, Metadata: String(i), Body: Buffer.alloc(bodyBytes) }));
  const dispose = async () => {
    stream.on('error', () => undefined);
    stream.cancel();
    pub.close();
    subClient.close();
    await emu.stop();
  };
  try {
    await probe(() => send(-1), () => got.items.length > 0);
  } catch (err) {
    await dispose();
    throw err;
  }
  stream.pause();
  return {
    stream,
    got,
    send,
    received: () => got.items.map((e) => Number(e.Metadata)).filter((n) => n >= 0),
    [Symbol.asyncDispose]: dispose,
  };
}
