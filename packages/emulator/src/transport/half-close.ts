// Whether the real server's stream reader would have read a bidi call's half-close before the
// client's cancel (§5.3). A grpc-js client's cancel() itself sends END_STREAM and then
// RST_STREAM back to back: the server's transport queues end-of-stream for the reader goroutine,
// then cancels the call's context, and the reader, woken with both ready, picks one at random. A
// half-close is read cleanly only when the reset comes clearly later. A watch takes "clearly" as:
// after the END_STREAM, the broker wrote on the call, or the client opened another call on the
// same connection (as a Ping it waits for), or CLEAN_GAP_MS passed.
import type * as http2 from 'node:http2';

const CLEAN_GAP_MS = 50;

/** The watches of each HTTP/2 session's open calls (watchSession). */
const watches = new WeakMap<http2.Http2Session, Set<HalfCloseWatch>>();

/** Lets the watches of `session` see the calls it opens; the gRPC server calls it for every session. */
export function watchSession(session: http2.Http2Session): void {
  const set = new Set<HalfCloseWatch>();
  watches.set(session, set);
  session.on('stream', () => {
    for (const watch of set) watch.traffic();
  });
}

interface CallLayer {
  call?: CallLayer;
  nextCall?: CallLayer;
  stream?: http2.ServerHttp2Stream;
}

/**
 * The HTTP/2 stream under a grpc-js server call: on the innermost layer of the call
 * (`call` → `nextCall` … → `stream`, as of grpc-js 1.14; lifecycle.spec.ts pins it).
 */
function http2StreamOf(call: object): http2.ServerHttp2Stream | undefined {
  let layer = (call as CallLayer).call;
  for (let depth = 0; layer !== undefined && layer.stream === undefined && depth < 8; depth++) layer = layer.nextCall;
  return layer?.stream;
}

export class HalfCloseWatch {
  readonly #stream: http2.ServerHttp2Stream | undefined;
  /** When the END_STREAM was first seen (undefined: not yet, or the stream was reset). */
  #halfClosedAt: number | undefined;
  #answeredSince = false;

  constructor(call: { on(event: 'end', listener: () => void): unknown }) {
    // grpc-js ends the call's request side after the END_STREAM's data was read (and on a reset).
    call.on('end', () => this.#halfClosed());
    const stream = (this.#stream = http2StreamOf(call));
    const set = stream?.session ? watches.get(stream.session) : undefined;
    if (stream && set) {
      set.add(this);
      stream.once('close', () => set.delete(this));
    }
  }

  /** Traffic that proves a round trip: the broker wrote on the call, or the client opened another call on the connection. */
  traffic(): void {
    if (this.#halfClosed()) this.#answeredSince = true;
  }

  /** At the cancel: whether the reader had surely read the half-close first. */
  readCleanly(): boolean {
    this.#halfClosed();
    if (this.#halfClosedAt === undefined) return false;
    return this.#answeredSince || performance.now() - this.#halfClosedAt >= CLEAN_GAP_MS;
  }

  /**
   * Whether the peer's END_STREAM has arrived. Node ends the request side as soon as it is read
   * (before the 'end' event, which waits for the data to be consumed); a reset without one
   * aborts the stream.
   */
  #halfClosed(): boolean {
    const stream = this.#stream as (http2.ServerHttp2Stream & { _readableState?: { ended?: boolean } }) | undefined;
    if (this.#halfClosedAt === undefined && stream?._readableState?.ended === true && !stream.aborted) this.#halfClosedAt = performance.now();
    return this.#halfClosedAt !== undefined;
  }
}
