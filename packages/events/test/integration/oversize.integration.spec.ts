import type { KubemqClient, Logger } from '@kubemq/core';
import { sharedBroker, eventually, probeUntil, uniqueChannel } from '@kubemq/testing/jest';
import { eventListener, events } from '../../src/index.js';
import { connect } from './helpers.js';

// An event over the receiving client's maxMessageBytes: grpc-js refuses it and fails the whole
// subscription stream (RESOURCE_EXHAUSTED, not retryable). Only that event may be lost: the
// subscription re-opens and receives the next ones.

const SMALL_LIMIT = 64 * 1024;

describe("events over a subscriber client's maxMessageBytes", () => {
  let publisher: KubemqClient;

  beforeAll(async () => {
    publisher = await connect(sharedBroker().address, 'events-big-pub');
  });

  afterAll(async () => {
    await publisher?.close();
  });

  it('a listener loses only the oversized event: onError hears of it, and it receives the next one', async () => {
    const small = await connect(sharedBroker().address, 'events-big-listen', { maxMessageBytes: SMALL_LIMIT });
    try {
      const channel = uniqueChannel('events.big.listener');
      const reported: unknown[] = [];
      const handled: string[] = [];
      const listener = eventListener(small, { channel, onError: (error) => reported.push(error) }, (event) => void handled.push(event.text()));
      await listener.ready();

      await events(publisher).send({ channel, body: new Uint8Array(2 * SMALL_LIMIT) });
      await eventually(() => expect(reported).toEqual([expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', channel })]));
      expect((reported[0] as Error).message).toMatch(/an event over the client's maxMessageBytes \(65536 bytes\) was refused and is lost/);

      // The broker registers the re-opened subscription a moment later: ready() proves it again.
      await listener.ready();
      await events(publisher).send({ channel, body: 'small' });
      await eventually(() => expect(handled).toEqual(['small']));
      expect(listener.stats.recoveries).toBeGreaterThanOrEqual(1);
      await listener.stop();
      await expect(listener.done).resolves.toBeUndefined();
    } finally {
      await small.close();
    }
  });

  it("a subscription re-opens too, with a warning through the client's logger and no error to the subscriber", async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined };
    const small = await connect(sharedBroker().address, 'events-big-sub', { maxMessageBytes: SMALL_LIMIT, logger, logLevel: 'warn' });
    try {
      const channel = uniqueChannel('events.big.sub');
      const seen: string[] = [];
      const errors: unknown[] = [];
      const sub = events(small)
        .subscribe({ channel })
        .subscribe({ next: (event) => seen.push(event.text()), error: (error) => errors.push(error) });
      try {
        // Live once an event reaches it.
        await probeUntil(() => events(publisher).send({ channel, body: 'live' }), () => seen.length > 0);
        await events(publisher).send({ channel, body: new Uint8Array(2 * SMALL_LIMIT) });
        await eventually(() => expect(warnings).toEqual([expect.stringMatching(/was refused and is lost/)]));
        await probeUntil(() => events(publisher).send({ channel, body: 'after' }), () => seen.includes('after'));
        expect(errors).toEqual([]);
      } finally {
        sub.unsubscribe();
      }
    } finally {
      await small.close();
    }
  });
});
