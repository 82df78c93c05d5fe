import * as wire from '@kubemq/emulator/wire';
import { KubemqClient, type ConnectionState, type KeepaliveOptions } from '../../src/index.js';
import { startKubemq, type KubemqBroker } from '@kubemq/testing';
import { probeUntil, uniqueChannel } from '@kubemq/testing/jest';
import { Subscribe_SubscribeType, clientInternals, newId } from '../../src/internal/index.js';
import { SEND_EVENT, subscribe } from './support/raw.js';

// Slow on purpose (about 70 s): an idle subscription must survive the broker's keepalive
// enforcement (grpc-go: pings at most every 5 minutes, docs/broker-behaviour.md §0 item 8) with the default
// options, and a 10 s keepalive, like the official SDKs', must visibly break it. Both run at once.
describe('keepalive against the broker enforcement (own broker)', () => {
  let broker: KubemqBroker;
  beforeAll(async () => {
    broker = await startKubemq({ keepaliveEnforcement: true });
  }, 90_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  /** Connects, opens an events subscription, makes sure it delivers, then leaves it idle for `idleMs`. */
  async function idleSubscription(keepalive: KeepaliveOptions | undefined, idleMs: number) {
    // No link check: its pings' answers are data from the broker, which clears grpc-go's ping
    // strikes, so a 10 s keepalive would survive beside it and this would test nothing.
    const client = await KubemqClient.connect({ address: broker.address, linkCheck: false, ...(keepalive && { keepalive }) });
    const channel = uniqueChannel('core.keepalive');
    const states: ConnectionState[] = [];
    const watch = client.state$.subscribe((s) => states.push(s));
    const received: string[] = [];
    const ends: string[] = [];
    const stream = subscribe(client, { Channel: channel, SubscribeTypeData: Subscribe_SubscribeType.Events }).subscribe({
      next: (e) => received.push(e.Metadata),
      error: (err: Error & { code?: string }) => ends.push(`error ${err.code}: ${err.message}`),
      complete: () => ends.push('complete'),
    });
    const send = (metadata: string) =>
      clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: newId(), ClientID: client.clientId, Channel: channel, Metadata: metadata }), { operation: 'test.send', channel });
    await probeUntil(() => send('probe'), () => received.includes('probe'), { timeoutMs: 20_000, intervalMs: 200 });
    await new Promise((r) => setTimeout(r, idleMs));
    return {
      states,
      ends,
      received,
      send,
      close: async () => {
        stream.unsubscribe();
        watch.unsubscribe();
        await client.close();
      },
    };
  }

  it('default options: an idle subscription stays connected for 60 s (no GOAWAY, no reconnect); a 10 s keepalive breaks it', async () => {
    const [byDefault, aggressive] = await Promise.all([idleSubscription(undefined, 60_000), idleSubscription({ intervalMs: 10_000 }, 60_000)]);
    try {
      expect(byDefault.states).toEqual(['ready']);
      expect(byDefault.ends).toEqual([]);
      await byDefault.send('after-idle');
      await probeUntil(() => Promise.resolve(), () => byDefault.received.includes('after-idle'), { timeoutMs: 10_000, intervalMs: 100 });

      // The official SDKs' default: the broker answers the pings with GOAWAY too_many_pings.
      const broke = aggressive.ends.length > 0 || aggressive.states.some((s) => s !== 'ready');
      expect({ broke, states: aggressive.states, ends: aggressive.ends }).toMatchObject({ broke: true });
    } finally {
      await byDefault.close();
      await aggressive.close();
    }
  }, 150_000);
});
