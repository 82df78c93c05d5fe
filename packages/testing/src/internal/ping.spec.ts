import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { decodePingResult, ping } from './ping.js';

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
