import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createTestPki } from './test-pki.js';

describe('createTestPki', () => {
  const pki = createTestPki({ serverNames: ['kubemq.test', '127.0.0.1'] });

  it('signs the server and client certificates with the CA, not with the other CA', () => {
    const ca = new X509Certificate(pki.caPem);
    const other = new X509Certificate(pki.otherCaPem);
    const server = new X509Certificate(pki.serverCertPem);
    const client = new X509Certificate(pki.clientCertPem);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.verify(other.publicKey)).toBe(false);
    expect(server.checkHost('kubemq.test')).toBe('kubemq.test');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBeUndefined();
    expect(server.checkPrivateKey(createPrivateKey(pki.serverKeyPem))).toBe(true);
    expect(client.checkPrivateKey(createPrivateKey(pki.clientKeyPem))).toBe(true);
  });

  it('writes the PEMs as files and removes them', () => {
    const files = pki.writeFiles();
    expect(readFileSync(files.ca, 'utf8')).toBe(pki.caPem);
    expect(readFileSync(files.clientKey, 'utf8')).toBe(pki.clientKeyPem);
    files.remove();
    expect(existsSync(files.dir)).toBe(false);
  });

  it('rejects empty or odd server names', () => {
    expect(() => createTestPki({ serverNames: [] })).toThrow(TypeError);
    expect(() => createTestPki({ serverNames: ['a b'] })).toThrow(TypeError);
  });
});
