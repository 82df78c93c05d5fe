import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BROKER_QUEUE_LIMITS, EmulatorConfigError, optionsFromEnv, resolveConfig, type EmulatorOptions } from './config.js';

const noFile = (p: string): string => {
  throw new Error(`no file ${p}`);
};

describe('resolveConfig', () => {
  it('has the server defaults of broker-behaviour.md §4', () => {
    const c = resolveConfig({});
    expect(c.port).toBe(50000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.bodyLimit).toBe(104857600);
    expect(c.subscriptionBuffer).toBe(100);
    expect(c.slowConsumerDropMs).toBe(2000);
    expect(c.retentionMinutes).toBe(1440);
    expect(c.queue).toEqual({
      maxNumberOfMessages: 1024,
      maxWaitTimeoutSeconds: 3600,
      maxExpirationSeconds: 43200,
      maxDelaySeconds: 43200,
      maxReceiveCount: 1024,
      maxVisibilitySeconds: 43200,
      defaultVisibilitySeconds: 60,
      defaultWaitTimeoutSeconds: 1,
      downstreamDefaultMaxItems: 200000,
      downstreamMinWaitTimeoutMs: 1000,
      delayScanIntervalMs: 500,
      delayInFlightLimit: 1024,
      delayAckWaitMs: 86_400_000,
    });
    expect(c.keepalive).toEqual({ enforce: true, minPingIntervalMs: 300000, permitWithoutCalls: false, maxPingStrikes: 2 });
    expect(c.authToken).toBeUndefined();
    expect(c.queryCache).toBe(false);
    expect(c.channelManagement).toBe(false);
    expect(c.tls).toBeUndefined();
    expect(c.dataDir).toBeUndefined();
  });

  it('takes options and names the field at fault', () => {
    expect(resolveConfig({ port: 0, auth: 'tok', keepalive: false, queue: { maxReceiveCount: 5 } })).toMatchObject({
      port: 0,
      authToken: 'tok',
      keepalive: { enforce: false },
      queue: { ...DEFAULT_BROKER_QUEUE_LIMITS, maxReceiveCount: 5 },
    });
    expect(() => resolveConfig({ port: 70000 })).toThrow(EmulatorConfigError);
    expect(() => resolveConfig({ port: 70000 })).toThrow(/^port:/);
    expect(() => resolveConfig({ queue: { maxWaitTimeoutSeconds: -1 } })).toThrow(/queue\.maxWaitTimeoutSeconds/);
    // 0 would stop the delay scan, or have it re-read displaced messages without end.
    expect(() => resolveConfig({ queue: { delayInFlightLimit: 0 } })).toThrow(/queue\.delayInFlightLimit/);
    expect(() => resolveConfig({ queue: { delayAckWaitMs: 0 } })).toThrow(/queue\.delayAckWaitMs/);
    expect(() => resolveConfig({ tls: { certPem: 'c', keyPem: 'k', requireClientCert: true } })).toThrow(/tls\.caPem/);
    expect(() => resolveConfig({ auth: { token: '' } })).toThrow(/auth\.token/);
  });
});

