// startKubemq() with the real @kubemq/emulator in a child process (the default mode here).
import { existsSync } from 'node:fs';
import { createTestPki, expectedCapabilities, ping, startKubemq, type KubemqBroker } from '../../src/index.js';
import { itWhen, sharedBroker, uniqueChannel } from '../../src/jest/index.js';
import { receiveFromQueue, sendToQueue } from '../support/queue-wire.js';

// These tests start their own local broker; against KUBEMQ_ADDRESS they cannot restart or kill.
const itLocal = itWhen('restart', expectedCapabilities());
const itCleanRestart = itWhen('cleanRestart', expectedCapabilities());

describe('startKubemq: a broker per call', () => {
  let broker: KubemqBroker;
  beforeAll(async () => {
    broker = await startKubemq();
  });
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  it('answers Ping at its address', async () => {
    expect(broker.address).toMatch(/^[^:]+:\d+$/);
    const info = await ping({ address: broker.address });
    expect(typeof info.host).toBe('string');
    expect(info.startedAt.getTime()).toBeGreaterThan(0);
    expect(info.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  itLocal('is not the shared broker of the jest run', () => {
    expect(broker.address).not.toBe(sharedBroker().address);
  });

  itLocal('restart() keeps the stored messages and the address', async () => {
    const channel = uniqueChannel('testing.restart');
    await sendToQueue(broker.address, channel, 'kept over restart');
    const address = broker.address;
    await broker.restart();
    expect(broker.address).toBe(address);
    expect(await receiveFromQueue(broker.address, channel)).toEqual(['kept over restart']);
  });

  itCleanRestart('restart({ cleanStore: true }) starts with an empty store, on the same address', async () => {
    const channel = uniqueChannel('testing.wiped');
    await sendToQueue(broker.address, channel, 'gone');
    const address = broker.address;
    await broker.restart({ cleanStore: true });
    expect(broker.address).toBe(address);
    expect(await receiveFromQueue(broker.address, channel)).toEqual([]);
  });

  itLocal('kill() then restart() keeps acknowledged messages', async () => {
    const channel = uniqueChannel('testing.kill');
    await sendToQueue(broker.address, channel, 'acknowledged before SIGKILL');
    await broker.kill();
    await expect(ping({ address: broker.address }, { timeoutMs: 500 })).rejects.toMatchObject({ code: 14 });
    await broker.restart();
    expect(await receiveFromQueue(broker.address, channel)).toEqual(['acknowledged before SIGKILL']);
  });

  itLocal('stop() takes it down until restart()', async () => {
    await broker.stop();
    await expect(ping({ address: broker.address }, { timeoutMs: 500 })).rejects.toMatchObject({ code: 14 });
    await broker.restart();
    await ping({ address: broker.address });
  });
});

describe("startKubemq: the shell's environment", () => {
  itLocal("does not configure the broker: the server's settings come from options.env only", async () => {
    const inherited = { LOG_LEVEL: 'verbose', HOST: '0.0.0.0', GRPC_BODY_LIMIT: 'abc', STORE_MAX_RETENTION: '1h' };
    const saved = Object.fromEntries(Object.keys(inherited).map((key) => [key, process.env[key]]));
    Object.assign(process.env, inherited);
    try {
      // Before: the emulator read these and refused to start (LOG_LEVEL: must be one of …), or
      // answered Ping with Host 0.0.0.0.
      await using broker = await startKubemq({ env: { HOST: 'from-options' } });
      expect((await ping({ address: broker.address })).host).toBe('from-options');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('startKubemq: dispose', () => {
  itLocal('removes the temp dir and refuses a later restart', async () => {
    const broker = await startKubemq();
    const workDir = broker.workDir;
    expect(workDir && existsSync(workDir)).toBeTruthy();
    await broker[Symbol.asyncDispose]();
    expect(existsSync(workDir as string)).toBe(false);
    await expect(broker.restart()).rejects.toThrow(/disposed/);
  });

  itLocal('works with await using', async () => {
    let address = '';
    {
      await using broker = await startKubemq();
      address = broker.address;
      await ping({ address });
    }
    await expect(ping({ address }, { timeoutMs: 500 })).rejects.toMatchObject({ code: 14 });
  });
});

describe('startKubemq: TLS', () => {
  const pki = createTestPki();
  const tls = { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem };
  itWhen('tls', expectedCapabilities({ tls }))('starts with a CA-signed certificate and no caPem; clients trust the CA', async () => {
    // Before: readiness trusted the leaf certificate as a root, and gave up after the start timeout.
    await using broker = await startKubemq({ tls, startTimeoutMs: 10_000 });
    expect(broker.capabilities.tls).toBe(true);
    await ping({ address: broker.address, tlsRootPem: pki.caPem });
    await expect(ping({ address: broker.address, tlsRootPem: pki.otherCaPem }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 14 });
  });
});

describe('startKubemq: emulator options', () => {
  // Only a broker that takes the test's own token can have it (an external one never does).
  const options = { queryCache: true, channelManagement: true, auth: { token: 'sesame' } };
  const itEmulator = itWhen('auth', expectedCapabilities(options));
  itEmulator('asks for optional features and reports them in capabilities', async () => {
    await using broker = await startKubemq(options);
    expect(broker.capabilities).toMatchObject({ queryCache: true, channelManagement: true, auth: true, tls: false });
    // With auth on, every call but Ping needs the token, as on the servers that check tokens.
    await ping({ address: broker.address });
    const channel = uniqueChannel('testing.auth');
    await expect(sendToQueue(broker.address, channel, 'x')).rejects.toMatchObject({ code: 16 });
    await sendToQueue(broker.address, channel, 'x', 'sesame');
  });
});
