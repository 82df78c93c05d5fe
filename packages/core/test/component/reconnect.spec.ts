import * as wire from '@kubemq/emulator/wire';
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { ConnectionError, KubemqClient, KubemqError, type ConnectionState } from '../../src/index.js';
import { clientInternals, Event, EventReceive, recoverable, Result, serverStreamMethod, Subscribe, unaryMethod } from '../../src/internal/index.js';
import { startTestServer, type Handlers, type TestServer } from './support/test-server.js';
import { reachState, rejection, until } from './support/wait.js';

const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
const send = (client: KubemqClient, id: string, opts: { timeoutMs?: number; maxWaitMs?: number; signal?: AbortSignal; onDispatch?: (waitedMs: number) => void } = {}) =>
  clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: id, Channel: 'c', Body: Buffer.from('x') }), { operation: 'events.send', channel: 'c', ...opts });

const received: string[] = [];
const handlers: Handlers = {
  SendEvent: (call: ServerUnaryCall<Event, Result>, callback: sendUnaryData<Result>) => {
    received.push(call.request.EventID);
    callback(null, wire.Result.create({ EventID: call.request.EventID, Sent: true }));
  },
};
const fastReconnect = { initialDelayMs: 20, maxDelayMs: 100 };

describe('reconnect and the send buffer', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(handlers);
  });
  afterEach(() => server.stop());

  it('goes reconnecting when the server stops and ready when it is back; a call issued during the outage waits and completes', async () => {
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect });
    const states: ConnectionState[] = [];
    client.state$.subscribe((s) => states.push(s));
    let reconnects = 0;
    clientInternals(client).onReconnect(() => reconnects++);

    // A broker's size limit learned on this connection (StreamSender) may not hold for the next one.
    clientInternals(client).brokerMessageLimit = 65_536;
    await server.stop();
    await reachState(client, 'reconnecting');
    expect(clientInternals(client).brokerMessageLimit).toBeUndefined();
    const pending = send(client, 'during-outage', { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(received).not.toContain('during-outage');

    server = await startTestServer(handlers, { port: server.port });
    await expect(pending).resolves.toMatchObject({ EventID: 'during-outage', Sent: true });
    await reachState(client, 'ready');
    expect(received).toContain('during-outage');
    expect(states).toEqual(['ready', 'reconnecting', 'ready']);
    expect(reconnects).toBe(1);
  });

  it('calls that waited for the reconnect go out in order before one made by a `ready` observer', async () => {
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect });
    await server.stop();
    await reachState(client, 'reconnecting');
    received.length = 0;
    const waited = [0, 1, 2, 3, 4].map((i) => send(client, `waited-${i}`, { timeoutMs: 10_000 }));
    let fromObserver: Promise<unknown> | undefined;
    client.state$.subscribe((s) => {
      if (s === 'ready' && !fromObserver) fromObserver = send(client, 'from-ready-observer');
    });
    server = await startTestServer(handlers, { port: server.port });
    await Promise.all(waited);
    await until(() => fromObserver !== undefined);
    await fromObserver;
    expect(received).toEqual(['waited-0', 'waited-1', 'waited-2', 'waited-3', 'waited-4', 'from-ready-observer']);
  });

  it('maxWaitMs: a call gives up waiting for the connection then, unsent, though its own deadline is later', async () => {
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect });
    await server.stop();
    await reachState(client, 'reconnecting');
    let dispatched = false;
    const err = await rejection(send(client, 'gave-up', { timeoutMs: 60_000, maxWaitMs: 200, onDispatch: () => (dispatched = true) }));
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutMs: 200, sent: false, message: expect.stringContaining('timed out after 200 ms waiting for the connection') as string });
    // Why it was not sent: the last reconnect attempt found nothing listening.
    expect(err.cause).toBeInstanceOf(ConnectionError);
    expect(err.cause).toMatchObject({ code: 'UNAVAILABLE' });
    expect(dispatched).toBe(false);
    server = await startTestServer(handlers, { port: server.port });
    await reachState(client, 'ready');
    expect(received).not.toContain('gave-up');
  });

  it('a call that was sent and got no answer in time says it was sent: the broker may have carried it out', async () => {
    await server.stop();
    server = await startTestServer({ SendEvent: () => undefined }, { port: server.port }); // never answers
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect });
    const err = await rejection(send(client, 'unanswered', { timeoutMs: 200 }));
    expect(err).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', timeoutMs: 200, sent: true });
  });

  it('a call that times out waiting for a broker that refuses the reconnect says why, and the refusal is logged once', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: () => undefined };
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect, logger });
    await server.stop();
    await reachState(client, 'reconnecting');
    // Back, but refusing this client's token from now on.
    server = await startTestServer({ ...handlers, Ping: (_call: unknown, callback: sendUnaryData<never>) => callback({ code: status.UNAUTHENTICATED, details: 'invalid token' }) }, { port: server.port });
    await new Promise((r) => setTimeout(r, 500));
    const err = await rejection(send(client, 'refused', { timeoutMs: 300 }));
    expect(err).toMatchObject({ code: 'TIMEOUT', sent: false, message: expect.stringMatching(/last attempt failed with AUTHENTICATION/), cause: expect.objectContaining({ code: 'AUTHENTICATION' }) });
    expect(warnings.filter((w) => w.includes('refused a reconnect attempt'))).toHaveLength(1);
  });

  it('a call that waited for the reconnect tells onDispatch how long before it goes out; a throwing onDispatch keeps it unsent', async () => {
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect });
    const waits: number[] = [];
    expect(await send(client, 'at-once', { onDispatch: (ms) => waits.push(ms) })).toMatchObject({ Sent: true });
    expect(waits).toEqual([]); // ready: it waited for nothing

    await server.stop();
    await reachState(client, 'reconnecting');
    const late = send(client, 'late', { timeoutMs: 10_000, onDispatch: (ms) => waits.push(ms) });
    const refusal = new KubemqError({ code: 'TIMEOUT', message: 'too late', operation: 'events.send' });
    const givenUp = send(client, 'given-up', {
      timeoutMs: 10_000,
      onDispatch: () => {
        throw refusal;
      },
    });
    await new Promise((r) => setTimeout(r, 200));
    server = await startTestServer(handlers, { port: server.port });
    await expect(late).resolves.toMatchObject({ EventID: 'late' });
    expect(await rejection(givenUp)).toBe(refusal);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(200);
    expect(received).not.toContain('given-up');
  });

  it('an open stream broken by the server stopping is re-opened by recoverable() once it is back', async () => {
    const streamHandlers: Handlers = {
      ...handlers,
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        call.write(wire.EventReceive.create({ Channel: 'ch', EventID: `open-${++opened}` }));
      },
    };
    let opened = 0;
    await server.stop();
    server = await startTestServer(streamHandlers, { port: server.port });
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect });
    const internals = clientInternals(client);
    const ids: string[] = [];
    const subscription = recoverable(
      internals,
      () => new Observable<EventReceive>((subscriber) => {
        const call = internals.serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch' }), subscriber, { operation: 'events.subscribe', channel: 'ch' });
        return () => call.cancel();
      }),
      { operation: 'events.subscribe', channel: 'ch' },
    ).subscribe((m) => ids.push(m.EventID));
    await until(() => ids.length === 1);
    await server.stop();
    await reachState(client, 'reconnecting');
    server = await startTestServer(streamHandlers, { port: server.port });
    await until(() => ids.length === 2);
    expect(ids).toEqual(['open-1', 'open-2']);
    subscription.unsubscribe();
  });

  it('more than maxPendingCalls waiting calls is BUFFER_FULL, and waiting calls honour their own timeout and abort', async () => {
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect, maxPendingCalls: 2 });
    await server.stop();
    await reachState(client, 'reconnecting');

    const timesOut = rejection(send(client, 'a', { timeoutMs: 150 }));
    const controller = new AbortController();
    const aborted = rejection(send(client, 'b', { signal: controller.signal, timeoutMs: 10_000 }));
    const full = await rejection(send(client, 'c'));
    expect(full).toMatchObject({ code: 'BUFFER_FULL', operation: 'events.send', channel: 'c' });

    controller.abort();
    expect(await aborted).toMatchObject({ code: 'CANCELLED', operation: 'events.send' });
    expect(await timesOut).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', timeoutMs: 150 });
    // Both left the buffer: there is room again.
    const again = send(client, 'd', { timeoutMs: 10_000 });
    server = await startTestServer(handlers, { port: server.port });
    await expect(again).resolves.toMatchObject({ EventID: 'd' });
    expect(received).not.toContain('a');
    expect(received).not.toContain('b');
  });

  it('gives up after maxAttempts with RECONNECT_FAILED: buffered calls and whenReady reject, the client closes', async () => {
    const client = await KubemqClient.connect({ address: server.address, reconnect: { ...fastReconnect, maxAttempts: 2 } });
    await server.stop();
    await reachState(client, 'reconnecting');
    const buffered = rejection(send(client, 'lost', { timeoutMs: 10_000 }));
    await reachState(client, 'closed');
    expect(await buffered).toMatchObject({ name: 'ConnectionError', code: 'RECONNECT_FAILED' });
    expect(await rejection(clientInternals(client).whenReady())).toMatchObject({ code: 'RECONNECT_FAILED' });
    expect(await rejection(send(client, 'after'))).toMatchObject({ code: 'RECONNECT_FAILED' });
    await client.close();
  });

  it('a broker-level UNAVAILABLE on a healthy channel is retryable and does not reconnect', async () => {
    const failing = await startTestServer({
      SendEvent: (_call: unknown, cb: sendUnaryData<Result>) => cb({ code: status.UNAVAILABLE, details: 'grpc server is not ready to accept requests' }),
    });
    await using other = await KubemqClient.connect({ address: failing.address, reconnect: fastReconnect });
    expect(await rejection(send(other, 'x'))).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(other.state).toBe('ready');
    await failing.stop();
  });
});

