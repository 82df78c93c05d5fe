// Node's HTTP/2 server (nghttp2's rapid-reset protection, CVE-2023-44487) sends GOAWAY
// INTERNAL_ERROR to a client that resets more than 1,000 streams on one connection faster than 33
// a second, as a client cancelling subscriptions or polls in a loop does. The real server (grpc-go
// v1.40) has no such limit. Node 22.10 and later let it be raised (liftResetLimit); on older Node
// it stays, and a session that sent that GOAWAY and has no stream left stops reading its socket:
// it never sees the client close it, so it is never closed (closeGoneAwaySessions).
import type * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import type { EmulatorLogger } from '../log.js';

/** nghttp2's defaults (NGHTTP2_DEFAULT_STREAM_RESET_BURST and _RATE): a token bucket refilled each whole second. */
const RESET_BURST = 1000;
const RESET_RATE_PER_S = 33;
/**
 * How close to the limit the session's resets must come before it is probed. The count here sees
 * only the resets of streams Node still knew, so it may trail nghttp2's: the margin covers that.
 */
const PROBE_MARGIN = 200;
/** A session that does not answer a PING within this is not reading its socket: it is destroyed. */
export const PROBE_TIMEOUT_MS = 2000;
/** The most Node's options take (they go through a Uint32Array): no limit a client could reach. */
const NO_LIMIT = 0xffffffff;

/**
 * Raises Node's limit on the resets a client may send (Node 22.10 and later; older Node ignores the
 * options). grpc-js builds each HTTP/2 server from its `commonServerOptions`, which have no public
 * setter.
 */
export function liftResetLimit(server: grpc.Server): void {
  const options = (server as unknown as { commonServerOptions?: Record<string, unknown> }).commonServerOptions;
  if (!options) return; // another grpc-js: closeGoneAwaySessions still keeps sockets from leaking
  options['streamResetBurst'] = NO_LIMIT;
  options['streamResetRate'] = NO_LIMIT;
}

/**
 * Destroys `session` once Node has sent it the rapid-reset GOAWAY and it has no stream left. Node
 * says nothing of that GOAWAY, so the resets are counted as nghttp2 counts them, and a session
 * near the limit is pinged whenever its last stream ends: a session that stopped reading never
 * answers, a live one answers at once.
 */
export function closeGoneAwaySessions(session: http2.Http2Session, log: EmulatorLogger, nowMs: () => number = () => performance.now()): void {
  let tokens = RESET_BURST;
  let stampS = Math.floor(nowMs() / 1000);
  let open = 0;
  let probing = false;

  const reset = (): void => {
    const s = Math.floor(nowMs() / 1000);
    if (s !== stampS) tokens = Math.min(RESET_BURST, tokens + RESET_RATE_PER_S * Math.max(1, s - stampS));
    stampS = s;
    if (tokens > 0) tokens--;
  };

  const probe = (): void => {
    if (probing || session.destroyed || session.closed) return;
    probing = true;
    const timer = setTimeout(() => {
      if (session.destroyed) return;
      log.warn('closing a connection that reset streams faster than Node allows (it sent GOAWAY and stopped reading); the real server has no such limit', {
        limit: `${RESET_BURST} resets, then ${RESET_RATE_PER_S}/s`,
      });
      session.destroy();
    }, PROBE_TIMEOUT_MS);
    timer.unref();
    const answered = (): void => {
      clearTimeout(timer);
      probing = false;
    };
    try {
      if (!session.ping(answered)) answered(); // too many pings outstanding: try again later
    } catch {
      answered(); // closing already
    }
  };

  session.on('stream', (stream: http2.ServerHttp2Stream) => {
    open++;
    stream.once('close', () => {
      open--;
      if (stream.rstCode !== undefined && stream.rstCode !== 0) reset();
      if (open === 0 && tokens < PROBE_MARGIN) probe();
    });
  });
}
