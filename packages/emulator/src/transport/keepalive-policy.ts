// grpc-go's default server keepalive enforcement (broker-behaviour.md §0 item 8, §4, §5.4), which grpc-js
// has no option for: a client PING within MinTime (5 min) of the previous one, or any PING while
// no call is active (PermitWithoutStream=false; grpc-go then allows one per 2 h), earns a strike;
// sending headers or data resets the strikes; more than 2 strikes → GOAWAY ENHANCE_YOUR_CALM
// "too_many_pings" and the connection is closed, which a grpc-js client reports on its open calls
// as RESOURCE_EXHAUSTED ("Bandwidth exhausted or memory limit exceeded").
import * as http2 from 'node:http2';
import type { BrokerKeepaliveConfig } from '../config.js';
import type { EmulatorLogger } from '../log.js';

/** grpc-go's allowance for pings without active streams (defaultPingTimeout). */
const PING_WITHOUT_CALLS_MS = 2 * 60 * 60 * 1000;
const TOO_MANY_PINGS = Buffer.from('too_many_pings');

export function enforcePingPolicy(session: http2.Http2Session, policy: BrokerKeepaliveConfig, log: EmulatorLogger, now: () => number = Date.now): void {
  const streams = new Set<http2.Http2Stream>();
  let lastPingAt = -Infinity;
  let strikes = 0;
  let resetStrikes = false;
  let lastStreamId = 0;
  let closed = false;

  session.on('stream', (stream: http2.ServerHttp2Stream) => {
    streams.add(stream);
    if (stream.id !== undefined && stream.id > lastStreamId) lastStreamId = stream.id;
    stream.once('close', () => streams.delete(stream));
    // Anything the server sends (headers, data) resets the strikes, as in grpc-go.
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      resetStrikes = true;
      return write(...args);
    };
    const respond = stream.respond.bind(stream);
    stream.respond = (...args: Parameters<typeof stream.respond>) => {
      resetStrikes = true;
      return respond(...args);
    };
  });

  session.on('ping', () => {
    if (closed) return;
    const t = now();
    const previous = lastPingAt;
    lastPingAt = t;
    if (resetStrikes) {
      resetStrikes = false;
      strikes = 0;
      return;
    }
    if (streams.size === 0 && !policy.permitWithoutCalls) {
      if (previous + PING_WITHOUT_CALLS_MS > t) strikes++;
    } else if (previous + policy.minPingIntervalMs > t) {
      strikes++;
    }
    if (strikes > policy.maxPingStrikes) {
      closed = true;
      log.warn('closing a connection that pings too often (GOAWAY too_many_pings)', { strikes });
      const code = http2.constants.NGHTTP2_ENHANCE_YOUR_CALM;
      try {
        session.goaway(code, lastStreamId, TOO_MANY_PINGS);
      } catch {
        // already closing
      }
      for (const s of streams) if (!s.closed) s.close(code);
      setTimeout(() => {
        if (!session.destroyed) session.destroy();
      }, 100).unref();
    }
  });
}
