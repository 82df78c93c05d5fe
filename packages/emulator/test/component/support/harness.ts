// Raw gRPC helpers for component tests: the generated grpc-js client, never SDK code.
import * as grpc from '@grpc/grpc-js';
import { KubemqEmulator, type EmulatorStartOptions } from '../../../src/emulator.js';
import { Event, Request, Subscribe, kubemqClient } from '../../../src/generated/kubemq.js';
import type { EmulatorLogger } from '../../../src/log.js';

export async function startEmulator(options: EmulatorStartOptions = {}): Promise<KubemqEmulator> {
  return KubemqEmulator.start({ port: 0, host: '127.0.0.1', stopGraceMs: 200, ...options });
}

export function connect(address: string, creds = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): kubemqClient {
  return new kubemqClient(address, creds, options);
}

type UnaryFn<Req, Res> = (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown;

/** Calls a unary method; rejects with the ServiceError. */
export function call<Req, Res>(fn: UnaryFn<Req, Res>, req: Req, md = new grpc.Metadata()): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, md, {}, (e, r) => (e ? reject(e) : resolve(r as Res))));
}

/** The status a call fails with. */
export async function failure<Req, Res>(fn: UnaryFn<Req, Res>, req: Req, md = new grpc.Metadata()): Promise<{ code: number; details: string }> {
  try {
    await call(fn, req, md);
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: err.code, details: err.details };
  }
  throw new Error('expected the call to fail');
}

export interface Collected<T> {
  readonly items: T[];
  /** Resolves once `n` items arrived (rejects after timeoutMs). */
  count(n: number, timeoutMs?: number): Promise<T[]>;
  /** The final status of the stream. */
  readonly status: Promise<{ code: number; details: string }>;
}

/** The final status of a stream, without reading its messages (it also handles the stream's 'error'). */
export function collectStatus(stream: grpc.ClientReadableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>): Promise<{ code: number; details: string }> {
  return new Promise((resolve) => {
    stream.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    stream.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) resolve({ code: s.code, details: s.details });
    });
  });
}

export function collect<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Collected<T> {
  const items: T[] = [];
  const status = collectStatus(stream);
  stream.on('data', (d: T) => items.push(d));
  return {
    items,
    status,
    count: (n, timeoutMs = 5000) => until(() => items.length >= n, timeoutMs, `${n} items (got ${items.length})`).then(() => items),
  };
}

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends a bidi stream the way the server survives it (§5.3): half-close, two Pings (the second
 * travels behind the half-close), then cancel. A bare cancel of a QueuesUpstream panics the broker.
 */
export async function closeSafely(client: kubemqClient, stream: grpc.ClientDuplexStream<unknown, unknown>): Promise<void> {
  stream.end();
  await call(client.ping.bind(client), {});
  await call(client.ping.bind(client), {});
  stream.cancel();
}


let seq = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`;

export const event = (p: Partial<Event>): Event => Event.fromPartial({ ClientID: 'sender', Metadata: 'm', ...p });
export const subscription = (p: Partial<Subscribe>): Subscribe => Subscribe.fromPartial({ ClientID: unique('sub').replace(/[^a-zA-Z0-9_-]/g, '_'), ...p });
export const request = (p: Partial<Request>): Request => Request.fromPartial({ ClientID: 'requester', Metadata: 'm', Timeout: 2000, RequestTypeData: 1, ...p });

/**
 * Subscription readiness: KubeMQ sends no header when a subscription is established,
 * so publish probes until one arrives (never sleep instead).
 */
export async function probe(send: () => Promise<unknown>, received: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!received()) {
    if (performance.now() > end) throw new Error('subscription never became ready');
    await send();
    await sleep(20);
  }
}

/** A logger that keeps every line (debug included), for tests that wait for what the emulator reports. */
export function capturingLogger(): EmulatorLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (msg: string): void => void lines.push(msg);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

/**
 * Whether the emulator's last word on `method`'s reply backpressure is that it stopped reading
 * requests (see transport/reply-backpressure.ts).
 */
export function stoppedReading(log: { readonly lines: readonly string[] }, method: string): boolean {
  const last = log.lines.filter((l) => l.startsWith(`${method}: `) && /reading requests/.test(l)).at(-1);
  return last !== undefined && last.includes('stopped reading requests');
}

/**
 * A writer that keeps a client stream's send buffer full, as a client sending as fast as it
 * may does: it writes `total` requests, waiting for 'drain' whenever grpc-js asks it to.
 */
export function floodWriter<T>(stream: grpc.ClientWritableStream<T> | grpc.ClientDuplexStream<T, unknown>, total: number, next: (i: number) => T) {
  const state = { written: 0, waitingForDrain: false, done: undefined as unknown as Promise<void> };
  state.done = (async () => {
    for (; state.written < total; state.written++) {
      if (stream.write(next(state.written))) continue;
      state.waitingForDrain = true;
      await new Promise<void>((resolve, reject) => {
        const settle = (err?: Error): void => {
          stream.off('drain', settle);
          stream.off('error', settle);
          stream.off('close', closed);
          if (err) reject(err);
          else resolve();
        };
        const closed = (): void => settle(new Error('the stream closed while the writer waited'));
        stream.on('drain', settle);
        stream.on('error', settle);
        stream.on('close', closed);
      });
      state.waitingForDrain = false;
    }
  })();
  return state;
}

export interface HeldBack<Res> {
  /** Requests written when the server had stopped reading and the writer had stalled. */
  writtenWhenStalled: number;
  /** Every reply, read once the client caught up. */
  replies: Res[];
  /** The stream's final status (the stream stays open for the caller to end). */
  status: Promise<{ code: number; details: string }>;
}

/**
 * Leaves a bidi stream's replies unread and floods it with `total` requests the server answers;
 * waits until the emulator stopped reading (as `log` shows for `method`) and the writer stalled,
 * then reads every reply. A stream that fails this is cancelled.
 */
export async function holdBackUnreadClient<Req, Res>(
  log: { readonly lines: readonly string[] },
  method: string,
  stream: grpc.ClientDuplexStream<Req, Res>,
  total: number,
  request: (i: number) => Req,
): Promise<HeldBack<Res>> {
  const status = collectStatus(stream);
  // grpc-js reads a response stream only once the application asked for a message; from then on
  // it stops reading while 16 replies wait unread, and HTTP/2 flow control does the rest.
  stream.pause();
  stream.read(0);
  const writer = floodWriter(stream, total, request);
  try {
    // Both states last until the client reads: the server waits for the client's window, the
    // client for the server's. Neither depends on how fast the machine is.
    await until(() => stoppedReading(log, method) && writer.waitingForDrain, 30_000, `${method} to stop reading and the writer to stall`);
    const writtenWhenStalled = writer.written;
    const replies = collect(stream);
    stream.resume();
    await writer.done;
    await replies.count(total, 60_000);
    return { writtenWhenStalled, replies: replies.items, status };
  } catch (err) {
    stream.cancel();
    await writer.done.catch(() => undefined);
    throw err;
  }
}
