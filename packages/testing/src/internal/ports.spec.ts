import { createServer, type Server } from 'node:net';
import { findFreePort, findFreePorts, isPortFree } from './ports.js';

describe('ports', () => {
  it('finds a port that can then be bound on 127.0.0.1', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortFree(port)).toBe(true);
  });

  it('finds distinct ports', async () => {
    const ports = await findFreePorts(3);
    expect(new Set(ports).size).toBe(3);
  });

  it('sees a taken port as taken', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
