// Raw gRPC helpers for component tests: the generated grpc-js client, never SDK code.
import * as grpc from '@grpc/grpc-js';
import { KubemqEmulator, type EmulatorStartOptions } from '../../../src/emulator.js';
import { Event, Request, Subscribe, kubemqClient } from '../../../src/generated/kubemq.js';

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

export function collect<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Collected<T> {
  const items: T[] = [];
  const status = new Promise<{ code: number; details: string }>((resolve) => {
    stream.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    stream.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) resolve({ code: s.code, details: s.details });
    });
  });
  stream.on('data', (d: T) => items.push(d));
  return {
    items,
    status,
    count: (n, timeoutMs = 5000) => until(() => items.length >= n, timeoutMs, `${n} items (got ${items.length})`).then(() => items),
  };
}

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const end = Date.now() + timeoutMs;
  while (!received()) {
    if (Date.now() > end) throw new Error('subscription never became ready');
    await send();
    await sleep(20);
  }
}
