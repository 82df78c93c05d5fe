import { readFileSync } from 'node:fs';
import { channels, KubemqClient, refreshingCredentials, TimeoutError } from '../../src/index.js';
import { createTestPki, expectedCapabilities, startKubemq, type KubemqBroker, type StartKubemqOptions, type TestPki } from '@kubemq/testing';
import { itSkipBecause, itWhen, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { sendQueued, sendStored } from './support/raw.js';

describe('connect and ping (shared broker)', () => {
  it('pings the broker: host, version, start time and uptime', async () => {
    await using client = await KubemqClient.connect({ address: sharedBroker().address });
    const info = await client.ping();
    expect(typeof info.host).toBe('string');
    expect(typeof info.version).toBe('string');
    expect(info.startedAt).toBeInstanceOf(Date);
    // The broker's clock against this machine's: a shared broker's may be off by seconds.
    expect(info.startedAt.getTime()).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(info.startedAt.getFullYear()).toBeGreaterThan(2020);
    expect(info.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(client.state).toBe('ready');
  });

  const withoutResponder = sharedBroker().capabilities.channelManagement ? itSkipBecause('the shared broker has a channel-management responder') : it;
  withoutResponder(
    'channel management without a responder fails with an error that explains why',
    async () => {
      await using client = await KubemqClient.connect({ address: sharedBroker().address });
      const err = await channels(client).list({ type: 'queues' }, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toMatch(/open-source KubeMQ server .* has no channel-management responder/);
    },
    60_000,
  );
});

describe('channel management (own broker with a responder; the open-source server has none)', () => {
  const options: StartKubemqOptions = { channelManagement: true };
  let broker: KubemqBroker | undefined;
  beforeAll(async () => {
    if (expectedCapabilities(options).channelManagement) broker = await startKubemq(options);
  }, 90_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  itWhen('channelManagement', expectedCapabilities(options))('creates, lists and deletes a channel', async () => {
    await using client = await KubemqClient.connect({ address: (broker as KubemqBroker).address });
    const name = uniqueChannel('core.mgmt');
    await channels(client).create({ type: 'queues', channel: name });
    const listed = await channels(client).list({ type: 'queues', search: name });
    expect(listed.map((c) => c.name)).toContain(name);
    expect(listed.find((c) => c.name === name)).toMatchObject({ lastActivityAt: expect.any(Date), incoming: { volumeBytes: expect.any(Number) } });
    await channels(client).delete({ type: 'queues', channel: name });
    expect((await channels(client).list({ type: 'queues', search: name })).map((c) => c.name)).not.toContain(name);
  }, 60_000);

  itWhen('channelManagement', expectedCapabilities(options))(
    "deletes a queue named with ':', which another client sent to: the broker takes it but cannot deliver from it",
    async () => {
      await using client = await KubemqClient.connect({ address: (broker as KubemqBroker).address });
      const name = `${uniqueChannel('core.mgmt')}:tenant`;
      await expect(channels(client).create({ type: 'queues', channel: name })).rejects.toMatchObject({ code: 'VALIDATION', field: 'channel' });
      expect(await sendQueued(client, name, 'stuck')).toMatchObject({ IsError: false });
      expect((await channels(client).list({ type: 'queues', search: name })).map((c) => c.name)).toContain(name);
      // What a deleted queue's messages become is the broker's business; the call must reach it.
      await expect(channels(client).delete({ type: 'queues', channel: name })).resolves.toBeUndefined();
    },
    60_000,
  );
});

describe('TLS (own broker with a generated certificate)', () => {
  // The server certificate's name: deliberately not 127.0.0.1, to exercise the server-name override.
  const SERVER_NAME = 'kubemq.test';
  const pki: TestPki = createTestPki({ serverNames: [SERVER_NAME] });
  const files = pki.writeFiles();
  // caPem: the CA the broker's readiness probe trusts (the server certificate is CA-signed, not self-signed).
  const options: StartKubemqOptions = { tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem } };
  let broker: KubemqBroker | undefined;
  beforeAll(async () => {
    if (expectedCapabilities(options).tls) broker = await startKubemq(options);
  }, 90_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
    files.remove();
  });

  itWhen('tls', expectedCapabilities(options))('connects with the CA and server name; a wrong CA is a clear TLS error', async () => {
    const address = (broker as KubemqBroker).address;
    {
      await using client = await KubemqClient.connect({ address, tls: { ca: readFileSync(files.ca), serverName: SERVER_NAME } });
      expect((await client.ping()).host).toBeTruthy();
      await expect(sendStored(client, uniqueChannel('core.tls'), 'over tls')).resolves.toMatchObject({ Sent: true });
    }
    const err = await KubemqClient.connect({ address, tls: { ca: Buffer.from(pki.otherCaPem), serverName: SERVER_NAME }, connectTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS' });
    expect((err as Error).message).toMatch(/certificate/i);
  }, 60_000);
});

describe('token auth (own broker; the open-source server does not enforce auth)', () => {
  const options: StartKubemqOptions = { auth: { token: 'core-integration-token' } };
  let broker: KubemqBroker | undefined;
  beforeAll(async () => {
    if (expectedCapabilities(options).auth) broker = await startKubemq(options);
  }, 90_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  /** Connects and sends once; resolves with the send result or rejects with the first failure. */
  async function connectAndSend(authToken: string | undefined) {
    const client = await KubemqClient.connect({ address: (broker as KubemqBroker).address, connectTimeoutMs: 5000, ...(authToken && { authToken }) });
    try {
      return await sendStored(client, uniqueChannel('core.auth'), 'authorized');
    } finally {
      await client.close();
    }
  }

  itWhen('auth', expectedCapabilities(options))('accepts the right token and refuses a wrong or missing one with AuthenticationError', async () => {
    await expect(connectAndSend('core-integration-token')).resolves.toMatchObject({ Sent: true });
    await expect(connectAndSend('wrong-token')).rejects.toMatchObject({ name: 'AuthenticationError', code: 'AUTHENTICATION' });
    await expect(connectAndSend(undefined)).rejects.toMatchObject({ code: 'AUTHENTICATION' });
  }, 60_000);

  itWhen('auth', expectedCapabilities(options))('refuses a wrong token at connect(), though the broker answers its Ping whatever the token', async () => {
    const address = (broker as KubemqBroker).address;
    await expect(KubemqClient.connect({ address, authToken: 'wrong-token', connectTimeoutMs: 5000 })).rejects.toMatchObject({
      name: 'AuthenticationError',
      code: 'AUTHENTICATION',
      operation: 'client.connect',
    });
  }, 60_000);
  /** A provider handing out `tokens` in turn (the last one for good), counting its calls. */
  function provider(...tokens: string[]) {
    const p = { calls: 0, getToken: async () => ({ token: tokens[Math.min(p.calls++, tokens.length - 1)] as string }) };
    return p;
  }

  itWhen('auth', expectedCapabilities(options))('refreshing credentials: a refused token is refreshed once, the broker is asked about the new one, and calls carry it', async () => {
    const tokens = provider('stale-token', 'core-integration-token');
    await using client = await KubemqClient.connect({ address: (broker as KubemqBroker).address, credentials: refreshingCredentials(tokens), connectTimeoutMs: 5000 });
    expect(tokens.calls).toBe(2);
    await expect(sendStored(client, uniqueChannel('core.auth'), 'refreshed')).resolves.toMatchObject({ Sent: true });
    expect(tokens.calls).toBe(2);
  }, 60_000);

  itWhen('auth', expectedCapabilities(options))('refreshing credentials whose new token is refused too fail connect() after one refresh', async () => {
    const tokens = provider('stale-token', 'still-stale');
    const err = await KubemqClient.connect({ address: (broker as KubemqBroker).address, credentials: refreshingCredentials(tokens), connectTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AuthenticationError', code: 'AUTHENTICATION', retryable: false });
    expect(tokens.calls).toBe(2);
  }, 60_000);
});
