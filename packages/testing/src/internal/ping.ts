import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';

/** What the broker says about itself in a Ping (the same fields as `@kubemq/core`'s `client.ping()`). */
export interface PingInfo {
  /** The broker node's name. */
  readonly host: string;
  /** The broker's version, e.g. `v2.4.0` (empty when the build set none). */
  readonly version: string;
  /** When the broker process started (the broker reports whole seconds). */
  readonly startedAt: Date;
  /** Seconds since the broker started. */
  readonly uptimeSeconds: number;
}

/** Options of {@link ping}: the shape of `@kubemq/core`'s `CallOptions`. */
export interface PingOptions {
  /** Cancels the Ping; it rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** The Ping's deadline. Default: 2000. */
  readonly timeoutMs?: number | undefined;
}

/** Where and how to ping a broker. */
export interface PingTarget {
  /** `host:port` of the broker's gRPC port. */
  address: string;
  /**
   * Root certificate(s) for a TLS broker (the CA, or a self-signed server certificate): the
   * server's chain is verified against them (its names are not: this is a liveness check).
   */
  tlsRootPem?: string | undefined;
  /** TLS without verifying the server's certificate (implied by `tlsRootPem`, which verifies it). */
  tls?: boolean | undefined;
  /**
   * Sent as `authorization` metadata. Brokers that check tokens let a Ping through unchecked, so
   * an answer proves the broker is up, not that it takes the token.
   */
  authToken?: string | undefined;
  /**
   * Readiness by TCP connect only: a broker that requires client certificates refuses a Ping
   * from us, so its ready line (checked by the caller) and an accepting port must do.
   */
  tcpOnly?: boolean | undefined;
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

/** Decodes PingResult by hand: testing keeps no dependency on generated codecs. */
export function decodePingResult(buf: Uint8Array): PingInfo {
  const info = { host: '', version: '', serverStartTime: 0n, serverUpTimeSeconds: 0n };
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, next] = readVarint(buf, pos);
      pos = next;
      if (field === 3) info.serverStartTime = BigInt.asIntN(64, value);
      if (field === 4) info.serverUpTimeSeconds = BigInt.asIntN(64, value);
    } else if (wire === 2) {
      const [length, next] = readVarint(buf, pos);
      const end = next + Number(length);
      if (end > buf.length) throw new Error('truncated length-delimited field');
      const text = Buffer.from(buf.subarray(next, end)).toString('utf8');
      if (field === 1) info.host = text;
      if (field === 2) info.version = text;
      pos = end;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return {
    host: info.host,
    version: info.version,
    startedAt: new Date(Number(info.serverStartTime) * 1000),
    uptimeSeconds: Number(info.serverUpTimeSeconds),
  };
}

/** The gRPC status codes this file produces, with the names grpc-js puts in its messages. */
const STATUS_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  4: 'DEADLINE_EXCEEDED',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};
const UNKNOWN = 2;
const DEADLINE_EXCEEDED = 4;
const INTERNAL = 13;
const UNAVAILABLE = 14;

/** A failed Ping: `code` is the gRPC status, `details` the server's message (as grpc-js reports them). */
function pingError(code: number, details: string, cause?: unknown): Error & { code: number; details: string } {
  const name = STATUS_NAMES[code] ?? String(code);
  return Object.assign(new Error(`${String(code)} ${name}: ${details}`, cause === undefined ? undefined : { cause }), { code, details });
}

/** The status of a response that is not gRPC (grpc-js's mapping of HTTP statuses). */
function statusOfHttp(status: number): number {
  if (status === 400) return INTERNAL;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return 12;
  if (status === 429 || status === 502 || status === 503 || status === 504) return UNAVAILABLE;
  return UNKNOWN;
}

function header(value: string | string[] | number | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);
}

