// Security: TLS failures are clear and typed (wrong CA, expired certificate, hostname mismatch),
// a broker that requires client certificates refuses a client without one, and tokens never
// appear in logs or error messages. Brokers of its own (startKubemq with TLS / auth options);
// features the broker cannot enforce are skipped with a printed reason (the open-source server
// verifies neither tokens nor client certificates: docs/tls-and-auth.md).
import { KubemqClient, KubemqError, refreshingCredentials, type LogFields, type Logger } from '@kubemq/core';
import { events } from '@kubemq/events';
import { createTestPki, expectedCapabilities, startKubemq, type KubemqBroker, type TestPki } from '@kubemq/testing';
import { itWhen, uniqueClientId } from '@kubemq/testing/jest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';

/** Deliberately not 127.0.0.1, so connecting without tls.serverName is a host-name mismatch. */
const SERVER_NAME = 'kubemq.test';

const fast = { connectTimeoutMs: 4000, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } };
const DUMMY_TLS = { certPem: 'x', keyPem: 'x' };

/**
 * An expired server certificate (valid only on 2020-01-01) for SERVER_NAME, and the CA that signed
 * it. createTestPki() from @kubemq/testing keeps no CA key, so this signs with a CA of its own
 * (openssl `ca`, which can set the validity dates).
 */
