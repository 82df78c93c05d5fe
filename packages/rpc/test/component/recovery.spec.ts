// Re-subscription through core's real recoverable(), over the in-memory broker: a stream the broker
// ends is re-opened, and readiness must be proven again on the new one.
import { KubemqError, ValidationError } from '@kubemq/core';
import { mapError } from '@kubemq/core/internal';
import { commandResponder, commands, queries } from '../../src/index.js';
import { FakeBroker } from './fake-broker.js';

jest.mock('@kubemq/core/internal', () => ({
  ...jest.requireActual('@kubemq/core/internal'),
  clientInternals: (client: { __internals: unknown }) => client.__internals,
}));

// What core delivers for a CANCELLED status nobody here asked for (a broker shutting down).
const cancelledByBroker = () =>
  mapError({ code: 1, details: 'Call cancelled', metadata: {} }, { operation: 'commands.subscribe' }, { cancelRequested: false });

/** The fake clients' maxMessageBytes (test-fakes' fakeInternals). */
const CLIENT_LIMIT = 104_857_600;

/**
 * What core delivers when grpc-js refuses an incoming message over `limit` (RESOURCE_EXHAUSTED, not
 * retryable): the client's own limit for a request the broker routed to it.
 */
const refusedAsTooLarge = (size: number, limit = CLIENT_LIMIT, text = `Received message larger than max (${size} vs ${limit})`) =>
  mapError({ code: 8, details: text, metadata: {} }, { operation: 'commands.subscribe', channel: 'svc' });

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('responder recovery (core recoverable)', () => {
  it('a stream the broker cancels (graceful shutdown) is re-opened and serves again', async () => {
    const broker = new FakeBroker();
    const client = broker.client();
    let handled = 0;
    const responder = commandResponder(client, { channel: 'svc' }, () => void handled++);
    await responder.ready();
    const opened = broker.callsTo('SubscribeToRequests').length;

    broker.breakStreams(cancelledByBroker());
    // The old proof is void: ready() probes until the re-opened stream answers.
    await responder.ready({ timeoutMs: 5_000 });
    expect(broker.callsTo('SubscribeToRequests').length).toBe(opened + 1);
    expect((await commands(client).send({ channel: 'svc', body: 'after', timeoutMs: 1_000 })).executed).toBe(true);
    expect(handled).toBe(1);
    await responder.stop();
    await expect(responder.done).resolves.toBeUndefined();
  });

  it('a raw subscription is re-opened after a retryable break, without an error to the subscriber', async () => {
    const broker = new FakeBroker();
    const q = queries(broker.client());
    const errors: unknown[] = [];
    const seen: string[] = [];
    const sub = q.subscribe({ channel: 'raw' }).subscribe({ next: (m) => seen.push(m.metadata), error: (e) => errors.push(e) });
    await new Promise((r) => setImmediate(r));
    broker.breakStreams(new KubemqError({ code: 'UNAVAILABLE', message: 'down', operation: 'x', retryable: true }));
    await new Promise((r) => setTimeout(r, 300));
    broker.deliver({ Channel: 'raw', RequestID: '1', Metadata: 'after', ReplyChannel: 'i', RequestTypeData: 2 });
    expect(seen).toEqual(['after']);
    expect(errors).toEqual([]);
    sub.unsubscribe();
    expect(broker.openStreams).toBe(0);
  });

  it("a request over the client's maxMessageBytes is lost alone: the responder re-opens its stream, onError hears of it, and the next request is served", async () => {
    const broker = new FakeBroker();
    const client = broker.client();
    const reported: unknown[] = [];
    let handled = 0;
    const responder = commandResponder(client, { channel: 'svc', onError: (e, request) => reported.push({ e, request }) }, () => void handled++);
    await responder.ready();
    const refusal = refusedAsTooLarge(CLIENT_LIMIT + 100);
    expect(refusal.retryable).toBe(false);

    broker.breakStreams(refusal);
    await responder.ready({ timeoutMs: 5_000 });
    expect((await commands(client).send({ channel: 'svc', body: 'after', timeoutMs: 1_000 })).executed).toBe(true);
    expect(handled).toBe(1);
    expect(broker.callsTo('SubscribeToRequests')).toHaveLength(2);
    expect(responder.stats.recoveries).toBe(1);
    // Reported without a request (none arrived whole), naming the limit.
    expect(reported).toEqual([{ e: expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', channel: 'svc', cause: refusal }), request: undefined }]);
    expect((reported[0] as { e: Error }).e.message).toContain(`a request over the client's maxMessageBytes (${CLIENT_LIMIT} bytes) was refused`);
    await responder.stop();
    await expect(responder.done).resolves.toBeUndefined();
  });

  it("refused requests do not use up the reconnect policy's maxAttempts: each proves the stream worked", async () => {
    const broker = new FakeBroker();
    const client = broker.client();
    (client as { __internals: { options: { reconnect: object } } }).__internals.options.reconnect = { initialDelayMs: 5, maxDelayMs: 5, multiplier: 1, maxAttempts: 1 };
    const reported: unknown[] = [];
    const responder = commandResponder(client, { channel: 'svc', onError: (e) => reported.push(e) }, () => undefined);
    await pause(20);
    // Each one the first thing on its stream: nothing else proves the stream between them.
    for (let i = 0; i < 3; i++) {
      broker.breakStreams(refusedAsTooLarge(CLIENT_LIMIT + 1));
      await pause(30);
    }
    expect(reported).toHaveLength(3);
    expect(broker.openStreams).toBe(1);
    await responder.ready({ timeoutMs: 5_000 });
    expect((await commands(client).send({ channel: 'svc', body: 'after', timeoutMs: 1_000 })).executed).toBe(true);
    await responder.stop();
    await expect(responder.done).resolves.toBeUndefined();
  });

  it("a size refusal under another limit (the broker's reader) is not this client's: it still ends the responder", async () => {
    const broker = new FakeBroker();
    const reported: unknown[] = [];
    const responder = commandResponder(broker.client(), { channel: 'svc', onError: (e) => reported.push(e) }, () => undefined);
    await pause(20);
    const brokers = refusedAsTooLarge(5_000, 4_096, 'grpc: received message larger than max (5000 vs. 4096)');
    broker.breakStreams(brokers);
    await expect(responder.done).rejects.toBe(brokers);
    expect(reported).toEqual([brokers]);
  });

  it("a raw subscription re-opens after a request over the client's maxMessageBytes, with a warning through the client's logger and no error to the subscriber", async () => {
    const broker = new FakeBroker();
    const errors: unknown[] = [];
    const seen: string[] = [];
    const sub = commands(broker.client())
      .subscribe({ channel: 'raw' })
      .subscribe({ next: (m) => seen.push(m.id), error: (e) => errors.push(e) });
    await pause(20);
    broker.breakStreams(refusedAsTooLarge(CLIENT_LIMIT + 7));
    await pause(300);
    broker.deliver({ Channel: 'raw', RequestID: 'after', ReplyChannel: 'i', RequestTypeData: 1 });
    expect(seen).toEqual(['after']);
    expect(errors).toEqual([]);
    expect(broker.logs.filter((l) => l.startsWith('warn:'))).toEqual([
      expect.stringContaining(`commands.subscribe on channel "raw": a request over the client's maxMessageBytes (${CLIENT_LIMIT} bytes) was refused and is lost`),
    ]);
    sub.unsubscribe();
    expect(broker.openStreams).toBe(0);
  });

  it('ready() does not take the answer to a probe that came through a stream since replaced as proof of the new one', async () => {
    const broker = new FakeBroker();
    const client = broker.client();
    const responder = commandResponder(client, { channel: 'svc' }, () => undefined);
    await pause(20);
    // The first probe arrives through the first stream; before its answer gets back, the broker
    // ends that stream, and registers the re-opened one only 500 ms later.
    const fake = broker as unknown as { sendResponse(r: unknown): Promise<object> };
    const sendResponse = fake.sendResponse.bind(broker);
    let held = false;
    fake.sendResponse = async (response) => {
      if (!held) {
        held = true;
        broker.registrationDelayMs = 500;
        broker.breakStreams(new KubemqError({ code: 'UNAVAILABLE', message: 'stream reset by a proxy', operation: 'x', retryable: true }));
        await pause(80); // the stream re-opens meanwhile (backoff at most 20 ms)
      }
      return sendResponse(response);
    };
    await responder.ready({ timeoutMs: 5_000 });
    expect(broker.callsTo('SubscribeToRequests')).toHaveLength(2);
    // Proven through the new stream: the broker routes to it.
    expect((await commands(client).send({ channel: 'svc', body: 'first', timeoutMs: 300 })).executed).toBe(true);
    await responder.stop();
  });

  it('a permanent failure ends the responder (done rejects with it)', async () => {
    const broker = new FakeBroker();
    const reported: unknown[] = [];
    const responder = commandResponder(broker.client(), { channel: 'svc', onError: (e) => reported.push(e) }, () => undefined);
    await new Promise((r) => setImmediate(r));
    const refused = new ValidationError({ message: 'Error 102: invalid channel value, cannot be empty', operation: 'x', field: 'Channel' });
    broker.breakStreams(refused);
    await expect(responder.done).rejects.toBe(refused);
    expect(reported).toContain(refused);
  });
});
