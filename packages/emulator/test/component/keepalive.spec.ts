// Keepalive enforcement like grpc-go's default server policy (broker-behaviour.md §0 item 8, §4, §5.4):
// pings closer than 5 minutes apart earn strikes; more than 2 → GOAWAY too_many_pings, and a
// grpc-js client sees its open stream end with RESOURCE_EXHAUSTED.
import * as grpc from '@grpc/grpc-js';
import { call, collect, connect, sleep, startEmulator, subscription, unique } from './support/harness.js';

const idleSubscription = (address: string, keepaliveMs?: number) => {
  const c = connect(address, grpc.credentials.createInsecure(), keepaliveMs ? { 'grpc.keepalive_time_ms': keepaliveMs, 'grpc.keepalive_timeout_ms': 5000 } : {});
  const s = c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: unique('idle') }));
  return { c, s, got: collect(s) };
};

describe('keepalive policy', () => {
  it('cuts an idle stream whose client pings more often than the minimum interval (short window for speed)', async () => {
    const emu = await startEmulator({ keepalive: { minPingIntervalMs: 5000 } });
    const { c, got } = idleSubscription(emu.address, 300);
    try {
      const status = await got.status;
      expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      c.close();
      await emu.stop();
    }
  });

  it('with the real 5-minute policy, a 10 s client keepalive is cut within 60 s', async () => {
    const emu = await startEmulator();
    const { c, got } = idleSubscription(emu.address, 10_000);
    try {
      const t0 = Date.now();
      const status = await got.status;
      expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(Date.now() - t0).toBeLessThan(60_000);
    } finally {
      c.close();
      await emu.stop();
    }
  }, 70_000);

  it('with the real policy, never cuts a client without keepalive or with a 5-minute one', async () => {
    const emu = await startEmulator();
    const none = idleSubscription(emu.address);
    const slow = idleSubscription(emu.address, 300_000);
    try {
      let ended = false;
      void none.got.status.then(() => (ended = true));
      void slow.got.status.then(() => (ended = true));
      await sleep(3000);
      expect(ended).toBe(false);
      await expect(call(none.c.ping.bind(none.c), {})).resolves.toBeDefined();
    } finally {
      none.s.cancel();
      slow.s.cancel();
      none.c.close();
      slow.c.close();
      await emu.stop();
    }
  });

  it('can be turned off', async () => {
    const emu = await startEmulator({ keepalive: false });
    const { c, s, got } = idleSubscription(emu.address, 200);
    try {
      let ended = false;
      void got.status.then(() => (ended = true));
      await sleep(1500);
      expect(ended).toBe(false);
    } finally {
      s.cancel();
      c.close();
      await emu.stop();
    }
  });
});