function expiredPki(): { caPem: string; certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kubemq-expired-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubemq-test-expired-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${SERVER_NAME}`, '-keyout', 'server.key', '-out', 'server.csr');
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      ['[ca]', 'default_ca = ca_default', '[ca_default]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
        'default_md = sha256', 'policy = any', '[any]', 'commonName = supplied', '[ext]', `subjectAltName = DNS:${SERVER_NAME}`, 'extendedKeyUsage = serverAuth', ''].join('\n'),
    );
    ssl('ca', '-batch', '-config', 'ca.cnf', '-extensions', 'ext', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'server.csr',
      '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext', '-out', 'expired.pem');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { caPem: read('ca.pem'), certPem: read('expired.pem'), keyPem: read('server.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rejection(p: Promise<unknown>): Promise<KubemqError> {
  try {
    await p;
  } catch (err) {
    if (KubemqError.isKubemqError(err)) return err;
    throw new Error(`expected a KubemqError, got ${inspect(err)}`);
  }
  throw new Error('expected a rejection');
}

describe('TLS failures are typed and clear', () => {
  let pki: TestPki;
  let expired: ReturnType<typeof expiredPki>;
  let broker: KubemqBroker | undefined;
  // A broker cannot be started with an expired certificate (its readiness Ping checks it), so the
  // expired case is a bare TLS listener on loopback: the client fails in the handshake, before gRPC.
  let expiredServer: TlsServer | undefined;
  let expiredAddress = '';
  const caps = expectedCapabilities({ tls: DUMMY_TLS });

  beforeAll(async () => {
    if (!caps.tls) return;
    pki = createTestPki({ serverNames: [SERVER_NAME] });
    expired = expiredPki();
    // caPem lets the readiness Ping verify the broker (client certificates stay unverified)
    broker = await startKubemq({ tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem } });
    const server = createTlsServer({ cert: expired.certPem, key: expired.keyPem, ALPNProtocols: ['h2'] }, (socket) => socket.destroy());
    expiredServer = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    expiredAddress = `127.0.0.1:${(server.address() as { port: number }).port}`;
  }, 120_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
    await new Promise((r) => (expiredServer ? expiredServer.close(r) : r(undefined)));
  });

  const it = itWhen('tls', caps);

  it('a trusted certificate for the right name connects (the control)', async () => {
    const b = broker as KubemqBroker;
    await using client = await KubemqClient.connect({ ...fast, address: b.address, tls: { ca: pki.caPem, serverName: SERVER_NAME } });
    expect(client.state).toBe('ready');
  });

  it('a server certificate from another CA: ConnectionError code TLS, naming the address and the certificate problem', async () => {
    const b = broker as KubemqBroker;
    const err = await rejection(KubemqClient.connect({ ...fast, address: b.address, tls: { ca: pki.otherCaPem, serverName: SERVER_NAME } }));
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS', retryable: false, operation: 'client.connect' });
    expect(err.message).toContain(b.address);
    expect(err.message).toMatch(/certificate/i);
  });

  it('an expired server certificate: ConnectionError code TLS that says expired', async () => {
    const err = await rejection(KubemqClient.connect({ ...fast, address: expiredAddress, tls: { ca: expired.caPem, serverName: SERVER_NAME } }));
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS', retryable: false });
    expect(err.message).toMatch(/expired/i);
  });

  it('a certificate for another host name: ConnectionError code TLS that names the mismatch', async () => {
    const b = broker as KubemqBroker;
    // the certificate is for kubemq.test; the client checks the address host, 127.0.0.1
    const err = await rejection(KubemqClient.connect({ ...fast, address: b.address, tls: { ca: pki.caPem } }));
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'TLS', retryable: false });
    expect(err.message).toMatch(/altnames|hostname|host name|does not match/i);
  });
});

describe('mutual TLS', () => {
  let pki: TestPki;
  let broker: KubemqBroker | undefined;
  const caps = expectedCapabilities({ tls: { ...DUMMY_TLS, caPem: 'x', requireClientCert: true } });

  beforeAll(async () => {
    if (!caps.clientCertificates) return;
    pki = createTestPki({ serverNames: [SERVER_NAME] });
    broker = await startKubemq({ tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem, requireClientCert: true } });
  }, 120_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  const it = itWhen('clientCertificates', caps);

  it('a client without a certificate is refused with a typed TLS error; with one it connects', async () => {
    const b = broker as KubemqBroker;
    expect(b.capabilities.clientCertificates).toBe(true);
    const err = await rejection(KubemqClient.connect({ ...fast, address: b.address, tls: { ca: pki.caPem, serverName: SERVER_NAME } }));
    expect(err).toMatchObject({ code: 'TLS' });
    await using client = await KubemqClient.connect({
      ...fast,
      address: b.address,
      tls: { ca: pki.caPem, cert: pki.clientCertPem, key: pki.clientKeyPem, serverName: SERVER_NAME },
    });
    expect((await client.ping()).host).toBeTruthy();
  });
});

describe('tokens never appear in logs or errors', () => {
  const GOOD = `good-${Math.random().toString(36).slice(2)}-token`;
  const BAD = `bad-${Math.random().toString(36).slice(2)}-token`;
  let broker: KubemqBroker | undefined;
  const caps = expectedCapabilities({ auth: { token: GOOD } });

  /** A logger that keeps every line, fields rendered deeply. */
  function capturingLogger(): { logger: Logger; text(): string; count(): number } {
    const lines: string[] = [];
    const sink = (level: string) => (message: string, fields?: LogFields) => lines.push(`${level} ${message} ${inspect(fields, { depth: 10 })}`);
    return { logger: { debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error') }, text: () => lines.join('\n'), count: () => lines.length };
  }
  /** Everything an error shows: message, stack, JSON, causes, deep inspection. */
  const errorText = (err: KubemqError) => [err.message, err.stack, JSON.stringify(err.toJSON()), inspect(err, { depth: 10 }), String(err.cause)].join('\n');

  beforeAll(async () => {
    if (caps.auth) broker = await startKubemq({ auth: { token: GOOD } });
  }, 120_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  itWhen('auth', caps)('a refused token: AuthenticationError, and the token is in no log line and no part of the error', async () => {
    const b = broker as KubemqBroker;
    const log = capturingLogger();
    const err = await rejection(KubemqClient.connect({ ...fast, address: b.address, clientId: uniqueClientId('rel-tok'), authToken: BAD, logger: log.logger, logLevel: 'debug' }));
    expect(err).toMatchObject({ name: 'AuthenticationError', code: 'AUTHENTICATION' });
    expect(errorText(err)).not.toContain(BAD);
    expect(log.text()).not.toContain(BAD);
  });

  itWhen('auth', caps)('an accepted token, used for calls and a reconnect-free session at debug level, is never logged', async () => {
    const b = broker as KubemqBroker;
    const log = capturingLogger();
    const client = await KubemqClient.connect({ ...fast, address: b.address, clientId: uniqueClientId('rel-tok'), authToken: GOOD, logger: log.logger, logLevel: 'debug' });
    await client.ping();
    await events(client).send({ channel: 'rel.tokens', body: 'x' });
    const err = await rejection(events(client).send({ channel: 'a b', body: 'x' }));
    await client.close();
    expect(log.count()).toBeGreaterThan(0);
    expect(log.text()).not.toContain(GOOD);
    expect(errorText(err)).not.toContain(GOOD);
  });

  // Needs no broker: nothing listens on the address.
  test('a connect failure (nothing listening) with a token and credentials: no token in the logs or the error', async () => {
    const log = capturingLogger();
    const refused = '127.0.0.1:9';
    const err = await rejection(
      KubemqClient.connect({ address: refused, connectTimeoutMs: 1500, authToken: BAD, logger: log.logger, logLevel: 'debug', reconnect: { initialDelayMs: 50, maxDelayMs: 100 } }),
    );
    expect(err).toMatchObject({ name: 'ConnectionError', code: 'CONNECTION_FAILED' });
    expect(errorText(err)).not.toContain(BAD);
    expect(log.text()).not.toContain(BAD);

    const log2 = capturingLogger();
    const err2 = await rejection(
      KubemqClient.connect({
        address: refused,
        connectTimeoutMs: 1500,
        credentials: refreshingCredentials({ getToken: async () => ({ token: BAD, expiresAt: new Date(Date.now() + 3_600_000) }) }),
        logger: log2.logger,
        logLevel: 'debug',
      }),
    );
    expect(errorText(err2)).not.toContain(BAD);
    expect(log2.text()).not.toContain(BAD);
  });
});
