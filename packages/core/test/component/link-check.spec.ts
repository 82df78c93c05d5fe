import * as wire from '@kubemq/emulator/wire';
import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { KubemqClient, type ClientOptions, type ConnectionState, type KubemqError } from '../../src/index.js';
import { bidiStreamMethod, clientInternals, Event, EventReceive, Result, serverStreamMethod, Subscribe, unaryMethod } from '../../src/internal/index.js';
import { GrpcTransport } from '../../src/internal/transport/grpc-transport.js';
import { PING_INFO, startTestServer, type TestServer } from './support/test-server.js';
import { rejection, until } from './support/wait.js';

const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
const SEND_EVENTS_STREAM = bidiStreamMethod('SendEventsStream', Event, Result);

/**
 * A broker whose answers can be held back: the next `stallPings` Pings, every Ping on the
 * connection `stallPeer` and every SendEvent get no answer (as on a link that died without
 * closing), while the connection itself stays up. Each call's peer says which TCP connection it
 * came on.
 */
function stallingBroker() {
  const state = {
    stallPings: 0,
    stallPeer: undefined as string | undefined,
    /** Pings on this connection (once `stallPings` are used up) are answered this late. */
    slowPeer: undefined as string | undefined,
    slowMs: 0,
    /** When each Ping was answered, by connection. */
    answered: [] as { peer: string; at: number }[],
    /** SendEvent fails with a broker error text instead of being held. */
    failSends: false,
    pings: [] as string[],
    subscriptions: [] as ServerWritableStream<Subscribe, EventReceive>[],
    heldSends: [] as (() => void)[],
    /** How each send stream ended on the server: 'half-closed' (its end read) or 'cancelled'. */
    streamEnds: [] as string[],
    cancelledAt: [] as number[],
  };
  const handlers = {
    Ping: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const peer = call.getPeer();
      state.pings.push(peer);
      if (peer === state.stallPeer) return;
      if (state.stallPings > 0) {
        state.stallPings--;
        return;
      }
      const answer = () => {
        state.answered.push({ peer, at: performance.now() });
        callback(null, PING_INFO);
      };
      if (peer === state.slowPeer) setTimeout(answer, state.slowMs);
      else answer();
    },
    SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
      state.subscriptions.push(call);
    },
    SendEvent: (call: ServerUnaryCall<Event, Result>, callback: sendUnaryData<Result>) => {
      if (state.failSends) return callback({ code: status.INTERNAL, details: 'Error 102: invalid channel value, cannot be empty' });
      state.heldSends.push(() => callback(null, wire.Result.create({ EventID: call.request.EventID, Sent: true })));
    },
    SendEventsStream: (call: ServerDuplexStream<Event, Result>) => {
      call.resume(); // read, so that the half-close is seen ('end')
      call.on('end', () => state.streamEnds.push('half-closed'));
      call.on('cancelled', () => {
        state.streamEnds.push('cancelled');
        state.cancelledAt.push(performance.now());
      });
    },
  };
  return { state, handlers };
}

const send = (client: KubemqClient, id: string, ctx: { timeoutMs?: number; outlivesClose?: boolean } = {}) =>
  clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: id, Channel: 'c', Body: Buffer.from('x') }), { operation: 'events.send', channel: 'c', ...ctx });

/** A raw subscription: what it received and how it ended. */
function subscribe(client: KubemqClient) {
  const seen = { messages: 0, errors: [] as KubemqError[], completed: false };
  clientInternals(client).serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'c', SubscribeTypeData: 1 }), {
    next: () => seen.messages++,
    error: (err) => seen.errors.push(err),
    complete: () => (seen.completed = true),
  }, { operation: 'events.subscribe', channel: 'c' });
  return seen;
}

