// Start and stop of the in-process emulator.
import * as grpc from '@grpc/grpc-js';
import { KubemqEmulator } from '../../src/emulator.js';
import { QueuesUpstreamRequest } from '../../src/generated/kubemq.js';
import { PortInUseError } from '../../src/transport/grpc-server.js';
import { call, collect, connect, failure, startEmulator, subscription, until } from './support/harness.js';

describe('KubemqEmulator lifecycle', () => {
  it('reports address and port, and is async-disposable', async () => {
    let address: string;
    {
      await using emu = await startEmulator();
      expect(emu.port).toBeGreaterThan(0);
      expect(emu.address).toBe(`127.0.0.1:${emu.port}`);
      address = emu.address;
      const c = connect(address);
      await call(c.ping.bind(c), {});
      c.close();
    }
    const after = connect(address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 50 });
    expect((await failure(after.ping.bind(after), {})).code).toBe(grpc.status.UNAVAILABLE);
    after.close();
  });

  it('drops open streams with UNAVAILABLE on stop (a hard stop, like the server)', async () => {
    const emu = await startEmulator({ stopGraceMs: 100 });
    const c = connect(emu.address);
    const s = collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: 'x' })));
    await call(c.ping.bind(c), {});
    await emu.stop();
    await emu.stop(); // idempotent
    expect((await s.status).code).toBe(grpc.status.UNAVAILABLE);
    c.close();
  });

  it('1,500 streams cancelled in a row on one connection: calls go on, and a connection Node gives up on (GOAWAY before Node 22.10) is closed, leaving no socket', async () => {
    const emu = await startEmulator();
    const c = connect(emu.address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    try {
      await call(c.ping.bind(c), {});
      // The emulator's sockets (the client's are unref'd): the one connection so far.
      const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
      const before = sockets();
      for (let i = 0; i < 1500; i++) {
        const s = c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: `rr${i % 10}` }));
        s.on('error', () => undefined);
        await new Promise((r) => setImmediate(r));
        s.cancel();
        await new Promise((r) => setImmediate(r));
      }
      await call(c.ping.bind(c), {});
      await until(() => sockets() <= before, 5000, 'the emulator to close the connection it gave up on');
    } finally {
      c.close();
      await emu.stop();
    }
  });

  it('fails with PortInUseError on a taken port, printing nothing (grpc-js logs a failed bind to stderr)', async () => {
    const emu = await startEmulator();
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(KubemqEmulator.start({ port: emu.port })).rejects.toBeInstanceOf(PortInUseError);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      await emu.stop();
    }
  });

  describe('a queue upstream cancelled before its half-close (where the real server crashes)', () => {
    const request = QueuesUpstreamRequest.fromPartial({ RequestID: 'r1', Messages: [{ MessageID: 'm1', ClientID: 'c', Channel: 'q.panic', Body: Buffer.from('x') }] });

    it('panics the broker: every connection drops, and nothing answers afterwards', async () => {
      const emu = await startEmulator();
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const c = connect(emu.address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 50 });
      try {
        const up = c.queuesUpstream();
        const answered = new Promise((resolve) => up.once('data', resolve));
        up.on('error', () => undefined);
        up.write(request);
        await answered;
        up.cancel();
        await until(() => emu.panicked !== undefined);
        expect(emu.panicked).toMatch(/QueuesUpstream cancelled before its half-close was read/);
        expect(stderr).toHaveBeenCalledWith(expect.stringContaining('kubemq-emulator: panic: QueuesUpstream'));
        expect((await failure(c.ping.bind(c), {})).code).toBe(grpc.status.UNAVAILABLE);
      } finally {
        stderr.mockRestore();
        c.close();
        await emu.stop();
      }
    });

    it('does not panic when the half-close came first, nor when a stop cancels it', async () => {
      const emu = await startEmulator({ stopGraceMs: 50 });
      const c = connect(emu.address);
      try {
        const up = c.queuesUpstream();
        up.on('error', () => undefined);
        const answered = new Promise((resolve) => up.once('data', resolve));
        up.write(request);
        await answered;
        up.end();
        await call(c.ping.bind(c), {}); // the half-close was read before this answer
        up.cancel();
        const open = c.queuesUpstream();
        open.on('error', () => undefined);
        open.write(request);
        await call(c.ping.bind(c), {});
        expect(emu.panicked).toBeUndefined();
        await emu.stop();
        expect(emu.panicked).toBeUndefined();
      } finally {
        c.close();
        await emu.stop();
      }
    });
  });
});
