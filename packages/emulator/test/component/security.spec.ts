// Emulator-only security options: token auth and client-certificate verification; and TLS /
// "mTLS" as the open-source server does it (broker-behaviour.md §0 items 2-3, §1.3).
import * as grpc from '@grpc/grpc-js';
import type { KubemqEmulator } from '../../src/emulator.js';
import { call, collect, connect, event, failure, startEmulator, subscription } from './support/harness.js';
import { makePki, type TestPki } from './support/certs.js';

const token = (t: string) => {
  const md = new grpc.Metadata();
  md.set('authorization', t);
  return md;
};

describe('token auth (emulator-only; the open-source server ignores authorization, §0 item 2)', () => {
  it('is off by default: no token is needed and any token is ignored', async () => {
    const emu = await startEmulator();
    const c = connect(emu.address);
    try {
      await expect(call(c.ping.bind(c), {})).resolves.toBeDefined();
      await expect(call(c.ping.bind(c), {}, token('whatever'))).resolves.toBeDefined();
    } finally {
      c.close();
      await emu.stop();
    }
  });

  it('when on, every call but Ping needs the token: missing or wrong → UNAUTHENTICATED, on unary and streams', async () => {
    const emu = await startEmulator({ auth: { token: 's3cret' } });
    const c = connect(emu.address);
    try {
      // As on the servers that check tokens: their unary interceptor lets Ping through unchecked.
      expect((await call(c.ping.bind(c), {})).Version).toBeTruthy();
      expect((await call(c.ping.bind(c), {}, token('wrong'))).Version).toBeTruthy();
      expect((await failure(c.sendEvent.bind(c), event({ Channel: 'a' }))).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await failure(c.sendEvent.bind(c), event({ Channel: 'a' }), token('wrong'))).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await failure(c.queuesInfo.bind(c), { RequestID: '', QueueName: 'a' }, token('wrong'))).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await call(c.sendEvent.bind(c), event({ Channel: 'a' }), token('s3cret'))).Sent).toBe(true);
      const sub = collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: 'a' })));
      expect((await sub.status).code).toBe(grpc.status.UNAUTHENTICATED);
      const stream = c.sendEventsStream(token('bad'));
      const res = collect(stream);
      expect((await res.status).code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      c.close();
      await emu.stop();
    }
  });
});

describe('TLS', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makePki();
  }, 30000);

  const tlsClient = (emu: KubemqEmulator, cert?: [string, string]) =>
    connect(
      emu.address,
      grpc.credentials.createSsl(Buffer.from(pki.caCert), cert ? Buffer.from(cert[1]) : null, cert ? Buffer.from(cert[0]) : null),
    );

  it('serves TLS with a cert and key; a plaintext client cannot call', async () => {
    const emu = await startEmulator({ tls: { certPem: pki.serverCert, keyPem: pki.serverKey } });
    const ok = tlsClient(emu);
    const plain = connect(emu.address, grpc.credentials.createInsecure());
    try {
      expect((await call(ok.ping.bind(ok), {})).Version).toBeTruthy();
      expect((await failure(plain.ping.bind(plain), {})).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      ok.close();
      plain.close();
      await emu.stop();
    }
  });

  it('refuses at start, as a config error naming the option, the key pairs and CAs the server refuses (Error 201)', async () => {
    await expect(startEmulator({ tls: { certPem: pki.serverCert, keyPem: pki.clientKey } })).rejects.toMatchObject({
      name: 'EmulatorConfigError',
      field: 'tls.keyPem',
      message: expect.stringMatching(/^tls\.keyPem: Error 201: error on loading TLS keys: tls: private key does not match public key/),
    });
    await expect(startEmulator({ tls: { certPem: pki.serverCert, keyPem: pki.serverKey, caPem: pki.caCert.replace(/CERTIFICATE/g, 'PRIVATE KEY') } })).rejects.toMatchObject({
      name: 'EmulatorConfigError',
      field: 'tls.caPem',
      message: 'tls.caPem: Error 201: error on loading TLS keys: credentials: failed to append certificates',
    });
  });

  it('with a CA does NOT verify client certificates, like the real server (§1.3)', async () => {
    const emu = await startEmulator({ tls: { certPem: pki.serverCert, keyPem: pki.serverKey, caPem: pki.caCert } });
    const none = tlsClient(emu);
    const rogue = tlsClient(emu, [pki.rogueCert, pki.rogueKey]);
    try {
      expect((await call(none.ping.bind(none), {})).Version).toBeTruthy();
      expect((await call(rogue.ping.bind(rogue), {})).Version).toBeTruthy();
    } finally {
      none.close();
      rogue.close();
      await emu.stop();
    }
  });

  it('with requireClientCert (emulator-only) accepts only certificates from the CA', async () => {
    const emu = await startEmulator({ tls: { certPem: pki.serverCert, keyPem: pki.serverKey, caPem: pki.caCert, requireClientCert: true } });
    const good = tlsClient(emu, [pki.clientCert, pki.clientKey]);
    const none = tlsClient(emu);
    const rogue = tlsClient(emu, [pki.rogueCert, pki.rogueKey]);
    try {
      expect((await call(good.ping.bind(good), {})).Version).toBeTruthy();
      expect((await failure(none.ping.bind(none), {})).code).toBe(grpc.status.UNAVAILABLE);
      expect((await failure(rogue.ping.bind(rogue), {})).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      good.close();
      none.close();
      rogue.close();
      await emu.stop();
    }
  });
});
