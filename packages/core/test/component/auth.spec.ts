import * as wire from '@kubemq/emulator/wire';
import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { lastValueFrom, Observable, toArray } from 'rxjs';
import { clientOptionsFromEnv, KubemqClient, refreshingCredentials, type CredentialProvider, type LogFields } from '../../src/index.js';
import {
  clientInternals,
  Event,
  EventReceive,
  recoverable,
  Result,
  serverStreamMethod,
  Subscribe,
  unaryMethod,
} from '../../src/internal/index.js';
import { pingHandler, startTestServer, type TestServer } from './support/test-server.js';
import { rejection, until } from './support/wait.js';

const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);

/** A provider handing out `secret-1`, `secret-2`, … and counting its calls. */
function provider(expiresInMs?: number): CredentialProvider & { calls: number } {
  const p = {
    calls: 0,
    getToken: async () => {
      p.calls++;
      return { token: `secret-${p.calls}`, ...(expiresInMs !== undefined && { expiresAt: new Date(Date.now() + expiresInMs) }) };
    },
  };
  return p;
}

describe('authentication', () => {
  let server: TestServer;
  /** Tokens the server accepts; everything else is UNAUTHENTICATED. */
  let accepted = new Set<string>();
  /** What the server says when it refuses a token. */
  let refusal = 'invalid token';
  const tokensSeen: string[] = [];

  beforeAll(async () => {
    const authorized = (md: { get(key: string): unknown[] }) => {
      const token = String(md.get('authorization')[0] ?? '');
      tokensSeen.push(token);
      return accepted.has(token);
    };
    server = await startTestServer({
      Ping: pingHandler,
      SendEvent: (call: ServerUnaryCall<Event, Result>, cb: sendUnaryData<Result>) => {
        if (!authorized(call.metadata)) return cb({ code: status.UNAUTHENTICATED, details: refusal });
        cb(null, wire.Result.create({ EventID: call.request.EventID, Sent: true }));
      },
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        if (!authorized(call.metadata)) return call.emit('error', { code: status.UNAUTHENTICATED, details: refusal });
        call.write(wire.EventReceive.create({ Channel: 'ch', Sequence: 1n }));
        call.end();
      },
    });
  });
  beforeEach(() => {
    tokensSeen.length = 0;
    refusal = 'invalid token';
  });
  afterAll(() => server.stop());

  const send = (client: KubemqClient) =>
    clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: 'e', Channel: 'c', Body: Buffer.from('x') }), { operation: 'events.send', channel: 'c' });

  /** A client with refreshing credentials (closed on dispose), and a subscription to `ch` that recoverable() re-opens. */
  async function recoveringSubscriber() {
    const tokens = provider();
    const client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    const internals = clientInternals(client);
    const open = () =>
      new Observable<EventReceive>((subscriber) => {
        const call = internals.serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch' }), subscriber, { operation: 'events.subscribe', channel: 'ch' });
        return () => call.cancel();
      });
    return {
      tokens,
      subscription: () => recoverable(internals, open, { operation: 'events.subscribe' }),
      [Symbol.asyncDispose]: () => client.close(),
    };
  }

  it('sends the raw token (no Bearer prefix) in the authorization metadata', async () => {
    accepted = new Set(['static-token']);
    await using client = await KubemqClient.connect({ address: server.address, authToken: 'static-token' });
    await send(client);
    expect(tokensSeen).toEqual(['static-token']);
  });

  it('takes the token from KUBEMQ_AUTH_TOKEN through clientOptionsFromEnv()', async () => {
    accepted = new Set(['env-token']);
    await using client = await KubemqClient.connect({ ...clientOptionsFromEnv({ KUBEMQ_AUTH_TOKEN: 'env-token' }), address: server.address });
    await send(client);
    expect(tokensSeen).toEqual(['env-token']);
  });

  it('on UNAUTHENTICATED refreshes once and retries, then succeeds', async () => {
    accepted = new Set(['secret-2']);
    const tokens = provider();
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    expect(tokens.calls).toBe(1);
    await expect(send(client)).resolves.toMatchObject({ Sent: true });
    expect(tokensSeen).toEqual(['secret-1', 'secret-2']);
    expect(tokens.calls).toBe(2);
  });

  it("refreshes as well when the refusal carries a token server's numbered text (`Error 421: …`)", async () => {
    refusal = 'Error 421: authentication verification failed, token is expired';
    accepted = new Set(['secret-2']);
    const tokens = provider();
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    await expect(send(client)).resolves.toMatchObject({ Sent: true });
    expect(tokensSeen).toEqual(['secret-1', 'secret-2']);
    expect(tokens.calls).toBe(2);
  });

  it('a second UNAUTHENTICATED surfaces AuthenticationError, without a loop', async () => {
    accepted = new Set();
    const tokens = provider();
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    const err = await rejection(send(client));
    expect(err).toMatchObject({ name: 'AuthenticationError', code: 'AUTHENTICATION', retryable: false, grpcStatus: 16, operation: 'events.send' });
    expect(tokensSeen).toEqual(['secret-1', 'secret-2']);
    expect(tokens.calls).toBe(2);
  });

  it('a static token that is refused fails at once (nothing to refresh)', async () => {
    accepted = new Set();
    await using client = await KubemqClient.connect({ address: server.address, authToken: 'nope' });
    expect(await rejection(send(client))).toMatchObject({ code: 'AUTHENTICATION' });
    expect(tokensSeen).toEqual(['nope']);
  });

  it('a provider that never answers holds no call past its deadline or signal, connect() included', async () => {
    accepted = new Set(['secret-1']);
    const hung: CredentialProvider = { getToken: () => new Promise(() => undefined) };
    const started = performance.now();
    const connectErr = await rejection(KubemqClient.connect({ address: server.address, connectTimeoutMs: 600, credentials: refreshingCredentials(hung) }));
    expect(connectErr).toMatchObject({ code: 'AUTHENTICATION', message: expect.stringMatching(/credential provider gave no token/) });
    expect(performance.now() - started).toBeLessThan(3_000);
    const aborted = new AbortController();
    const cancelled = rejection(KubemqClient.connect({ address: server.address, connectTimeoutMs: 60_000, credentials: refreshingCredentials(hung), signal: aborted.signal }));
    setTimeout(() => aborted.abort(), 100);
    expect(await cancelled).toMatchObject({ code: 'CANCELLED' });

    // A token that is due when the provider stops answering: the call ends at its own deadline.
    let calls = 0;
    const stalls: CredentialProvider = {
      getToken: () => (++calls === 1 ? Promise.resolve({ token: 'secret-1', expiresAt: new Date(Date.now() + 300) }) : new Promise(() => undefined)),
    };
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(stalls, { refreshMarginMs: 10 }) });
    await new Promise((r) => setTimeout(r, 400));
    const sendErr = await rejection(
      clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: 'e', Channel: 'c', Body: Buffer.from('x') }), { operation: 'events.send', channel: 'c', timeoutMs: 300 }),
    );
    expect(sendErr).toMatchObject({ code: 'AUTHENTICATION', retryable: true, message: expect.stringMatching(/credential provider gave no token/) });
  });

  it('refreshes proactively before the token expires', async () => {
    accepted = new Set(['secret-1', 'secret-2', 'secret-3']);
    const tokens = provider(300);
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens, { refreshMarginMs: 200 }) });
    await until(() => tokens.calls >= 2, 3000);
    await send(client);
    expect(tokensSeen.at(-1)).not.toBe('secret-1');
  });

  it('asks a provider whose tokens outlive no margin at most about once a second', async () => {
    accepted = new Set(['secret-1', 'secret-2', 'secret-3', 'secret-4', 'secret-5']);
    const tokens = provider(5000); // lives 5 s, refreshed 30 s before expiry: always due
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens, { refreshMarginMs: 30_000 }) });
    for (let i = 0; i < 20; i++) await send(client);
    await new Promise((r) => setTimeout(r, 1500));
    expect(tokens.calls).toBeGreaterThanOrEqual(2);
    expect(tokens.calls).toBeLessThanOrEqual(4);
  });

  it('a stream refused with UNAUTHENTICATED is retryable once after a refresh; recoverable() re-opens it', async () => {
    accepted = new Set(['secret-2']);
    await using subscriber = await recoveringSubscriber();
    const { tokens, subscription } = subscriber;
    const values = await lastValueFrom(subscription().pipe(toArray()));
    expect(values).toHaveLength(1);
    expect(tokensSeen).toEqual(['secret-1', 'secret-2']);

    // Refused again after that: the next refusal is final.
    accepted = new Set();
    const err = await rejection(lastValueFrom(subscription()));
    expect(err).toMatchObject({ code: 'AUTHENTICATION' });
    expect(tokens.calls).toBe(3);
  });

  it('streams refused together (say, re-opened after a broker restart with a new key) all re-open after one refresh', async () => {
    accepted = new Set(['secret-2']);
    await using subscriber = await recoveringSubscriber();
    const { tokens, subscription } = subscriber;
    const streams = Array.from({ length: 3 }, () => lastValueFrom(subscription().pipe(toArray())));
    const values = await Promise.all(streams);
    expect(values.map((v) => v.length)).toEqual([1, 1, 1]);
    expect(tokens.calls).toBe(2);
  });

  it('a provider token a header cannot carry fails as AUTHENTICATION naming the character, not the token, and no stream crashes', async () => {
    accepted = new Set(['secret-1']);
    let calls = 0;
    const tab: CredentialProvider = { getToken: async () => ({ token: `secret-${++calls}\t` }) };
    const err = await rejection(KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tab), connectTimeoutMs: 500 }));
    expect(err).toMatchObject({ code: expect.stringMatching(/AUTHENTICATION|CONNECTION_FAILED|TIMEOUT/) });
    const text = `${String(err)} ${JSON.stringify(err)} ${String((err as Error).cause)}`;
    expect(text).toMatch(/U\+0009 at index 8/);
    expect(text).not.toMatch(/secret-/);
  });

  it('an expiresAt that is no valid Date is refused, and the provider is not asked again and again', async () => {
    accepted = new Set(['secret-1']);
    let calls = 0;
    const invalid: CredentialProvider = { getToken: async () => ({ token: `secret-${++calls}`, expiresAt: new Date(Number.NaN) }) };
    const err = await rejection(KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(invalid), connectTimeoutMs: 500 }));
    expect(`${String(err)} ${String((err as Error).cause)}`).toMatch(/expiresAt that is not a valid Date \(got Invalid Date\)/);
    await new Promise((r) => setTimeout(r, 500));
    expect(calls).toBeLessThan(20); // a NaN refresh delay asked about 850 times a second
  });

  it('never logs a token, nor puts one in an error', async () => {
    const lines: Array<[string, string, LogFields | undefined]> = [];
    const capture = (level: string) => (message: string, fields?: LogFields) => lines.push([level, message, fields]);
    const logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };
    accepted = new Set(['secret-2']);
    const tokens = provider(250);
    const errors: unknown[] = [];
    {
      await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens, { refreshMarginMs: 200 }), logger, logLevel: 'debug' });
      await send(client).catch((e: unknown) => errors.push(e));
      accepted = new Set();
      await send(client).catch((e: unknown) => errors.push(e));
      await until(() => tokens.calls >= 3, 5000);
    }
    const failing = await rejection(KubemqClient.connect({ address: server.address, authToken: 'secret-static', logger, logLevel: 'debug', connectTimeoutMs: 300 }).then(async (c) => {
      await send(c).finally(() => c.close());
    }));
    errors.push(failing);

    expect(lines.length).toBeGreaterThan(3);
    expect(errors.length).toBeGreaterThan(0);
    const everything = JSON.stringify(lines) + errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack}`).join('\n');
    expect(everything).not.toMatch(/secret-/);
  });
});

describe('connect() proves a token: the brokers that check tokens let Ping through unchecked', () => {
  let server: TestServer;
  /** Tokens the broker accepts on every call but Ping. */
  let accepted = new Set<string>();
  let checks = 0;
  let written = 0;
  /** How a check with an accepted token ends: OK after the half-close, or this status. */
  let checkFails: number | undefined;
  /** The broker answers the check with UNIMPLEMENTED before looking at the token: it says nothing. */
  let checkSilent = false;
  const tokensChecked: string[] = [];

  beforeAll(async () => {
    const refused = (md: { get(key: string): unknown[] }) => {
      const token = String(md.get('authorization')[0] ?? '');
      tokensChecked.push(token);
      return !accepted.has(token);
    };
    server = await startTestServer({
      SendEventsStream: (call: ServerDuplexStream<Event, Result>) => {
        checks++;
        if (checkSilent) return call.emit('error', { code: status.UNIMPLEMENTED, details: 'not here' });
        if (refused(call.metadata)) return call.emit('error', { code: status.UNAUTHENTICATED, details: 'Error 421: authentication verification failed' });
        call.on('data', () => written++);
        call.on('end', () => {
          if (checkFails !== undefined) call.emit('error', { code: checkFails, details: 'not here' });
          else call.end();
        });
      },
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        if (refused(call.metadata)) return call.emit('error', { code: status.UNAUTHENTICATED, details: 'invalid token' });
        call.end();
      },
    });
  });
  beforeEach(() => {
    checks = 0;
    written = 0;
    checkFails = undefined;
    checkSilent = false;
    tokensChecked.length = 0;
  });
  afterAll(() => server.stop());

  it('a refused static token fails connect() with AuthenticationError, though the ping went through', async () => {
    accepted = new Set(['good']);
    const err = await rejection(KubemqClient.connect({ address: server.address, authToken: 'bad', connectTimeoutMs: 3000 }));
    expect(err).toMatchObject({ name: 'AuthenticationError', code: 'AUTHENTICATION', operation: 'client.connect' });
    expect(tokensChecked).toEqual(['bad']);
    await using client = await KubemqClient.connect({ address: server.address, authToken: 'good' });
    expect(client.state).toBe('ready');
  });

  it('checks once, with an events send stream that carries nothing and is half-closed at once, and not at all without a token', async () => {
    accepted = new Set(['good']);
    {
      await using client = await KubemqClient.connect({ address: server.address, authToken: 'good' });
      await client.ping();
    }
    expect(checks).toBe(1);
    expect(written).toBe(0);
    await using plain = await KubemqClient.connect({ address: server.address });
    await plain.ping();
    expect(checks).toBe(1);
  });

  it("refreshing credentials refresh once when connect()'s check is refused, then connect; refused again, connect() fails without a loop", async () => {
    accepted = new Set(['secret-2']);
    const tokens = provider();
    {
      await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
      expect(client.state).toBe('ready');
      // The check ended taken: a stream refused later still gets its one refresh.
      accepted = new Set(['secret-3']);
      const internals = clientInternals(client);
      const refusedOnce = await rejection(
        new Promise((resolve, reject) => {
          internals.serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch' }), { next: () => undefined, error: reject, complete: () => resolve(undefined) }, { operation: 'events.subscribe', channel: 'ch' });
        }),
      );
      expect(refusedOnce).toMatchObject({ code: 'AUTHENTICATION', retryable: true });
    }
    expect(tokens.calls).toBe(3);
    expect(tokensChecked.slice(0, 2)).toEqual(['secret-1', 'secret-2']);

    accepted = new Set();
    const never = provider();
    const err = await rejection(KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(never), connectTimeoutMs: 3000 }));
    expect(err).toMatchObject({ code: 'AUTHENTICATION' });
    expect(never.calls).toBe(2);
  });

  it('any end but a refusal passes: a broker without the method, or one failing it otherwise', async () => {
    accepted = new Set(['good']);
    for (const code of [status.UNIMPLEMENTED, status.INTERNAL, status.PERMISSION_DENIED]) {
      checkFails = code;
      await using client = await KubemqClient.connect({ address: server.address, authToken: 'good' });
      expect(client.state).toBe('ready');
    }
  });

  it('a provider that fails while the check refreshes does not fail connect(): only the broker refuses a token', async () => {
    accepted = new Set(['secret-1']);
    let calls = 0;
    const flaky: CredentialProvider = {
      getToken: async () => {
        calls++;
        if (calls === 2) throw new Error('token endpoint blip');
        return { token: calls === 1 ? 'secret-0' : 'secret-1' };
      },
    };
    // The first token is refused by the check; the refresh it asks for fails: not the broker's refusal.
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(flaky), connectTimeoutMs: 3000 });
    expect(client.state).toBe('ready');
  });

  const subscribeOnce = (client: KubemqClient) =>
    new Promise<unknown>((resolve, reject) => {
      clientInternals(client).serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch' }), { next: () => undefined, error: reject, complete: () => resolve(undefined) }, { operation: 'events.subscribe', channel: 'ch' });
    });

  it('a stream refused after a refresh whose token the broker refuses too fails at once: one refresh, no loop', async () => {
    accepted = new Set(['secret-1']);
    const tokens = provider();
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    accepted = new Set();
    const err = await rejection(subscribeOnce(client));
    expect(err).toMatchObject({ code: 'AUTHENTICATION', retryable: false });
    expect((err as Error).message).toContain('the refreshed token was refused too');
    expect(tokens.calls).toBe(2);
    // Asked about the new token once: the refusal's proof.
    expect(tokensChecked.filter((t) => t === 'secret-2')).toHaveLength(1);
  });

  it('a Ping that goes through does not count as the token accepted: a stream refused after an unproved refresh stays refused', async () => {
    accepted = new Set(['secret-1']);
    const tokens = provider();
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    accepted = new Set();
    checkSilent = true; // the new token cannot be proved either way
    // The first refusal refreshes and is retryable; a ping between the two must not reset that.
    expect(await rejection(subscribeOnce(client))).toMatchObject({ code: 'AUTHENTICATION', retryable: true });
    await client.ping();
    expect(await rejection(subscribeOnce(client))).toMatchObject({ code: 'AUTHENTICATION', retryable: false });
    expect(tokens.calls).toBe(2);
  });

  it('a quiet stream whose refreshed token the broker took gets a refresh again at the next refusal (a second key rotation)', async () => {
    accepted = new Set(['secret-1']);
    const tokens = provider();
    await using client = await KubemqClient.connect({ address: server.address, credentials: refreshingCredentials(tokens) });
    accepted = new Set(['secret-2']);
    expect(await rejection(subscribeOnce(client))).toMatchObject({ code: 'AUTHENTICATION', retryable: true });
    // Re-opened with the new token: taken, and no message ever proves it.
    await subscribeOnce(client);
    accepted = new Set(['secret-3']);
    expect(await rejection(subscribeOnce(client))).toMatchObject({ code: 'AUTHENTICATION', retryable: true });
    await subscribeOnce(client);
    expect(tokens.calls).toBe(3);
  });
});
