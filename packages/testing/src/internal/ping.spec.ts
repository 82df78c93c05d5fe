import * as grpc from '@grpc/grpc-js';
import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { createTestPki, type TestPki } from '../test-pki.js';
import { decodePingResult, ping } from './ping.js';

/** A gRPC server answering Ping with Host "h" (TLS with `tls`); `status` makes it refuse instead. */
async function pingServer(tls?: { certPem: string; keyPem: string }, status?: grpc.status): Promise<{ address: string; close(): void }> {
  const server = new grpc.Server();
  const identity = (b: Buffer): Buffer => b;
  server.addService(
    { Ping: { path: '/kubemq.kubemq/Ping', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    {
      Ping: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) =>
        status === undefined ? cb(null, Buffer.from([0x0a, 1, 0x68])) : cb({ code: status, details: 'no, 100% sure' }),
    },
  );
  const credentials = tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }]) : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))));
  return { address: `127.0.0.1:${String(port)}`, close: () => server.forceShutdown() };
}

describe('decodePingResult', () => {
  it('reads Host, Version, ServerStartTime and ServerUpTimeSeconds', () => {
    // Host "kubemq-test", Version "v2.4.0", ServerStartTime 1764300000, ServerUpTimeSeconds 2
    const host = Buffer.from('kubemq-test');
    const version = Buffer.from('v2.4.0');
    const varint = (n: number) => {
      const out: number[] = [];
      while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
      }
      out.push(n);
      return out;
    };
    const bytes = Buffer.from([
      0x0a, host.length, ...host,
      0x12, version.length, ...version,
      0x18, ...varint(1764300000),
      0x20, 0x02,
    ]);
    expect(decodePingResult(bytes)).toEqual({
      host: 'kubemq-test',
      version: 'v2.4.0',
      startedAt: new Date(1764300000 * 1000),
      uptimeSeconds: 2,
    });
  });

  it('decodes the empty message as defaults, and skips unknown fields', () => {
    expect(decodePingResult(new Uint8Array(0))).toEqual({ host: '', version: '', startedAt: new Date(0), uptimeSeconds: 0 });
    // field 9, fixed32; field 10, fixed64
    const bytes = Buffer.from([0x4d, 1, 2, 3, 4, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x20, 0x07]);
    expect(decodePingResult(bytes).uptimeSeconds).toBe(7);
  });

  it('rejects truncated input', () => {
    expect(() => decodePingResult(Buffer.from([0x0a, 0x05, 0x61]))).toThrow('truncated');
    expect(() => decodePingResult(Buffer.from([0x18, 0x80]))).toThrow('truncated');
  });
});

describe('ping options', () => {
  it('rejects a timeout that is not a positive number of milliseconds', async () => {
    await expect(ping({ address: '127.0.0.1:1' }, { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(ping({ address: '127.0.0.1:1' }, { timeoutMs: Number.NaN })).rejects.toThrow('timeoutMs must be a positive number');
  });

  it('rejects with the reason of a signal aborted before the call', async () => {
    const reason = new Error('not needed');
    await expect(ping({ address: '127.0.0.1:1' }, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('rejects with the reason of a signal aborted while the broker has not answered', async () => {
    // A server that accepts the connection and never speaks: the Ping can only end by its signal.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as { port: number };
      const controller = new AbortController();
      const reason = new Error('given up');
      const result = ping({ address: `127.0.0.1:${String(port)}` }, { signal: controller.signal, timeoutMs: 60_000 });
      await once(silent, 'connection');
      controller.abort(reason);
      await expect(result).rejects.toBe(reason);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('ping over the wire', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });

  it('answers, and reports a refusal with its gRPC status and message', async () => {
    const ok = await pingServer();
    const refusing = await pingServer(undefined, grpc.status.UNAUTHENTICATED);
    try {
      expect((await ping({ address: ok.address })).host).toBe('h');
      await expect(ping({ address: refusing.address })).rejects.toMatchObject({ code: 16, details: 'no, 100% sure', message: '16 UNAUTHENTICATED: no, 100% sure' });
    } finally {
      ok.close();
      refusing.close();
    }
  });

  it('fails with UNAVAILABLE at once when nothing listens, and DEADLINE_EXCEEDED when nothing answers', async () => {
    const started = performance.now();
    await expect(ping({ address: '127.0.0.1:1' }, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 14 });
    expect(performance.now() - started).toBeLessThan(2000);
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as { port: number };
      await expect(ping({ address: `127.0.0.1:${String(port)}` }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 4 });
    } finally {
      silent.close();
    }
  });

  it('over TLS: verifies against tlsRootPem, and with tls alone accepts a CA-signed certificate without its CA', async () => {
    const server = await pingServer({ certPem: pki.serverCertPem, keyPem: pki.serverKeyPem });
    try {
      expect((await ping({ address: server.address, tlsRootPem: pki.caPem })).host).toBe('h');
      expect((await ping({ address: server.address, tls: true })).host).toBe('h');
      // A leaf signed by a CA is no trust root: with it alone the chain cannot be verified.
      await expect(ping({ address: server.address, tlsRootPem: pki.serverCertPem })).rejects.toMatchObject({ code: 14 });
      await expect(ping({ address: server.address, tlsRootPem: pki.otherCaPem })).rejects.toMatchObject({ code: 14 });
      await expect(ping({ address: server.address }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 14 });
    } finally {
      server.close();
    }
  });

  it("works under jest's fake timers (it uses Node's own timers, not the globals jest replaces)", async () => {
    const server = await pingServer();
    jest.useFakeTimers();
    try {
      expect((await ping({ address: server.address })).host).toBe('h');
      await expect(ping({ address: '127.0.0.1:1' })).rejects.toMatchObject({ code: 14 });
    } finally {
      jest.useRealTimers();
      server.close();
    }
  });

  it('prints no DEP0123 warning when pinging an IP address over TLS', () => {
    // Node prints its warnings on the real process's stderr, which a child process shows.
    const script = `
      const { ping } = require(${JSON.stringify(join(__dirname, 'ping.ts'))});
      const tls = require('node:tls');
      const server = tls.createServer({ cert: process.env.CERT, key: process.env.KEY, ALPNProtocols: ['h2'] }, (s) => s.destroy());
      server.listen(0, '127.0.0.1', async () => {
        await ping({ address: '127.0.0.1:' + server.address().port, tlsRootPem: process.env.CA }, { timeoutMs: 2000 }).catch(() => undefined);
        server.close();
      });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, CERT: pki.serverCertPem, KEY: pki.serverKeyPem, CA: pki.caPem },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/DEP0123|Warning/);
  });
});
