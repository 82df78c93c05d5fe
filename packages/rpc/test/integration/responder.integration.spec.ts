import { KubemqClient, TimeoutError, type Logger } from '@kubemq/core';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { commandResponder, commands, queries, queryResponder } from '../../src/index.js';
import { connect, rejectionOf } from './helpers.js';

describe('a responder through the broker: stop, done, signal, stats, onError', () => {
  let requester: KubemqClient;
  let responderClient: KubemqClient;

  beforeAll(async () => {
    requester = await connect(sharedBroker().address, 'rpc-life-req');
    responderClient = await connect(sharedBroker().address, 'rpc-life-resp');
  });

  afterAll(async () => {
    await requester?.close();
    await responderClient?.close();
  });

  it('stats count what it did: requests, handler errors, replies, probes', async () => {
    const channel = uniqueChannel('rpc.life.stats');
    const responder = queryResponder(responderClient, { channel }, (q) => {
      if (q.text() === 'unknown') throw new Error('no such sku');
      return { body: `stock of ${q.text()}` };
    });
    await responder.ready();
    expect(responder.stats.probesAnswered).toBeGreaterThanOrEqual(1);
    const answers = [];
    for (const sku of ['sku-1', 'unknown', 'sku-2']) answers.push(await queries(requester).send({ channel, body: sku, timeoutMs: 5000 }));
    expect(answers.map((a) => a.executed)).toEqual([true, false, true]);
    // stop() lets the replies in hand finish, so the counters are final once it resolves.
    await responder.stop();
    expect(responder.stats).toMatchObject({ received: 3, handled: 2, handlerErrors: 1, skipped: 0, repliesSent: 3, replyErrors: 0, running: 0, waiting: 0 });
  });

  it('stop() lets a running handler finish and answer, then done resolves and nothing more is served', async () => {
    const channel = uniqueChannel('rpc.life.stop');
    let release!: () => void;
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let handled = 0;
    const responder = commandResponder(responderClient, { channel }, async () => {
      handled++;
      markStarted();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await responder.ready();
    const inHand = commands(requester).send({ channel, body: 'slow', timeoutMs: 10_000 });
    await started;
    const stopping = responder.stop();
    release();
    await stopping;
    expect((await inHand).executed).toBe(true);
    await expect(responder.done).resolves.toBeUndefined();
    const late = await rejectionOf(commands(requester).send({ channel, body: 'late', timeoutMs: 1000 }));
    expect(late).toBeInstanceOf(TimeoutError);
    expect(handled).toBe(1);
    await expect(responder.ready()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('aborting its signal stops it', async () => {
    const channel = uniqueChannel('rpc.life.signal');
    const shutdown = new AbortController();
    let handled = 0;
    const responder = commandResponder(responderClient, { channel, signal: shutdown.signal }, () => void handled++);
    await responder.ready();
    expect((await commands(requester).send({ channel, body: 'before', timeoutMs: 5000 })).executed).toBe(true);
    shutdown.abort();
    await responder.done;
    const after = await rejectionOf(commands(requester).send({ channel, body: 'after', timeoutMs: 1000 }));
    expect(after).toBeInstanceOf(TimeoutError);
    expect(handled).toBe(1);
  });

  it('a handler result too large to send once encoded gets its sender executed: false, not a silent timeout', async () => {
    // The responder's client takes 4096-byte messages: a 4000-byte body fits, the whole reply does not.
    const small = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('rpc-life-big'), maxMessageBytes: 4096 });
    const errors: unknown[] = [];
    try {
      const channel = uniqueChannel('rpc.life.big');
      await using responder = queryResponder(small, { channel, onError: (err) => void errors.push(err) }, () => ({ body: 'x'.repeat(4000), metadata: 'm'.repeat(200) }));
      await responder.ready();
      const res = await queries(requester).send({ channel, body: 'x', timeoutMs: 5000 });
      expect(res.executed).toBe(false);
      expect(res.error).toMatch(/invalid handler result/);
      // Refused whole before sending, where grpc-js would refuse it at the write.
      expect(errors).toContainEqual(expect.objectContaining({ code: 'VALIDATION', field: 'reply' }));
    } finally {
      await small.close();
    }
  });

  it('onError defaults to a warning through the client\'s logger, with the request it concerns', async () => {
    const warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message, fields) => warnings.push({ message, fields }),
      error: () => undefined,
    };
    const client = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('rpc-life-log'), logger, logLevel: 'warn' });
    try {
      const channel = uniqueChannel('rpc.life.warn');
      // A command reply carries no data: this result is invalid, so the sender is told so and the
      // responder reports it.
      await using responder = commandResponder(client, { channel }, () => ({ metadata: 'data on a command' }) as never);
      await responder.ready();
      const res = await commands(requester).send({ channel, body: 'x', timeoutMs: 5000 });
      expect(res.executed).toBe(false);
      expect(res.error).toMatch(/invalid handler result/);
      const warning = warnings.find((w) => w.fields?.['requestId'] === res.id);
      expect(warning?.message).toMatch(/commands\.handle on ".*": invalid metadata/);
      expect(warning?.fields).toMatchObject({ channel, code: 'VALIDATION' });
    } finally {
      await client.close();
    }
  });

  it('ready() takes CallOptions: a time bound, and a signal that aborts it', async () => {
    const channel = uniqueChannel('rpc.life.ready');
    await using responder = commandResponder(responderClient, { channel }, () => undefined);
    await expect(responder.ready({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED', operation: 'commands.ready' });
    await responder.ready({ timeoutMs: 15_000, signal: AbortSignal.timeout(20_000) });
    expect(responder.stats.probesAnswered).toBeGreaterThanOrEqual(1);
  });

  it('the client\'s close stops every responder on it', async () => {
    const client = await connect(sharedBroker().address, 'rpc-life-close');
    const channel = uniqueChannel('rpc.life.close');
    const responder = queryResponder(client, { channel }, () => ({ body: 'x' }));
    await responder.ready();
    await client.close();
    await expect(responder.done).resolves.toBeUndefined();
  });

  it('the client\'s close lets a running handler finish and its reply reach the sender', async () => {
    const client = await connect(sharedBroker().address, 'rpc-life-close-reply');
    const channel = uniqueChannel('rpc.life.closereply');
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const responder = queryResponder(client, { channel }, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { body: 'answered while closing' };
    });
    await responder.ready();
    const answer = queries(requester).send({ channel, body: 'q', timeoutMs: 10_000 });
    await running;
    await client.close();
    await expect(answer).resolves.toMatchObject({ executed: true });
    expect((await answer).text()).toBe('answered while closing');
    expect(responder.stats).toMatchObject({ replyErrors: 0 });
  });
});