describe('close()', () => {
  it('drains tracked resources and in-flight calls, bounded by drainTimeoutMs; idempotent', async () => {
    let release: () => void = () => undefined;
    const slow = await startTestServer({
      SendEvent: (call: ServerUnaryCall<Event, Result>, cb: sendUnaryData<Result>) => {
        release = () => cb(null, wire.Result.create({ EventID: call.request.EventID, Sent: true }));
      },
    });
    const client = await KubemqClient.connect({ address: slow.address, drainTimeoutMs: 2000 });
    const internals = clientInternals(client);
    const drained: string[] = [];
    internals.track({ drain: async () => { await new Promise((r) => setTimeout(r, 50)); drained.push('sub'); } });
    const untracked = internals.track({ drain: async () => { drained.push('removed'); } });
    untracked();
    const inFlight = send(client, 'slow');
    await until(() => drained.length === 0 && typeof release === 'function');
    await new Promise((r) => setTimeout(r, 50));

    const closing = client.close();
    const again = client.close();
    setTimeout(() => release(), 100);
    await Promise.all([closing, again]);
    await expect(inFlight).resolves.toMatchObject({ EventID: 'slow' });
    expect(drained).toEqual(['sub']);
    expect(client.state).toBe('closed');
    expect(await rejection(send(client, 'late'))).toMatchObject({ code: 'CLOSED' });
    await slow.stop();
  });

  it("while the handlers' drains run, their unary calls still go out and a new stream is refused; then the send streams drain, when only what finishes the drain starts", async () => {
    const server = await startTestServer(handlers);
    const client = await KubemqClient.connect({ address: server.address, drainTimeoutMs: 5000 });
    const internals = clientInternals(client);
    const seen: Record<string, unknown> = {};
    const outcome = (p: Promise<unknown>) => p.then(() => 'sent', (err: { code?: string }) => err.code);
    const streamOutcome = () =>
      new Promise((resolve) => {
        internals.serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'c' }), { next: () => undefined, error: (err) => resolve(err.code), complete: () => resolve('complete') }, { operation: 'events.subscribe' });
      });
    internals.track({
      // A handler finishing its work: what it sends goes out.
      drain: async () => {
        await new Promise((r) => setTimeout(r, 20));
        seen['handler sends'] = await outcome(send(client, 'from-handler'));
        seen['new subscription'] = await streamOutcome();
        seen['accepting'] = internals.accepting;
        seen['acceptingSends'] = internals.acceptingSends;
        // Tracked meanwhile: a send stream first used now is drained next; anything else was
        // refused its stream, and is not drained as if it had run.
        internals.track({ drainsAfterHandlers: true, drain: async () => void (seen['late send stream drained'] = true) });
        internals.track({ drain: async () => void (seen['late subscription drained'] = true) });
      },
    });
    internals.track({
      drainsAfterHandlers: true,
      drain: async () => {
        seen['acceptingSends after'] = internals.acceptingSends;
        seen['unary after'] = await outcome(send(client, 'after'));
        seen['finishing after'] = await outcome(internals.unary(SEND_EVENT, wire.Event.create({ EventID: 'finishing', Channel: 'c', Body: Buffer.from('x') }), { operation: 'x', finishesDrain: true }));
      },
    });
    const before = received.length;
    await client.close();
    expect(seen).toEqual({
      'handler sends': 'sent',
      'new subscription': 'CLOSED',
      accepting: false,
      acceptingSends: true,
      'acceptingSends after': false,
      'unary after': 'CLOSED',
      'finishing after': 'sent',
      'late send stream drained': true,
    });
    expect(received.slice(before)).toEqual(['from-handler', 'finishing']);
    expect(await rejection(internals.unary(SEND_EVENT, wire.Event.create({ EventID: 'late' }), { operation: 'x', finishesDrain: true }))).toMatchObject({ code: 'CLOSED' });
    await server.stop();
  });

  it('the send streams are drained after the other resources, with the cut of the same bound, and close() still ends within it', async () => {
    const server = await startTestServer({});
    const client = await KubemqClient.connect({ address: server.address, drainTimeoutMs: 200 });
    const internals = clientInternals(client);
    const order: string[] = [];
    let cutReason: unknown;
    internals.track({ drainsAfterHandlers: true, drain: async (_failure, cut) => {
      order.push('sends');
      await new Promise<void>((resolve) => cut?.addEventListener('abort', () => resolve()));
      cutReason = cut?.reason;
    } });
    internals.track({ drain: async () => {
      await new Promise((r) => setTimeout(r, 50));
      order.push('handlers');
    } });
    const started = performance.now();
    await client.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(order).toEqual(['handlers', 'sends']);
    expect(cutReason).toBe('timeout');
    await server.stop();
  });

  it('keeps the process alive until close() has settled: its drain may wait on nothing else that does', async () => {
    const server = await startTestServer({});
    const client = await KubemqClient.connect({ address: server.address, drainTimeoutMs: 60_000 });
    let finish!: () => void;
    clientInternals(client).track({ drain: () => new Promise<void>((resolve) => (finish = resolve)) });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const closing = client.close();
    expect(timers()).toBe(before + 1);
    finish();
    await closing;
    expect(timers()).toBe(before);
    await server.stop();
  });

  it('does not wait past drainTimeoutMs for a resource that never drains', async () => {
    const server = await startTestServer({});
    const client = await KubemqClient.connect({ address: server.address, drainTimeoutMs: 100 });
    clientInternals(client).track({ drain: () => new Promise(() => undefined) });
    const started = performance.now();
    await client.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(client.state).toBe('closed');
    await server.stop();
  });

  it('close({ timeoutMs }) bounds the whole close; a later call\'s bound, or an abort, ends an earlier drain', async () => {
    const server = await startTestServer({});
    const closeOf = async (close: (client: KubemqClient) => Promise<unknown>) => {
      const client = await KubemqClient.connect({ address: server.address, drainTimeoutMs: 60_000 });
      clientInternals(client).track({ drain: () => new Promise(() => undefined) });
      const started = performance.now();
      await close(client);
      expect(client.state).toBe('closed');
      return performance.now() - started;
    };
    expect(await closeOf((c) => c.close({ timeoutMs: 100 }))).toBeLessThan(2000);
    expect(await closeOf((c) => c.close({ timeoutMs: 0 }))).toBeLessThan(2000);
    expect(await closeOf((c) => Promise.all([c.close(), c.close({ timeoutMs: 50 })]))).toBeLessThan(2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await closeOf((c) => c.close({ signal: controller.signal }))).toBeLessThan(2000);
    await server.stop();
  });

  it('close() with a bad option is a ValidationError and closes nothing', async () => {
    const server = await startTestServer({});
    await using client = await KubemqClient.connect({ address: server.address });
    await expect(client.close({ timeoutMs: -1 })).rejects.toMatchObject({ code: 'VALIDATION', field: 'timeoutMs' });
    await expect(client.close({ signal: 'stop' as never })).rejects.toMatchObject({ code: 'VALIDATION', field: 'signal' });
    expect(client.state).toBe('ready');
    await client.close();
    await server.stop();
  });

  it('a call the broker has not answered when the drain window ends is cancelled and rejects with CLOSED', async () => {
    let arrived = 0;
    const server = await startTestServer({ SendEvent: () => void arrived++ }); // never answers
    const client = await KubemqClient.connect({ address: server.address, drainTimeoutMs: 100 });
    const unanswered = rejection(send(client, 'slow', { timeoutMs: 30_000 }));
    await until(() => arrived === 1, 2000);
    const started = performance.now();
    await client.close();
    expect(await unanswered).toMatchObject({ code: 'CLOSED', operation: 'events.send', channel: 'c' });
    expect(performance.now() - started).toBeLessThan(2000);
    await server.stop();
  });

  it('close while reconnecting ends buffered calls, and waits for the connection, with CLOSED naming their own operation after the drain window', async () => {
    const server = await startTestServer(handlers);
    const client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect, drainTimeoutMs: 100 });
    await server.stop();
    await reachState(client, 'reconnecting');
    const buffered = rejection(send(client, 'never', { timeoutMs: 10_000 }));
    const waiting = rejection(clientInternals(client).whenReady(undefined, { operation: 'queues.poll', channel: 'q' }));
    const unnamed = rejection(clientInternals(client).whenReady());
    await client.close();
    expect(await buffered).toMatchObject({ code: 'CLOSED', operation: 'events.send', channel: 'c' });
    expect(await waiting).toMatchObject({ code: 'CLOSED', operation: 'queues.poll', channel: 'q', message: 'queues.poll on channel "q": the client is closed' });
    expect(await unnamed).toMatchObject({ code: 'CLOSED', operation: 'client.whenReady' });
    expect(await rejection(clientInternals(client).whenReady(undefined, { operation: 'events.send' }))).toMatchObject({ code: 'CLOSED', operation: 'events.send' });
  });
});
