import { decodePingResult } from './ping.js';

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
      serverStartTime: 1764300000n,
      serverUpTimeSeconds: 2n,
    });
  });

  it('decodes the empty message as defaults, and skips unknown fields', () => {
    expect(decodePingResult(new Uint8Array(0))).toEqual({ host: '', version: '', serverStartTime: 0n, serverUpTimeSeconds: 0n });
    // field 9, fixed32; field 10, fixed64
    const bytes = Buffer.from([0x4d, 1, 2, 3, 4, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x20, 0x07]);
    expect(decodePingResult(bytes).serverUpTimeSeconds).toBe(7n);
  });

  it('rejects truncated input', () => {
    expect(() => decodePingResult(Buffer.from([0x0a, 0x05, 0x61]))).toThrow('truncated');
    expect(() => decodePingResult(Buffer.from([0x18, 0x80]))).toThrow('truncated');
  });
});