async function connect(server: TestServer, linkCheck: ClientOptions['linkCheck']) {
  const client = await KubemqClient.connect({ address: server.address, linkCheck, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
  const states: ConnectionState[] = [];
  client.state$.subscribe((s) => states.push(s));
  return { client, states };
}

describe('the link check: a connection that goes silent is replaced', () => {
  let server: TestServer;
  let broker: ReturnType<typeof stallingBroker>;
  beforeEach(async () => {
    broker = stallingBroker();
    server = await startTestServer(broker.handlers);
  });
  afterEach(() => server.stop());

  it('an unanswered ping with nothing received meanwhile: streams fail retryable UNAVAILABLE, and the client reconnects on a new connection', async () => {
    const { client, states } = await connect(server, { intervalMs: 100, timeoutMs: 300 });
    await using _ = client;
    const subscription = subscribe(client);
    await until(() => broker.state.subscriptions.length === 1);
    const held = send(client, 'held');
    const firstPeer = broker.state.pings[0];
    broker.state.stallPings = 2; // the probe and the one that confirms it

    await until(() => subscription.errors.length === 1, 3000);
    expect(subscription.errors[0]).toMatchObject({ name: 'ConnectionError', code: 'UNAVAILABLE', retryable: true, operation: 'events.subscribe', channel: 'c' });
    expect(subscription.errors[0]?.message).toMatch(/^events\.subscribe on channel "c" failed: the connection went silent \(two pings in a row had no answer within 300 ms each/);
    // A unary call waiting on the dead connection fails the same way, at once, not at its deadline.
    const err = await rejection(held);
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'UNAVAILABLE', retryable: true });
    expect(err.message).toContain('the connection went silent');

    await until(() => client.state === 'ready' && states.length === 3, 3000);
    expect(states).toEqual(['ready', 'reconnecting', 'ready']);
    // The reconnect's ping came on another TCP connection than the first.
    const lastPeer = broker.state.pings.at(-1);
    expect(lastPeer).not.toBe(firstPeer);
    const afterwards = send(client, 'after');
    await until(() => broker.state.heldSends.length === 2);
    broker.state.heldSends.at(-1)?.();
    await expect(afterwards).resolves.toMatchObject({ EventID: 'after', Sent: true });
  });

  it('a call that times out on a ready connection makes the client check the link at once', async () => {
    const { client, states } = await connect(server, { intervalMs: 600_000, timeoutMs: 200 });
    await using _ = client;
    const pingsBefore = broker.state.pings.length;
    broker.state.stallPings = 2;
    const err = await rejection(send(client, 'unanswered', { timeoutMs: 200 }));
    expect(err).toMatchObject({ code: 'TIMEOUT', sent: true });
    await until(() => states.includes('reconnecting'), 2000);
    expect(broker.state.pings.length).toBeGreaterThan(pingsBefore);
    await until(() => client.state === 'ready', 3000);
  });

  it('a slow ping while messages arrive is a busy link, not a dead one; once nothing arrives either, it is replaced', async () => {
    const { client, states } = await connect(server, { intervalMs: 50, timeoutMs: 300 });
    await using _ = client;
    const subscription = subscribe(client);
    await until(() => broker.state.subscriptions.length === 1);
    broker.state.stallPeer = broker.state.pings[0];
    const stream = broker.state.subscriptions[0];
    const feed = setInterval(() => stream?.write(wire.EventReceive.create({ EventID: 'e', Channel: 'c' })), 50);
    try {
      await new Promise((r) => setTimeout(r, 1200));
      expect(broker.state.pings.length).toBeGreaterThan(2); // several probes went unanswered meanwhile
      expect(states).toEqual(['ready']);
      expect(subscription.errors).toEqual([]);
      expect(subscription.messages).toBeGreaterThan(10);
    } finally {
      clearInterval(feed);
    }
    await until(() => subscription.errors.length === 1, 3000);
    await until(() => client.state === 'ready' && states.length === 3, 3000);
    expect(states).toEqual(['ready', 'reconnecting', 'ready']);
  });

  it('a call whose answer the broker settles before sending it (outlivesClose) is left to finish on the old connection', async () => {
    const { client, states } = await connect(server, { intervalMs: 100, timeoutMs: 300 });
    await using _ = client;
    const receive = send(client, 'settled-by-the-broker', { outlivesClose: true, timeoutMs: 10_000 });
    await until(() => broker.state.heldSends.length === 1);
    broker.state.stallPings = 2;
    await until(() => states.includes('reconnecting'), 3000);
    // The link was only slow: the answer still comes, on the connection it was asked on.
    broker.state.heldSends[0]?.();
    await expect(receive).resolves.toMatchObject({ EventID: 'settled-by-the-broker' });
  });

  it('one unanswered ping is not enough: a second confirms it before the link counts as dead', async () => {
    const { client, states } = await connect(server, { intervalMs: 100, timeoutMs: 200 });
    await using _ = client;
    const pings = broker.state.pings.length;
    broker.state.stallPings = 1;
    await until(() => broker.state.pings.length >= pings + 3, 3000);
    expect(states).toEqual(['ready']);
  });

  it('a send stream open at the relink half-closes first, its proof pings go on the old connection, and closing that channel starts no second reconnect', async () => {
    const { client, states } = await connect(server, { intervalMs: 100, timeoutMs: 300 });
    await using _ = client;
    const errors: KubemqError[] = [];
    clientInternals(client).bidiStream(SEND_EVENTS_STREAM, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined }, { operation: 'events.stream' });
    const firstPeer = broker.state.pings[0];
    // Answered from here on, on the first connection, can only be the proof: the two next pings
    // stall, and the check no longer runs there after the relink.
    const answeredBefore = broker.state.answered.length;
    broker.state.stallPings = 2;
    await until(() => errors.length === 1, 3000);
    expect(errors[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    // The link was only slow here: the broker reads the half-close before the call is cancelled.
    await until(() => broker.state.streamEnds.length > 0, 3000);
    expect(broker.state.streamEnds[0]).toBe('half-closed');
    await until(() => broker.state.answered.slice(answeredBefore).some((answer) => answer.peer === firstPeer), 3000);
    // The old channel's shutdown, a second after, starts no second reconnect.
    await new Promise((r) => setTimeout(r, 1500));
    expect(states).toEqual(['ready', 'reconnecting', 'ready']);
  });

  it('a send stream on a replaced channel waits for its proof as long as the check would, not the usual second', async () => {
    const { client, states } = await connect(server, { intervalMs: 100, timeoutMs: 2000 });
    await using _ = client;
    clientInternals(client).bidiStream(SEND_EVENTS_STREAM, { next: () => undefined, error: () => undefined, complete: () => undefined }, { operation: 'events.stream' });
    const oldPeer = broker.state.pings[0] as string;
    const answeredBefore = broker.state.answered.length;
    broker.state.stallPings = 2; // the relink
    broker.state.slowPeer = oldPeer; // then each proof ping on the old connection takes 600 ms: 1.2 s for two
    broker.state.slowMs = 600;
    await until(() => broker.state.cancelledAt.length === 1, 10_000);
    const proofs = broker.state.answered.slice(answeredBefore).filter((a) => a.peer === oldPeer);
    expect(states).toEqual(['ready', 'reconnecting', 'ready']);
    // Cancelled only once both proof pings were answered (after a 1 s limit it would come first).
    expect(proofs.length).toBeGreaterThanOrEqual(2);
    expect(broker.state.cancelledAt[0]).toBeGreaterThanOrEqual(proofs[1]?.at ?? Infinity);
  }, 20_000);

  it("the broker's own error answers prove the link alive while its pings go unanswered", async () => {
    const { client, states } = await connect(server, { intervalMs: 50, timeoutMs: 300 });
    await using _ = client;
    broker.state.stallPeer = broker.state.pings[0];
    broker.state.failSends = true;
    const started = performance.now();
    while (performance.now() - started < 1500) {
      await expect(send(client, 'refused')).rejects.toMatchObject({ brokerCode: 102 });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(states).toEqual(['ready']);
  });

  it('close() right after a relink waits for a send stream still proving its half-close on the old channel only as long as its drain bound', async () => {
    const { client, states } = await connect(server, { intervalMs: 100, timeoutMs: 3000 });
    clientInternals(client).bidiStream(SEND_EVENTS_STREAM, { next: () => undefined, error: () => undefined, complete: () => undefined }, { operation: 'events.stream' });
    broker.state.stallPeer = broker.state.pings[0]; // the old connection answers no ping again
    await until(() => states.includes('reconnecting'), 12_000);
    const started = performance.now();
    await client.close({ timeoutMs: 500 });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(400); // it waited for the proof, up to its bound
    expect(took).toBeLessThan(2000); // not the 3 s the proof may take
    expect(broker.state.streamEnds[0]).toBe('half-closed');
  }, 20_000);

  it('a reconnect that ends while close() drains does not restart the check: no ping after close()', async () => {
    const port = server.port;
    const { client, states } = await connect(server, { intervalMs: 50, timeoutMs: 1000 });
    await server.stop();
    await until(() => states.includes('reconnecting'), 3000);
    // A call waiting for the connection keeps close() draining until the broker is back.
    const waiting = send(client, 'during-close', { timeoutMs: 5000 });
    waiting.catch(() => undefined); // awaited below; a failing step before that must not leave it unhandled
    const closing = client.close({ timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    server = await startTestServer(broker.handlers, { port });
    await until(() => broker.state.heldSends.length === 1, 3000);
    // Reconnected, still draining: the check (every 50 ms) stays off.
    const pingsWhileDraining = broker.state.pings.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(broker.state.pings.length).toBe(pingsWhileDraining);
    broker.state.heldSends[0]?.();
    await waiting;
    await closing;
    expect(states).toEqual(['ready', 'reconnecting', 'ready', 'closed']);
    // A ping on the closed channel fails in the client, so watch the calls made, not those received.
    const calls = jest.spyOn(GrpcTransport.prototype, 'unary');
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).not.toHaveBeenCalled();
    } finally {
      calls.mockRestore();
    }
  });

  it('linkCheck: false sends no ping after connect', async () => {
    const { client, states } = await connect(server, false);
    await using _ = client;
    const pings = broker.state.pings.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(broker.state.pings.length).toBe(pings);
    expect(states).toEqual(['ready']);
  });

  it('with a check every 100 ms, an idle ready client pings the broker that often', async () => {
    const { client } = await connect(server, { intervalMs: 100, timeoutMs: 1000 });
    await using _ = client;
    const pings = broker.state.pings.length;
    await new Promise((r) => setTimeout(r, 450));
    expect(broker.state.pings.length - pings).toBeGreaterThanOrEqual(3);
  });
});
