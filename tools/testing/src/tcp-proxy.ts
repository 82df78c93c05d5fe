// A TCP proxy on 127.0.0.1 between a client and a broker, for tests: it counts what reaches the
// broker (connections, bytes) and can reset every connection at once, which is a network drop as
// the client sees it (the broker keeps running), or silence them, which is a link that died
// without closing (a NAT or firewall dropping the flow). Test infrastructure, not SDK code.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ProxyStats {
  /** Connections accepted from clients since start (or the last resetStats). */
  connections: number;
  /** Connections open right now. */
  open: number;
  /** Bytes forwarded client → broker / broker → client. */
  bytesToBroker: number;
  bytesToClient: number;
  /** How many times dropAll() reset connections. */
  drops: number;
  /** Connections silenced by silenceAll(). */
  silenced: number;
  /** Bytes that arrived on silenced connections and were dropped, both ways. */
  bytesDropped: number;
}

export interface TcpProxy extends AsyncDisposable {
  /** `127.0.0.1:<port>`: give this to the client instead of the broker's address. */
  readonly address: string;
  readonly stats: Readonly<ProxyStats>;
  /** Resets every open connection (RST on both sides; a side already closing is closed instead). Resolves when they are all closed. */
  dropAll(): Promise<void>;
  /**
   * Every connection open now stops forwarding, both ways: what arrives is read and dropped, and
   * neither side is closed or reset, not even when the other side closes (a FIN or RST is lost
   * too). Connections made afterwards are forwarded. close() destroys silenced connections.
   */
  silenceAll(): void;
  /** While paused, new connections are reset at once (the broker looks unreachable). */
  pause(): void;
  resume(): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`host:port`) on a free loopback port. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, portText] = splitAddress(target);
  const pairs = new Set<Pair>();
  const stats: ProxyStats = { open: 0, ...zeroCounts() };
  let paused = false;

  const server: Server = createServer((client) => {
    if (paused) {
      resetSocket(client);
      return;
    }
    stats.connections++;
    stats.open++;
    const upstream = connect({ host, port: Number(portText) });
    const pair: Pair = { client, upstream, silenced: false };
    pairs.add(pair);
    // Each way, with backpressure; a silenced pair drops what arrives.
    const forward = (from: Socket, to: Socket, counted: 'bytesToBroker' | 'bytesToClient') => {
      from.on('data', (chunk: Buffer) => {
        if (pair.silenced) {
          stats.bytesDropped += chunk.length;
          return;
        }
        stats[counted] += chunk.length;
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => from.resume());
    };
    forward(client, upstream, 'bytesToBroker');
    forward(upstream, client, 'bytesToClient');
    let closed = false;
    const close = () => {
      if (closed) return;
      // Silenced, an end on one side never reaches the other: the pair goes once both are gone.
      if (pair.silenced && !(client.destroyed && upstream.destroyed)) return;
      closed = true;
      stats.open--;
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // An error or end on either side ends both: the proxy never half-opens a connection.
    for (const s of [client, upstream]) {
      s.on('error', close);
      s.on('close', close);
      s.on('end', close);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  const dropAll = async (): Promise<void> => {
    stats.drops++;
    const closing = [...pairs].map(
      ({ client, upstream }) =>
        new Promise<void>((resolve) => {
          let left = 2;
          const one = () => (--left === 0 ? resolve() : undefined);
          for (const s of [client, upstream]) {
            if (s.destroyed) one();
            else {
              s.once('close', one);
              resetSocket(s);
            }
          }
        }),
    );
    await Promise.all(closing);
  };

  const silenceAll = (): void => {
    for (const pair of pairs) {
      if (pair.silenced) continue;
      pair.silenced = true;
      stats.silenced++;
      // Keep reading, to drop: a side paused for backpressure would otherwise stop its peer.
      pair.client.resume();
      pair.upstream.resume();
    }
  };

  const close = async (): Promise<void> => {
    paused = true;
    // Silenced pairs too: a socket left open would keep the process (and jest) alive. Bounded:
    // a test's clean-up must not hang on a socket that does not report its close.
    const bounded = (work: Promise<void>) => Promise.race([work, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
    await bounded(dropAll());
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    await bounded(new Promise<void>((resolve) => server.close(() => resolve())));
    server.unref();
  };

  return {
    address: `127.0.0.1:${port}`,
    stats,
    dropAll,
    silenceAll,
    pause: () => (paused = true),
    resume: () => (paused = false),
    resetStats: () => {
      Object.assign(stats, zeroCounts());
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Every count but `open`, at zero (what resetStats() clears). */
function zeroCounts(): Omit<ProxyStats, 'open'> {
  return { connections: 0, bytesToBroker: 0, bytesToClient: 0, drops: 0, silenced: 0, bytesDropped: 0 };
}

/**
 * Resets `s` (RST), or closes it where a reset is not to be had. Node's resetAndDestroy() resets
 * a socket still connecting only once it connects (never, for a broker that does not answer). And
 * on a socket that is shutting down (its end() was called: by Node itself when the peer sent a
 * FIN) libuv refuses the reset with EINVAL and Node drops the handle unclosed: no 'close' event
 * ever, and at exit Node waits for it forever (a jest process that never ends).
 */
export function resetSocket(s: Socket): void {
  if (s.writableEnded || s.connecting) s.destroy();
  else s.resetAndDestroy();
}

/** One client connection and the proxy's connection to the broker for it. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  silenced: boolean;
}

function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  if (i <= 0) throw new TypeError(`target must be host:port, got ${JSON.stringify(address)}`);
  return [address.slice(0, i), address.slice(i + 1)];
}
