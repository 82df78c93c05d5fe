// Throwaway PKI for TLS tests, made with the openssl CLI in a temp dir that is removed again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';

/** Options of {@link createTestPki}. */
export interface TestPkiOptions {
  /**
   * The DNS names and IP addresses the server certificate is valid for.
   * Default `['localhost', '127.0.0.1']`; use a name of your own (e.g. `kubemq.test`) to test a
   * client's server-name override.
   */
  serverNames?: readonly string[] | undefined;
}

/** A CA, a server certificate and a client certificate signed by it, and an unrelated CA (all PEM). */
export interface TestPki {
  /** The CA that signed the server and client certificates: what clients and the broker trust. */
  caPem: string;
  /** The server certificate, valid for `serverNames` (extendedKeyUsage serverAuth): the broker's `tls.certPem`. */
  serverCertPem: string;
  /** The server certificate's private key (unencrypted RSA 2048): the broker's `tls.keyPem`. */
  serverKeyPem: string;
  /** A client certificate (extendedKeyUsage clientAuth) for mutual TLS. */
  clientCertPem: string;
  /** The client certificate's private key (unencrypted RSA 2048). */
  clientKeyPem: string;
  /** A second CA that signed nothing here: trusting only it must fail (unknown CA). */
  otherCaPem: string;
  /** The names the server certificate is valid for. */
  serverNames: readonly string[];
  /** Writes every PEM into a fresh temp directory, for options that take file paths. */
  writeFiles(): TestPkiFiles;
}

/** The paths written by {@link TestPki.writeFiles}; `remove()` deletes the directory. */
export interface TestPkiFiles {
  /** The temp directory holding the files (mode 0600 each). */
  dir: string;
  /** Path of `ca.pem` ({@link TestPki.caPem}). */
  ca: string;
  /** Path of `server.pem` ({@link TestPki.serverCertPem}). */
  serverCert: string;
  /** Path of `server.key` ({@link TestPki.serverKeyPem}). */
  serverKey: string;
  /** Path of `client.pem` ({@link TestPki.clientCertPem}). */
  clientCert: string;
  /** Path of `client.key` ({@link TestPki.clientKeyPem}). */
  clientKey: string;
  /** Path of `other-ca.pem` ({@link TestPki.otherCaPem}). */
  otherCa: string;
  /** Deletes `dir` and everything in it; safe to call twice. */
  remove(): void;
}

/**
 * Makes a throwaway PKI for TLS tests (certificates valid for a day), for a broker started with
 * `startKubemq({ tls: … })` and the clients that talk to it. Needs the `openssl` CLI on the PATH.
 *
 * @example
 * ```ts
 * import { createTestPki, startKubemq } from '@kubemq/testing';
 *
 * const pki = createTestPki();
 * await using broker = await startKubemq({ tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem } });
 * // connect with { tls: { ca: pki.caPem, cert: pki.clientCertPem, key: pki.clientKeyPem } }
 * ```
 */
export function createTestPki(options: TestPkiOptions = {}): TestPki {
  const serverNames = [...(options.serverNames ?? ['localhost', '127.0.0.1'])];
  if (serverNames.length === 0 || serverNames.some((n) => typeof n !== 'string' || !/^[A-Za-z0-9.:*-]+$/.test(n))) {
    throw new TypeError('createTestPki: serverNames must be non-empty DNS names or IP addresses');
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubemq-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    const ca = (name: string) =>
      ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=kubemq-test-${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
    const leaf = (name: string, ext: string) => {
      writeFileSync(join(dir, `${name}.ext`), ext);
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=kubemq-test-${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    };
    ca('ca');
    ca('other-ca');
    const san = serverNames.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    leaf('server', `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    leaf('client', 'extendedKeyUsage=clientAuth\n');
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const pems = {
      ca: read('ca.pem'),
      serverCert: read('server.pem'),
      serverKey: read('server.key'),
      clientCert: read('client.pem'),
      clientKey: read('client.key'),
      otherCa: read('other-ca.pem'),
    };
    return {
      caPem: pems.ca,
      serverCertPem: pems.serverCert,
      serverKeyPem: pems.serverKey,
      clientCertPem: pems.clientCert,
      clientKeyPem: pems.clientKey,
      otherCaPem: pems.otherCa,
      serverNames,
      writeFiles: () => writePems(pems),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writePems(pems: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa', string>): TestPkiFiles {
  const dir = mkdtempSync(join(tmpdir(), 'kubemq-pki-files-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  return {
    dir,
    ca: write('ca.pem', pems.ca),
    serverCert: write('server.pem', pems.serverCert),
    serverKey: write('server.key', pems.serverKey),
    clientCert: write('client.pem', pems.clientCert),
    clientKey: write('client.key', pems.clientKey),
    otherCa: write('other-ca.pem', pems.otherCa),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