/** A self-signed certificate and its key, made with the openssl CLI (like test/component/support/certs.ts). */
function selfSigned(newkey: string[]): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-pki-'));
  try {
    execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', 'k.pem', '-out', 'c.pem'], { cwd: dir, stdio: 'pipe' });
    return { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pkcs8 = (k: ReturnType<typeof generateKeyPairSync>) => k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('resolveConfig TLS: refuses at start what the server refuses (server.go, Error 201)', () => {
  let rsa: { cert: string; key: string };
  let ec: { cert: string; key: string };
  beforeAll(() => {
    rsa = selfSigned(['-newkey', 'rsa:2048']);
    ec = selfSigned(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  }, 30000);
  const refused = (tls: EmulatorOptions['tls']): EmulatorConfigError => {
    try {
      resolveConfig({ tls });
    } catch (err) {
      expect(err).toBeInstanceOf(EmulatorConfigError);
      return err as EmulatorConfigError;
    }
    throw new Error('resolveConfig accepted it');
  };

  it('accepts the key types Go parses: RSA, ECDSA P-256, Ed25519; and a CA with one good certificate among others', () => {
    expect(resolveConfig({ tls: { certPem: rsa.cert, keyPem: rsa.key } }).tls?.certPem).toBe(rsa.cert);
    expect(resolveConfig({ tls: { certPem: ec.cert, keyPem: Buffer.from(ec.key), caPem: `${ec.key}\n${rsa.cert}` } }).tls?.caPem).toContain('CERTIFICATE');
    const ed = selfSigned(['-newkey', 'ed25519']);
    expect(resolveConfig({ tls: { certPem: ed.cert, keyPem: ed.key, caPem: rsa.cert, requireClientCert: true } }).tls?.requireClientCert).toBe(true);
  });

  it('refuses a CA with no parsable certificate: credentials: failed to append certificates', () => {
    const broken = rsa.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    const headers = rsa.cert.replace('-----BEGIN CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n');
    for (const caPem of [rsa.key, broken, headers, 'not a pem file', rsa.cert.replace(/CERTIFICATE/g, 'TRUSTED CERTIFICATE')]) {
      const err = refused({ certPem: rsa.cert, keyPem: rsa.key, caPem });
      expect(err.field).toBe('tls.caPem');
      expect(err.message).toBe('tls.caPem: Error 201: error on loading TLS keys: credentials: failed to append certificates');
    }
  });

  it('refuses private keys Go cannot parse (Ed448, RSA-PSS, secp256k1, DSA, X25519) before looking at the certificate', () => {
    const keys = [
      pkcs8(generateKeyPairSync('ed448')),
      pkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
      pkcs8(generateKeyPairSync('ec', { namedCurve: 'secp256k1' })),
      pkcs8(generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 224 })),
      pkcs8(generateKeyPairSync('x25519')),
      'not a key',
    ];
    for (const keyPem of keys) {
      const err = refused({ certPem: 'not needed', keyPem });
      expect(err.field).toBe('tls.keyPem');
      expect(err.message).toMatch(/^tls\.keyPem: Error 201: error on loading TLS keys: tls: failed to parse private key/);
    }
  });

  it('refuses a bad certificate (tls.certPem) or a key that does not match it (tls.keyPem) with Error 201 and the cause', () => {
    let err = refused({ certPem: 'junk', keyPem: rsa.key });
    expect(err.field).toBe('tls.certPem');
    expect(err.message).toMatch(/^tls\.certPem: Error 201: error on loading TLS keys: /);
    err = refused({ certPem: rsa.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA'), keyPem: rsa.key });
    expect(err.field).toBe('tls.certPem');
    expect(err.message).toMatch(/^tls\.certPem: Error 201: error on loading TLS keys: tls: failed to load certificate \(.+\)$/);
    err = refused({ certPem: rsa.cert, keyPem: selfSigned(['-newkey', 'rsa:2048']).key });
    expect(err.field).toBe('tls.keyPem');
    expect(err.message).toMatch(/^tls\.keyPem: Error 201: error on loading TLS keys: tls: private key does not match public key \(.+\)$/);
    err = refused({ certPem: rsa.cert, keyPem: ec.key });
    expect(err.field).toBe('tls.keyPem');
    expect(err.message).toMatch(/^tls\.keyPem: Error 201: error on loading TLS keys: tls: private key does not match public key \(.+\)$/);
  });
});

describe('optionsFromEnv (broker-behaviour.md §1.2)', () => {
  it('reads the server variables and ignores REST/API ports', () => {
    const opts = optionsFromEnv(
      {
        GRPC_PORT: '50123',
        REST_PORT: '9090',
        API_PORT: '8080',
        GRPC_BODY_LIMIT: '1000',
        GRPC_SUB_BUFF_SIZE: '7',
        STORE_STORE_PATH: './store',
        STORE_CLEAN_STORE: 'true',
        STORE_MAX_RETENTION: '60',
        HOST: 'kubemq-test',
        LOG_LEVEL: 'warn',
        QUEUE_MAX_NUMBER_OF_MESSAGES: '10',
        QUEUE_MAX_WAIT_TIMEOUT_SECONDS: '11',
        QUEUE_MAX_EXPIRATION_SECONDS: '12',
        QUEUE_MAX_DELAY_SECONDS: '13',
        QUEUE_MAX_RECEIVE_COUNT: '14',
        QUEUE_MAX_VISIBILITY_SECONDS: '15',
        QUEUE_DEFAULT_VISIBILITY_SECONDS: '16',
        QUEUE_DEFAULT_WAIT_TIMEOUT_SECONDS: '17',
      },
      noFile,
    );
    expect(opts).toEqual({
      port: 50123,
      bodyLimit: 1000,
      subscriptionBuffer: 7,
      dataDir: './store',
      cleanStore: true,
      retentionMinutes: 60,
      nodeName: 'kubemq-test',
      logLevel: 'warn',
      queue: {
        maxNumberOfMessages: 10,
        maxWaitTimeoutSeconds: 11,
        maxExpirationSeconds: 12,
        maxDelaySeconds: 13,
        maxReceiveCount: 14,
        maxVisibilitySeconds: 15,
        defaultVisibilitySeconds: 16,
        defaultWaitTimeoutSeconds: 17,
      },
    });
  });

  it('reads TLS from SECURITY_*_DATA or *_FILENAME', () => {
    expect(optionsFromEnv({ SECURITY_CERT_DATA: 'C', SECURITY_KEY_DATA: 'K' }, noFile).tls).toEqual({ certPem: 'C', keyPem: 'K', caPem: undefined });
    const files: Record<string, string> = { '/c': 'CF', '/k': 'KF', '/a': 'AF' };
    expect(
      optionsFromEnv({ SECURITY_CERT_FILENAME: '/c', SECURITY_KEY_FILENAME: '/k', SECURITY_CA_FILENAME: '/a' }, (p) => files[p]!).tls,
    ).toEqual({ certPem: 'CF', keyPem: 'KF', caPem: 'AF' });
    expect(() => optionsFromEnv({ SECURITY_CERT_FILENAME: '/missing', SECURITY_KEY_DATA: 'K' }, noFile)).toThrow(/SECURITY_CERT_FILENAME/);
  });

  it('names a bad variable', () => {
    expect(() => optionsFromEnv({ GRPC_PORT: 'abc' }, noFile)).toThrow(/GRPC_PORT/);
    expect(() => optionsFromEnv({ STORE_CLEAN_STORE: 'maybe' }, noFile)).toThrow(/STORE_CLEAN_STORE/);
    expect(() => optionsFromEnv({ LOG_LEVEL: 'loud' }, noFile)).toThrow(/LOG_LEVEL/);
  });
});
