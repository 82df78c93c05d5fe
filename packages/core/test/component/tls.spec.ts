import { readFileSync } from 'node:fs';
import { clientOptionsFromEnv, KubemqClient } from '../../src/index.js';
import { createTestPki, type TestPkiFiles } from '@kubemq/testing';
import { startTestServer, type TestServer } from './support/test-server.js';
import { rejection } from './support/wait.js';

// The server certificate's name: deliberately not 127.0.0.1, to exercise the server-name override.
const SERVER_NAME = 'kubemq.test';

describe('TLS and mutual TLS', () => {
  let pem: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa', Buffer>;
  let files: TestPkiFiles;
  let tlsServer: TestServer;
  let mtlsServer: TestServer;

  beforeAll(async () => {
    const pki = createTestPki({ serverNames: [SERVER_NAME] });
    files = pki.writeFiles();
    pem = {
      ca: Buffer.from(pki.caPem),
      serverCert: Buffer.from(pki.serverCertPem),
      serverKey: Buffer.from(pki.serverKeyPem),
      clientCert: Buffer.from(pki.clientCertPem),
      clientKey: Buffer.from(pki.clientKeyPem),
      otherCa: Buffer.from(pki.otherCaPem),
    };
    tlsServer = await startTestServer({}, { tls: { key: pem.serverKey, cert: pem.serverCert } });
    mtlsServer = await startTestServer({}, { tls: { key: pem.serverKey, cert: pem.serverCert, ca: pem.ca, requireClientCert: true } });
  }, 30_000);
  afterAll(async () => {
    await tlsServer?.stop();
    await mtlsServer?.stop();
    files?.remove();
  });

  const fast = { connectTimeoutMs: 3000, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } };

  it('refuses TLS material it cannot use with a ValidationError naming the field, before connecting', async () => {
    const refusal = async (tls: object) => rejection(KubemqClient.connect({ ...fast, address: tlsServer.address, tls }));
    expect(await refusal({ ca: files.ca })).toMatchObject({ code: 'VALIDATION', field: 'tls.ca', message: expect.stringMatching(/not a file name/) });
    const garbled = Buffer.from('-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    expect(await refusal({ ca: pem.ca, cert: garbled, key: pem.clientKey })).toMatchObject({ code: 'VALIDATION', field: 'tls.cert' });
    expect(await refusal({ ca: pem.ca, cert: pem.clientCert, key: pem.serverKey })).toMatchObject({
      code: 'VALIDATION',
      field: 'tls.key',
      message: expect.stringMatching(/does not belong to tls.cert/),
    });
    // A key or a broken block as the CA: refused now, not at a handshake that would blame the broker's certificate.
    for (const ca of [pem.clientKey, garbled]) {
      expect(await refusal({ ca })).toMatchObject({ code: 'VALIDATION', field: 'tls.ca', message: expect.stringMatching(/holds no certificate that parses/) });
    }
  });

  it('takes the CA as bytes, and a bundle whose first certificate is another CA', async () => {
    await using bytes = await KubemqClient.connect({ ...fast, address: tlsServer.address, tls: { ca: new Uint8Array(pem.ca), serverName: SERVER_NAME } });
    await bytes.ping();
    await using bundle = await KubemqClient.connect({ ...fast, address: tlsServer.address, tls: { ca: Buffer.concat([pem.otherCa, pem.ca]), serverName: SERVER_NAME } });
    await bundle.ping();
  });

  it('TLS to a broker that serves plain text says so, rather than pointing at the certificates', async () => {
    const plain = await startTestServer({});
    try {
      const err = await rejection(KubemqClient.connect({ ...fast, address: plain.address, tls: { ca: pem.ca } }));
      expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS', message: expect.stringMatching(/does not seem to serve TLS: drop tls, or check the port/) });
    } finally {
      await plain.stop();
    }
  });

  it('connects with a CA read from a file and the server-name override', async () => {
    await using client = await KubemqClient.connect({ ...fast, address: tlsServer.address, tls: { ca: readFileSync(files.ca), serverName: SERVER_NAME } });
    expect((await client.ping()).host).toBe('test-host');
  });

  it('takes TLS settings from KUBEMQ_TLS_* variables through clientOptionsFromEnv()', async () => {
    await using client = await KubemqClient.connect({
      ...clientOptionsFromEnv({
        KUBEMQ_TLS_CA_FILE: files.ca,
        KUBEMQ_TLS_CERT_FILE: files.clientCert,
        KUBEMQ_TLS_KEY_FILE: files.clientKey,
        KUBEMQ_TLS_SERVER_NAME: SERVER_NAME,
      }),
      ...fast,
      address: mtlsServer.address,
    });
    expect(client.state).toBe('ready');
  });

  it('mTLS: connects with a client certificate and key given as PEM', async () => {
    await using client = await KubemqClient.connect({
      ...fast,
      address: mtlsServer.address,
      tls: { ca: pem.ca.toString(), cert: pem.clientCert, key: pem.clientKey, serverName: SERVER_NAME },
    });
    expect((await client.ping()).version).toBe('v9.9.9');
  });

  it('mTLS: a client without a certificate is refused with a typed TLS error', async () => {
    const err = await rejection(KubemqClient.connect({ ...fast, address: mtlsServer.address, tls: { ca: pem.ca, serverName: SERVER_NAME } }));
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS', operation: 'client.connect', retryable: false });
    expect(err.message).toContain(mtlsServer.address);
  });

  it('a server certificate from an unknown CA gives a typed TLS error', async () => {
    const err = await rejection(KubemqClient.connect({ ...fast, address: tlsServer.address, tls: { ca: pem.otherCa, serverName: SERVER_NAME } }));
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS', retryable: false });
    expect(err.message).toMatch(/certificate/i);
  });

  it('a certificate for another name gives a typed TLS error', async () => {
    const err = await rejection(KubemqClient.connect({ ...fast, address: tlsServer.address, tls: { ca: pem.ca } }));
    expect(err).toMatchObject({ code: 'TLS' });
  });

  it('rejects half an mTLS pair before connecting, naming the option; an unreadable file names its variable', async () => {
    await expect(KubemqClient.connect({ address: tlsServer.address, tls: { cert: pem.clientCert } })).rejects.toMatchObject({ code: 'VALIDATION', field: 'tls.key' });
    expect(() => clientOptionsFromEnv({ KUBEMQ_TLS_CA_FILE: '/nonexistent/ca.pem' })).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'KUBEMQ_TLS_CA_FILE' }));
  });
});
