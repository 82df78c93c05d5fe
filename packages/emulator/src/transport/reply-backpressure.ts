// Replies of a bidi stream with backpressure on its requests: while the client leaves too many
// replies unread, the stream stops reading requests, so HTTP/2 flow control holds the client's
// sends back instead of the emulator's memory growing. The real server behaves the same way: its
// reader hands requests to a bounded channel that the loop sending the replies drains.
//
// How "unread" is measured: grpc-js hands a reply to the http2 stream only after the previous
// one left it, and Node's http2 completes a write only once nghttp2 has put its DATA frame on the
// socket, which needs room in the client's flow-control window. So the call's `writableLength`
// counts the replies the client's window has not taken yet.
//
// A grpc-js client opens that window only as its application reads: it stops reading the http2
// stream while 16 messages wait in its stream. Until the application asks for the first
// message, though, grpc-js reads the http2 stream on its own and keeps every reply in memory;
// no server can see such a client fall behind.
import type { EmulatorLogger } from '../log.js';

/** Replies a stream may have waiting for the client before it stops reading requests. */
export const MAX_UNREAD_REPLIES = 1024;

/** The part of a grpc-js duplex server call the backpressure needs. */
export interface DuplexCall<T> {
  write(reply: T): boolean;
  readonly writableLength: number;
  pause(): unknown;
  resume(): unknown;
  once(event: 'drain', fn: () => void): unknown;
}

export interface ReplyBackpressureOptions {
  /** The RPC, for the log lines. */
  method: string;
  log: EmulatorLogger;
  /** Default {@link MAX_UNREAD_REPLIES}. */
  maxUnread?: number;
}

/**
 * Returns the function a handler sends its replies with. Once more than `maxUnread` replies
 * wait for the client, the call stops reading requests (requests already read are still handled
 * and answered); it reads again when every waiting reply went out. Each stop and restart is
 * logged at debug level.
 */
export function replyWithBackpressure<T>(call: DuplexCall<T>, options: ReplyBackpressureOptions): (reply: T) => void {
  const maxUnread = options.maxUnread ?? MAX_UNREAD_REPLIES;
  let reading = true;
  const readAgain = (): void => {
    reading = true;
    call.resume();
    options.log.debug(`${options.method}: the client reads its replies again; reading requests again`);
  };
  return (reply) => {
    // A false return promises a 'drain' event once every waiting reply went out.
    if (call.write(reply) || !reading || call.writableLength <= maxUnread) return;
    reading = false;
    call.pause();
    call.once('drain', readAgain);
    options.log.debug(`${options.method}: the client leaves its replies unread; stopped reading requests`, { unread: call.writableLength });
  };
}
