import { connect, createServer, type Server, type Socket } from 'node:net';
import { startTcpProxy } from './tcp-proxy.js';

describe('TcpProxy', () => {
  let echo: Server;
  const accepted = new Set<Socket>();
  let target: string;
  beforeAll(async () => {
    echo = createServer((s) => {
      accepted.add(s);
      s.on('error', () => undefined); // the proxy resets it
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    target = `127.0.0.1:${(echo.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    accepted.forEach((s) => s.destroy());
    await new Promise((r) => echo.close(r));
  });

  const open = (address: string) =>
    new Promise<Socket>((resolve, reject) => {
      const [host, port] = address.split(':');
      const s = connect({ host: host as string, port: Number(port) }, () => resolve(s));
      s.once('error', reject);
    });

  it('forwards both ways and counts bytes and connections', async () => {
    await using proxy = await startTcpProxy(target);
    const s = await open(proxy.address);
    const back = new Promise<string>((r) => s.once('data', (d) => r(d.toString())));
    s.write('hello');
    expect(await back).toBe('hello');
    expect(proxy.stats).toMatchObject({ connections: 1, open: 1, bytesToBroker: 5, bytesToClient: 5 });
    s.destroy();
  });

  it('dropAll resets every connection; paused, it refuses new ones', async () => {
    await using proxy = await startTcpProxy(target);
    const sockets = await Promise.all([open(proxy.address), open(proxy.address)]);
    // the client may see 'connect' before the proxy has accepted
    while (proxy.stats.open < 2) await new Promise((r) => setTimeout(r, 5));
    const closed = sockets.map((s) => new Promise<void>((r) => s.once('close', () => r())));
    sockets.forEach((s) => s.on('error', () => undefined));
    await proxy.dropAll();
    await Promise.all(closed);
    expect(proxy.stats).toMatchObject({ open: 0, drops: 1 });

    proxy.pause();
    const refused = await open(proxy.address).then(
      (s) =>
        new Promise<string>((r) => {
          s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
          s.once('close', () => r('closed'));
        }),
      (e: NodeJS.ErrnoException) => e.code ?? 'error',
    );
    expect(['ECONNRESET', 'closed']).toContain(refused);
    expect(proxy.stats.connections).toBe(2);
  });
});
