import * as grpc from '@grpc/grpc-js';
import { connect } from 'node:net';

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
  readonly signal?: AbortSignal;
  /** The Ping's deadline. Default: 2000. */
  readonly timeoutMs?: number;
}

/** Where and how to ping a broker. */
export interface PingTarget {
  /** `host:port` of the broker's gRPC port. */
  address: string;
  /** Root certificate(s) for a TLS broker (the CA, or the self-signed server certificate). */
  tlsRootPem?: string;
  /** Sent as `authorization` metadata when the broker enforces tokens. */
  authToken?: string;
  /**
   * Readiness by TCP connect only: a broker that requires client certificates refuses a Ping
   * from us, so its ready line (checked by the caller) and an accepting port must do.
   */
  tcpOnly?: boolean;
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

function credentialsFor(target: PingTarget): grpc.ChannelCredentials {
  if (target.tlsRootPem === undefined) return grpc.credentials.createInsecure();
  // Liveness only: the certificate's names need not match 127.0.0.1.
  return grpc.credentials.createSsl(Buffer.from(target.tlsRootPem), null, null, {
    checkServerIdentity: () => undefined,
  });
}

/** One Ping. Resolves with the result, rejects with the grpc-js error (or the signal's reason). */
export function ping(target: PingTarget, options: PingOptions = {}): Promise<PingInfo> {
  const { signal, timeoutMs = 2000 } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return Promise.reject(new RangeError(`ping(): timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`));
  if (signal?.aborted) return Promise.reject(signal.reason);
  const client = new grpc.Client(target.address, credentialsFor(target), {
    'grpc.max_reconnect_backoff_ms': 200,
    'grpc.initial_reconnect_backoff_ms': 50,
  });
  const metadata = new grpc.Metadata();
  if (target.authToken !== undefined) metadata.set('authorization', target.authToken);
  return new Promise<PingInfo>((resolve, reject) => {
    const onAbort = (): void => {
      call.cancel();
      client.close();
      reject(signal?.reason);
    };
    const call = client.makeUnaryRequest<Uint8Array, PingInfo>(
      '/kubemq.kubemq/Ping',
      () => Buffer.alloc(0), // Empty encodes to zero bytes
      (bytes: Buffer) => decodePingResult(bytes),
      new Uint8Array(0),
      metadata,
      { deadline: Date.now() + timeoutMs },
      (err, value) => {
        signal?.removeEventListener('abort', onAbort);
        client.close();
        if (err || value === undefined) reject(err ?? new Error('empty Ping response'));
        else resolve(value);
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function tcpConnect(address: string, timeoutMs: number): Promise<void> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('connect timeout'), { code: grpc.status.UNAVAILABLE })));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => reject(Object.assign(err, { code: grpc.status.UNAVAILABLE })));
  });
}

/** Statuses that mean "nothing answered yet" (anything else is a live server, e.g. UNAUTHENTICATED). */
const NOT_UP: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

/**
 * Pings until the broker answers, `isDead()` says the process is gone, or the deadline passes.
 * Returns the Ping result, or `undefined` when the server answered with a non-OK status (or
 * only TCP was checked).
 */
export async function waitForPing(
  target: PingTarget,
  opts: { timeoutMs: number; isDead?: () => boolean; intervalMs?: number },
): Promise<PingInfo | undefined> {
  const deadline = performance.now() + opts.timeoutMs; // monotonic: a stepped wall clock moves no deadline
  let lastError: unknown;
  while (performance.now() < deadline) {
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
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  const detail = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`no Ping answer from ${target.address} within ${opts.timeoutMs} ms (last error: ${detail})`);
}
