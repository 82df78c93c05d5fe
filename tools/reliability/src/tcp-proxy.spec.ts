import { connect, createServer, type Server, type Socket } from 'node:net';
import { resetSocket, startTcpProxy } from '@kubemq/test-fakes';

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

  it('silenceAll: bytes on a silenced connection reach neither side, and neither side is closed, even when the other closes; a new connection forwards', async () => {
    // A broker that records what each connection received, and whether it ended.
    const conns: { socket: Socket; got: string; ended: boolean }[] = [];
    const broker = createServer((socket) => {
      const conn = { socket, got: '', ended: false };
      conns.push(conn);
      socket.on('data', (d) => (conn.got += d.toString()));
      socket.on('error', () => undefined); // close() resets it
      socket.on('end', () => (conn.ended = true));
      socket.on('close', () => (conn.ended = true));
    });
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', () => r()));
    const proxy = await startTcpProxy(`127.0.0.1:${(broker.address() as { port: number }).port}`);
    const until = async (check: () => boolean) => {
      const deadline = performance.now() + 2000;
      while (!check()) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${check.toString()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      const quiet = () => new Promise((r) => setTimeout(r, 200));

      const old = await open(proxy.address);
      let oldGot = '';
      let oldClosed = false;
      old.on('data', (d) => (oldGot += d.toString()));
      old.on('close', () => (oldClosed = true));
      old.on('error', () => undefined);
      await until(() => conns.length === 1);
      const far = conns[0] as (typeof conns)[number];
      old.write('up');
      far.socket.write('down');
      await until(() => far.got === 'up' && oldGot === 'down');

      proxy.silenceAll();
      old.write('lost-up');
      far.socket.write('lost-down');
      await quiet();
      expect({ broker: far.got, client: oldGot }).toEqual({ broker: 'up', client: 'down' });
      expect({ clientClosed: oldClosed, brokerEnded: far.ended }).toEqual({ clientClosed: false, brokerEnded: false });
      expect(proxy.stats).toMatchObject({ silenced: 1, open: 1, bytesToBroker: 2, bytesToClient: 4, bytesDropped: 'lost-up'.length + 'lost-down'.length });

      // The client gives up on it: the broker is not told.
      old.end();
      await quiet();
      expect(far.ended).toBe(false);

      const fresh = await open(proxy.address);
      let freshGot = '';
      fresh.on('data', (d) => (freshGot += d.toString()));
      await until(() => conns.length === 2);
      const far2 = conns[1] as (typeof conns)[number];
      fresh.write('again');
      far2.socket.write('back');
      await until(() => far2.got === 'again' && freshGot === 'back');
      expect(proxy.stats).toMatchObject({ connections: 2, silenced: 1 });
      fresh.destroy();

      // close() ends what silenceAll() kept open.
      await proxy.close();
      await until(() => far.ended);
      expect(proxy.stats.open).toBe(0);
    } finally {
      await proxy.close();
      conns.forEach((c) => c.socket.destroy());
      await new Promise((r) => broker.close(r));
    }
  });

  // Node's resetAndDestroy() on such a socket fails with EINVAL and never closes its handle: no
  // 'close', and a process that cannot exit.
  it('resetSocket closes a socket whose shutdown is under way', async () => {
    const closed = new Promise<string>((resolve) => {
      const server = createServer((s) => {
        s.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
        s.on('close', () => resolve('closed'));
        s.end(); // a shutdown request is now pending
        resetSocket(s);
      });
      server.listen(0, '127.0.0.1', () => {
        const c = connect((server.address() as { port: number }).port, '127.0.0.1');
        c.on('error', () => undefined);
        c.on('close', () => server.close());
      });
    });
    expect(await closed).toBe('closed');
  });
});
