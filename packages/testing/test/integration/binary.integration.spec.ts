// KUBEMQ_BINARY mode, with the emulator's bin standing in for kubemq-community: it takes the real
// server's command line and environment (test/fixtures/emulator-as-binary.sh).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestPki, expectedCapabilities, ping, startKubemq, type KubemqBroker } from '../../src/index.js';
import { itWhen, uniqueChannel } from '../../src/jest/index.js';
import { receiveFromQueue, sendToQueue } from '../support/queue-wire.js';

const BINARY = join(__dirname, '..', 'fixtures', 'emulator-as-binary.sh');
// Only meaningful where startKubemq would start a process (not against KUBEMQ_ADDRESS).
const itLocal = itWhen('restart', expectedCapabilities());

describe('KUBEMQ_BINARY mode (docs/broker-behaviour.md §1.7)', () => {
  let broker: KubemqBroker;
  const saved = process.env['KUBEMQ_BINARY'];
  beforeAll(async () => {
    if (!expectedCapabilities().restart) return;
    process.env['KUBEMQ_BINARY'] = process.env['KUBEMQ_BINARY'] ?? BINARY;
    broker = await startKubemq();
  });
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
    if (saved === undefined) delete process.env['KUBEMQ_BINARY'];
    else process.env['KUBEMQ_BINARY'] = saved;
  });

  itLocal('starts `server` in a fresh temp cwd with HOST=kubemq-test and the store in ./store', async () => {
    expect(broker.kind).toBe('binary');
    expect(broker.capabilities).toEqual({
      restart: true,
      kill: true,
      cleanRestart: true,
      auth: false,
      queryCache: false,
      channelManagement: false,
      tls: false,
      clientCertificates: false,
    });
    const info = await ping({ address: broker.address });
    expect(info.host).toBe('kubemq-test');
    await sendToQueue(broker.address, uniqueChannel('testing.binary'), 'x');
    expect(existsSync(join(broker.workDir as string, 'store'))).toBe(true);
  });

  itLocal('restart keeps the store (STORE_CLEAN_STORE=false)', async () => {
    const channel = uniqueChannel('testing.binary.restart');
    await sendToQueue(broker.address, channel, 'kept');
    await broker.restart();
    expect(await receiveFromQueue(broker.address, channel)).toEqual(['kept']);
  });

  itLocal('restart({ cleanStore: true }) starts with an empty store (STORE_CLEAN_STORE=true)', async () => {
    const channel = uniqueChannel('testing.binary.wiped');
    await sendToQueue(broker.address, channel, 'gone');
    await broker.restart({ cleanStore: true });
    expect(await receiveFromQueue(broker.address, channel)).toEqual([]);
  });

  itLocal('kill (SIGKILL) then restart keeps acknowledged messages', async () => {
    const channel = uniqueChannel('testing.binary.kill');
    await sendToQueue(broker.address, channel, 'acknowledged');
    await broker.kill();
    await broker.restart();
    expect(await receiveFromQueue(broker.address, channel)).toEqual(['acknowledged']);
  });

  itLocal('TLS goes in as SECURITY_*_DATA: the broker answers Ping over TLS with the CA', async () => {
    const pki = createTestPki();
    await using tlsBroker = await startKubemq({ tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem } });
    expect(tlsBroker.capabilities.tls).toBe(true);
    const info = await ping({ address: tlsBroker.address, tlsRootPem: pki.caPem });
    expect(info.host).toBe('kubemq-test');
    await expect(ping({ address: tlsBroker.address }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 14 });
  });

  itLocal('a new broker starts with a clean store, and dispose removes its cwd', async () => {
    const channel = uniqueChannel('testing.binary.clean');
    await sendToQueue(broker.address, channel, 'old');
    const other = await startKubemq();
    try {
      expect(other.workDir).not.toBe(broker.workDir);
      expect(await receiveFromQueue(other.address, channel)).toEqual([]);
    } finally {
      await other[Symbol.asyncDispose]();
    }
    expect(existsSync(other.workDir as string)).toBe(false);
  });
});
