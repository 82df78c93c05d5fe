import { KubemqError, type KubemqClient, type Logger } from '@kubemq/core';
import { startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, probeUntil, uniqueChannel } from '@kubemq/testing/jest';
import { commandResponder, commands, isRpcReadinessProbe } from '../../src/index.js';
import { connect, rejectionOf } from './helpers.js';

// A request over the receiving client's maxMessageBytes: grpc-js refuses it and fails the whole
// request stream (RESOURCE_EXHAUSTED, not retryable). Only that request may be lost: the
// subscription re-opens and serves the next one.

const SMALL_LIMIT = 64 * 1024;

describe("commands over a responder client's maxMessageBytes (own broker)", () => {
  let broker: KubemqBroker;
  let requester: KubemqClient;

  beforeAll(async () => {
    broker = await startKubemq();
    requester = await connect(broker.address, 'rpc-big-req');
  }, 60_000);

  afterAll(async () => {
    await requester?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  it('a responder loses only the oversized request: onError hears of it, and it answers the next one', async () => {
    const small = await connect(broker.address, 'rpc-big-resp', { maxMessageBytes: SMALL_LIMIT });
    try {
      const channel = uniqueChannel('rpc.big.responder');
      const reported: unknown[] = [];
      const handled: string[] = [];
      const responder = commandResponder(small, { channel, onError: (error) => reported.push(error) }, (cmd) => void handled.push(cmd.text()));
      await responder.ready();

      const big = await rejectionOf(commands(requester).send({ channel, body: new Uint8Array(2 * SMALL_LIMIT), timeoutMs: 2_000 }));
      expect(KubemqError.isKubemqError(big)).toBe(true);
      await eventually(() => expect(reported).toEqual([expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', channel })]));
      expect((reported[0] as Error).message).toMatch(/over the client's maxMessageBytes \(65536 bytes\) was refused and is lost/);

      // The broker registers the re-opened subscription a moment later: ready() proves it again.
      await responder.ready();
      expect((await commands(requester).send({ channel, body: 'small', timeoutMs: 5_000 })).executed).toBe(true);
      expect(handled).toEqual(['small']);
      expect(responder.stats.recoveries).toBe(1);
      await responder.stop();
      await expect(responder.done).resolves.toBeUndefined();
    } finally {
      await small.close();
    }
  });

  it('a raw subscription re-opens too, with a warning through the client\'s logger', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined };
    const small = await connect(broker.address, 'rpc-big-raw', { maxMessageBytes: SMALL_LIMIT, logger, logLevel: 'warn' });
    try {
      const channel = uniqueChannel('rpc.big.raw');
      const seen: string[] = [];
      const errors: unknown[] = [];
      const sub = commands(small)
        .subscribe({ channel })
        .subscribe({
          next: (cmd) => {
            if (isRpcReadinessProbe(cmd)) return;
            seen.push(cmd.text());
            void commands(small).reply({ requestId: cmd.id, replyChannel: cmd.replyChannel, executed: true });
          },
          error: (error) => errors.push(error),
        });
      try {
        // Live once a command reaches it.
        await probeUntil(() => commands(requester).send({ channel, body: 'live', timeoutMs: 300 }).catch(() => undefined), () => seen.length > 0);
        await rejectionOf(commands(requester).send({ channel, body: new Uint8Array(2 * SMALL_LIMIT), timeoutMs: 2_000 }));
        await eventually(() => expect(warnings).toEqual([expect.stringMatching(/was refused and is lost/)]));
        let answered = false;
        await probeUntil(
          async () => {
            answered = (await commands(requester).send({ channel, body: 'after', timeoutMs: 300 }).then((r) => r.executed, () => false)) || answered;
          },
          () => answered,
        );
        expect(seen).toContain('after');
        expect(errors).toEqual([]);
      } finally {
        sub.unsubscribe();
      }
    } finally {
      await small.close();
    }
  });
});
