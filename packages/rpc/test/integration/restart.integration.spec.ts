import { ConnectionError, KubemqClient, TimeoutError } from '@kubemq/core';
import { commandResponder, commands, queries, queryResponder } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { itWhen, probeUntil, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { connect } from './helpers.js';

describe('responders across a broker restart (own broker)', () => {
  let broker: KubemqBroker | undefined;
  let client: KubemqClient | undefined;

  beforeAll(async () => {
    if (!expectedCapabilities().restart) return;
    broker = await startKubemq();
    client = await connect(broker.address, 'rpc-restart');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  /** Sends until one is answered: while the broker is down, or the responder not yet back, sends fail. */
  async function answeredAgain(send: () => Promise<boolean>): Promise<void> {
    let answered = false;
    await probeUntil(
      async () => {
        answered = (await send().catch(() => false)) || answered;
      },
      () => answered,
      { timeoutMs: 45_000, intervalMs: 250 },
    );
  }

  itWhen('restart', expectedCapabilities())('a command responder re-subscribes and serves again after a restart', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('rpc.restart.cmd');
    let handled = 0;
    const responder = commandResponder(c, { channel }, () => void handled++);
    try {
      await responder.ready();
      expect((await commands(c).send({ channel, body: 'before', timeoutMs: 5000 })).executed).toBe(true);
      await (broker as KubemqBroker).restart();
      await answeredAgain(async () => (await commands(c).send({ channel, body: 'after', timeoutMs: 1000 })).executed);
      // And readiness can be proven again on the new subscription.
      await responder.ready({ timeoutMs: 30_000 });
      expect(handled).toBeGreaterThanOrEqual(2);
      // It counted the re-subscription.
      expect(responder.stats.recoveries).toBeGreaterThanOrEqual(1);
    } finally {
      await responder.stop();
    }
    await expect(responder.done).resolves.toBeUndefined();
  }, 120_000);

  itWhen('restart', expectedCapabilities())('ready() after a restart proves a responder whose only slot is busy with a long handler', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('rpc.restart.busy');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const responder = commandResponder(c, { channel, concurrency: 1 }, async () => {
      started = true;
      await released;
    });
    try {
      await responder.ready();
      void commands(c).send({ channel, body: 'long', timeoutMs: 60_000 }).catch(() => undefined);
      await probeUntil(async () => undefined, () => started, { timeoutMs: 10_000, intervalMs: 20 });
      await (broker as KubemqBroker).restart();
      await responder.ready({ timeoutMs: 30_000 });
      expect(responder.stats.running).toBe(1);
    } finally {
      release();
      await responder.stop();
    }
  }, 120_000);

  itWhen('kill', expectedCapabilities())('a query responder serves again after kill -9 and a restart', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('rpc.restart.q');
    await using responder = queryResponder(c, { channel }, (q) => ({ body: q.text().toUpperCase() }));
    await responder.ready();
    await (broker as KubemqBroker).kill();
    await (broker as KubemqBroker).restart();
    await answeredAgain(async () => (await queries(c).send({ channel, body: 'again', timeoutMs: 1000 })).text() === 'AGAIN');
  }, 120_000);

  itWhen('restart', expectedCapabilities())('a responder whose client gives up reconnecting ends with RECONNECT_FAILED: done rejects and onError hears it', async () => {
    const own = await startKubemq();
    const c = await KubemqClient.connect({
      address: own.address,
      clientId: uniqueClientId('rpc-giveup'),
      // Gives up after two failed attempts, within a second of the broker's stop.
      reconnect: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
    });
    const errors: unknown[] = [];
    try {
      const responder = commandResponder(c, { channel: uniqueChannel('rpc.giveup'), onError: (err) => void errors.push(err) }, () => undefined);
      await responder.ready();
      await own.stop();
      await expect(responder.done).rejects.toMatchObject({ code: 'RECONNECT_FAILED' });
      expect(errors).toContainEqual(expect.objectContaining({ code: 'RECONNECT_FAILED' }));
    } finally {
      await c.close();
      await own[Symbol.asyncDispose]();
    }
  }, 60_000);

  itWhen('restart', expectedCapabilities())('with the broker down, a command or query never sent fails with TimeoutError sent: false and the connection failure as cause; one sent and unanswered says sent: true', async () => {
    const own = await startKubemq();
    const c = await KubemqClient.connect({ address: own.address, clientId: uniqueClientId('rpc-down'), reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    try {
      const channel = uniqueChannel('rpc.down');
      // The broker up, nobody serving the channel: sent, and unanswered (it may have run).
      const unanswered = await commands(c).send({ channel, body: 'x', timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(unanswered).toBeInstanceOf(TimeoutError);
      expect(unanswered).toMatchObject({ code: 'TIMEOUT', timeoutMs: 1000, sent: true });
      await own.stop();
      await probeUntil(async () => undefined, () => c.state === 'reconnecting', { timeoutMs: 15_000, intervalMs: 20 });
      for (const send of [() => commands(c).send({ channel, body: 'x', timeoutMs: 1000 }), () => queries(c).send({ channel, body: 'x', timeoutMs: 1000 })]) {
        const err = await send().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TimeoutError);
        expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, timeoutMs: 1000, sent: false });
        // Why it was not sent, as for a queue send or a ping: the reconnect attempts find no broker.
        expect((err as TimeoutError).cause).toBeInstanceOf(ConnectionError);
      }
    } finally {
      await c.close();
      await own[Symbol.asyncDispose]();
    }
  }, 60_000);
});
