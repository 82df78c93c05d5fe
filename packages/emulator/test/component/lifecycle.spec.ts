// Start and stop of the in-process emulator.
import * as grpc from '@grpc/grpc-js';
import { KubemqEmulator } from '../../src/emulator.js';
import { PortInUseError } from '../../src/transport/grpc-server.js';
import { call, collect, connect, failure, startEmulator, subscription } from './support/harness.js';

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

  it('fails with PortInUseError on a taken port', async () => {
    const emu = await startEmulator();
    try {
      await expect(KubemqEmulator.start({ port: emu.port })).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      await emu.stop();
    }
  });
});