function decodeGrpcMessage(raw: string | undefined): string {
  if (raw === undefined) return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * One Ping, written against node:http2 rather than grpc-js: its timers are Node's own, so it works
 * under jest's fake timers (which replace the globals grpc-js uses), and over TLS it sends no IP
 * address as the server name (Node's DEP0123 warning). Resolves with the result; rejects with an
 * Error carrying the gRPC status as `code` (14 UNAVAILABLE when nothing answers, 4 DEADLINE_EXCEEDED
 * at the timeout), or with the signal's reason.
 */
export function ping(target: PingTarget, options: PingOptions = {}): Promise<PingInfo> {
  const { signal, timeoutMs = 2000 } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return Promise.reject(new RangeError(`ping(): timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`));
  if (signal?.aborted) return Promise.reject(signal.reason);
  const tls = target.tls === true || target.tlsRootPem !== undefined;
  return new Promise<PingInfo>((resolve, reject) => {
    let settled = false;
    const session: ClientHttp2Session = connect(
      `${tls ? 'https' : 'http'}://${target.address}`,
      tls
        ? {
            ca: target.tlsRootPem,
            // Without a root this is a liveness check: any certificate will do.
            rejectUnauthorized: target.tlsRootPem !== undefined,
            // Liveness only: the certificate's names need not match the address.
            checkServerIdentity: () => undefined,
          }
        : {},
    );
    const settle = (err: unknown, value?: PingInfo): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) session.close();
      else session.destroy();
      if (err === undefined) resolve(value as PingInfo);
      else reject(err);
    };
    const onAbort = (): void => settle(signal?.reason);
    const timer = setTimeout(() => settle(pingError(DEADLINE_EXCEEDED, 'Deadline exceeded')), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    session.on('error', (err: Error) => settle(pingError(UNAVAILABLE, err.message, err)));
    session.on('close', () => settle(pingError(UNAVAILABLE, 'the connection closed before the Ping was answered')));

    const headers: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': '/kubemq.kubemq/Ping',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${String(Math.ceil(timeoutMs))}m`,
    };
    if (target.authToken !== undefined) headers['authorization'] = target.authToken;
    const stream = session.request(headers);
    let response: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (response = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err: Error) => {
      // A stream cancelled because its connection failed: the connection's error says why.
      const cause = typeof (err.cause as Error | undefined)?.message === 'string' ? (err.cause as Error) : err; // (not instanceof: jest runs tests in another realm)
      settle(pingError(UNAVAILABLE, cause.message, cause));
    });
    stream.on('close', () => {
      if (response === undefined) {
        // Nothing answered the call (a dropped connection, a server that is not gRPC over this transport).
        settle(pingError(UNAVAILABLE, `the call ended without a response (RST_STREAM ${String(stream.rstCode)})`));
        return;
      }
      const httpStatus = Number(response[':status']);
      // A trailers-only response carries its status in the headers.
      const status = header(trailers?.['grpc-status'] ?? response['grpc-status']);
      if (status === undefined) {
        settle(httpStatus !== 200 ? pingError(statusOfHttp(httpStatus), `HTTP status ${String(httpStatus)}`) : pingError(UNKNOWN, 'No status received'));
        return;
      }
      if (status !== '0') {
        settle(pingError(Number(status), decodeGrpcMessage(header(trailers?.['grpc-message'] ?? response['grpc-message']))));
        return;
      }
      const body = Buffer.concat(chunks);
      const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
      if (length < 0 || body.length < 5 + length) {
        settle(pingError(INTERNAL, 'truncated PingResult'));
        return;
      }
      if (body[0] !== 0) {
        settle(pingError(INTERNAL, 'a compressed PingResult (none was asked for)'));
        return;
      }
      try {
        settle(undefined, decodePingResult(body.subarray(5, 5 + length)));
      } catch (err) {
        settle(pingError(INTERNAL, `undecodable PingResult: ${(err as Error).message}`, err));
      }
    });
    // An empty request: the frame header of a zero-length message.
    stream.end(Buffer.alloc(5));
  });
}

/** Resolves once a TCP connection to `address` opens; rejects with UNAVAILABLE. */
export function tcpConnect(address: string, timeoutMs: number): Promise<void> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(pingError(UNAVAILABLE, 'connect timeout')));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err: Error & { code?: unknown }) => reject(pingError(UNAVAILABLE, err.message, err)));
  });
}

/** Statuses that mean "nothing answered yet" (anything else is a live server, e.g. UNAUTHENTICATED). */
const NOT_UP: ReadonlySet<number> = new Set([UNAVAILABLE, DEADLINE_EXCEEDED]);

/**
 * Pings until the broker answers, `isDead()` says the process is gone, or the deadline passes.
 * Returns the Ping result, or `undefined` when the server answered with a non-OK status (or
 * only TCP was checked). `attempts: 1` pings once. Node's own timers throughout: jest's fake
 * timers must not stop a broker from starting.
 */
export async function waitForPing(
  target: PingTarget,
  opts: { timeoutMs: number; isDead?: () => boolean; intervalMs?: number; attempts?: number },
): Promise<PingInfo | undefined> {
  const deadline = performance.now() + opts.timeoutMs; // monotonic: a stepped wall clock moves no deadline
  let lastError: unknown;
  for (let attempt = 1; performance.now() < deadline; attempt++) {
    if (opts.isDead?.()) throw new Error('the broker process exited before it answered Ping');
    try {
      const timeout = Math.min(2000, Math.max(200, Math.ceil(deadline - performance.now())));
      if (target.tcpOnly) {
        await tcpConnect(target.address, timeout);
        return undefined;
      }
      return await ping(target, { timeoutMs: timeout });
    } catch (err) {
      lastError = err;
      const code = (err as { code?: number }).code;
      if (typeof code === 'number' && !NOT_UP.has(code)) return undefined;
    }
    if (opts.attempts !== undefined && attempt >= opts.attempts) break;
    await delay(opts.intervalMs ?? 100);
  }
  const detail = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`no Ping answer from ${target.address} within ${String(opts.timeoutMs)} ms (last error: ${detail})`);
}
