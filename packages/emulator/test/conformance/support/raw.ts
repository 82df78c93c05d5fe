// Raw gRPC for the conformance suite: the generated grpc-js client and codecs, no SDK code.
// Every helper here is transport plumbing; the behaviour under test stays in the spec files.
import * as grpc from '@grpc/grpc-js';
import { sharedBroker } from '@kubemq/testing/jest';
import {
  AckAllQueueMessagesRequest,
  type AckAllQueueMessagesResponse,
  Empty,
  Event,
  type EventReceive,
  type PingResult,
  QueueMessage,
  QueueMessagesBatchRequest,
  type QueueMessagesBatchResponse,
  QueuesDownstreamRequest,
  type QueuesDownstreamResponse,
  QueuesInfoRequest,
  type QueuesInfoResponse,
  QueuesUpstreamRequest,
  type QueuesUpstreamResponse,
  ReceiveQueueMessagesRequest,
  type ReceiveQueueMessagesResponse,
  Request,
  Response,
  type Result,
  type SendQueueMessageResult,
  StreamQueueMessagesRequest,
  type StreamQueueMessagesResponse,
  Subscribe,
  kubemqClient,
} from '@kubemq/emulator/wire';

/** A partial message literal; `fromPartial` fills the defaults (encode needs every field). */
export type In<T> = T extends bigint
  ? bigint | number
  : T extends Buffer | Uint8Array
    ? Buffer | Uint8Array
    : T extends string | number | boolean
      ? T
      : T extends Array<infer U>
        ? Array<In<U>>
        : T extends object
          ? { [K in keyof T]?: In<T[K]> }
          : T;

// T is inferred from decode (fromPartial is generic, which defeats inference).
type Codec<T> = { decode(input: Uint8Array, length?: number): T };
/** Builds a full message from a partial literal. */
export function msg<T>(codec: Codec<T>, partial: In<T>): T {
  return (codec as unknown as { fromPartial(o: unknown): T }).fromPartial(partial);
}

const clients = new Set<grpc.Client>();

/** A raw client for the shared broker (or `address`), closed by closeAll(). */
export function connect(address: string = sharedBroker().address, options: grpc.ClientOptions = {}): kubemqClient {
  const client = new kubemqClient(address, grpc.credentials.createInsecure(), options);
  clients.add(client);
  return client;
}

export function closeAll(): void {
  for (const client of clients) client.close();
  clients.clear();
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
function unary<T>(invoke: (cb: Callback<T>) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    invoke((err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

const deadline = (ms = 30_000): Partial<grpc.CallOptions> => ({ deadline: Date.now() + ms });

export const ping = (c: kubemqClient, timeoutMs = 30_000) =>
  unary<PingResult>((cb) => c.ping(Empty.fromPartial({}), new grpc.Metadata(), deadline(timeoutMs), cb));
export const sendEvent = (c: kubemqClient, m: In<Event>) =>
  unary<Result>((cb) => c.sendEvent(msg<Event>(Event, m), new grpc.Metadata(), deadline(), cb));
export const sendRequest = (c: kubemqClient, m: In<Request>) =>
  unary<Response>((cb) => c.sendRequest(msg<Request>(Request, m), new grpc.Metadata(), deadline(), cb));
export const sendResponse = (c: kubemqClient, m: In<Response>) =>
  unary<Empty>((cb) => c.sendResponse(msg<Response>(Response, m), new grpc.Metadata(), deadline(), cb));
export const sendQueueMessage = (c: kubemqClient, m: In<QueueMessage>) =>
  unary<SendQueueMessageResult>((cb) => c.sendQueueMessage(msg<QueueMessage>(QueueMessage, m), new grpc.Metadata(), deadline(), cb));
export const sendQueueBatch = (c: kubemqClient, m: In<QueueMessagesBatchRequest>) =>
  unary<QueueMessagesBatchResponse>((cb) =>
    c.sendQueueMessagesBatch(msg<QueueMessagesBatchRequest>(QueueMessagesBatchRequest, m), new grpc.Metadata(), deadline(), cb),
  );
export const receiveQueue = (c: kubemqClient, m: In<ReceiveQueueMessagesRequest>) =>
  unary<ReceiveQueueMessagesResponse>((cb) =>
    c.receiveQueueMessages(msg<ReceiveQueueMessagesRequest>(ReceiveQueueMessagesRequest, m), new grpc.Metadata(), deadline(), cb),
  );
export const ackAllQueue = (c: kubemqClient, m: In<AckAllQueueMessagesRequest>) =>
  unary<AckAllQueueMessagesResponse>((cb) =>
    c.ackAllQueueMessages(msg<AckAllQueueMessagesRequest>(AckAllQueueMessagesRequest, m), new grpc.Metadata(), deadline(), cb),
  );
export const queuesInfo = (c: kubemqClient, m: In<QueuesInfoRequest>) =>
  unary<QueuesInfoResponse>((cb) => c.queuesInfo(msg<QueuesInfoRequest>(QueuesInfoRequest, m), new grpc.Metadata(), deadline(), cb));

/** Awaits a rejection and returns the gRPC error (fails the test if the call succeeded). */
export async function grpcError(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    const value = await p;
    throw new Error(`expected a gRPC error, got ${JSON.stringify(value, bigintJson)}`);
  } catch (err) {
    if ((err as grpc.ServiceError).code === undefined) throw err;
    return err as grpc.ServiceError;
  }
}

export function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : Buffer.isBuffer(value) ? value.toString() : value;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How a stream ended. */
export interface StreamEnd {
  code: number;
  details: string;
}

/** Collects what a server stream (or the response side of a bidi stream) delivers. */
export class Inbox<T> {
  readonly items: T[] = [];
  readonly ended: Promise<StreamEnd>;
  private waiters: Array<() => void> = [];
  private endValue: StreamEnd | undefined;

  constructor(readonly call: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<never, T>) {
    call.on('data', (item: T) => {
      this.items.push(item);
      this.wake();
    });
    this.ended = new Promise<StreamEnd>((resolve) => {
      let settled = false;
      const finish = (end: StreamEnd) => {
        if (settled) return;
        settled = true;
        this.endValue = end;
        resolve(end);
        this.wake();
      };
      call.on('error', (err: grpc.ServiceError) => finish({ code: err.code, details: err.details }));
      call.on('status', (status: grpc.StatusObject) => {
        // 'status' also fires after 'error'; an OK status means a clean end.
        if (status.code === grpc.status.OK) finish({ code: status.code, details: status.details });
      });
    });
  }

  /** Whether the stream has ended (so far). */
  get done(): StreamEnd | undefined {
    return this.endValue;
  }

  /** Waits until `count` items matched `filter` (all items by default); returns them. */
  async waitFor(count: number, timeoutMs = 5000, filter: (item: T) => boolean = () => true): Promise<T[]> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const matched = this.items.filter(filter);
      if (matched.length >= count) return matched;
      if (this.endValue) {
        throw new Error(`stream ended (${this.endValue.code} ${this.endValue.details}) with ${matched.length}/${count} items`);
      }
      const left = end - performance.now();
      if (left <= 0) throw new Error(`timed out with ${matched.length}/${count} items: ${JSON.stringify(matched, bigintJson)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next item after the `index`-th (0-based), waiting for it. */
  async nth(index: number, timeoutMs = 5000): Promise<T> {
    const items = await this.waitFor(index + 1, timeoutMs);
    return items[index] as T;
  }

  /** Waits for the stream to end, failing if it does not within the time. */
  async end(timeoutMs = 5000): Promise<StreamEnd> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.ended,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`stream still open after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  cancel(): void {
    this.call.cancel();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** A bidi stream: write requests, read responses through an Inbox. */
export class Duplex<Req, Res> extends Inbox<Res> {
  constructor(
    readonly duplex: grpc.ClientDuplexStream<Req, Res>,
    private readonly codec: Codec<Req>,
    /** The client the stream was opened on: its pings travel on the stream's channel (closeSafely). */
    readonly client: kubemqClient,
  ) {
    super(duplex as unknown as grpc.ClientDuplexStream<never, Res>);
  }

  /** Writes a request given as a partial literal (defaults filled in). */
  write(req: In<Req>): void {
    this.duplex.write(msg<Req>(this.codec, req));
  }

  /** Writes and waits for the next response (the one after those already received). */
  async request(req: In<Req>, timeoutMs = 5000): Promise<Res> {
    const index = this.items.length;
    this.write(req);
    return this.nth(index, timeoutMs);
  }

  /** Half-close. */
  close(): void {
    this.duplex.end();
  }

  /**
   * The safe way to end a QueuesUpstream on the real server (§5.3): half-close, then two Pings on
   * the same client (so the same HTTP/2 connection), the second sent only once the first was
   * answered, then cancel. A cancel the server's reader sees before the half-close makes it
   * forward a nil request, which crashes the whole process; a grpc-js cancel() sends both back to
   * back, and a new call's headers can overtake a half-close still queued, so one round trip is
   * not proof: the second ping leaves only once the first was answered, when the half-close
   * queued before it has gone out, so its answer comes from behind the half-close. Each
   * ping is bounded by `pingTimeoutMs`; if one fails the stream is cancelled anyway, so a test
   * cannot hang here. Does nothing on a stream that has already ended. Resolves once cancelled.
   */
  async closeSafely(pingTimeoutMs = 5000): Promise<void> {
    if (this.done) return;
    this.close();
    try {
      // The half-close leaves behind the writes before it: wait until they are handed on.
      await new Promise<void>((resolve, reject) => {
        if (this.duplex.writableFinished) return resolve();
        const timer = setTimeout(() => reject(new Error('the half-close was not written in time')), pingTimeoutMs);
        this.duplex.once('finish', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await ping(this.client, pingTimeoutMs);
      await ping(this.client, pingTimeoutMs);
    } catch {
      // A broker that does not answer (stopped, or a dead link): cancel all the same.
    } finally {
      this.cancel();
    }
  }
}

/** Upstreams opened by upstream() and not closed yet: closeUpstreams() closes them safely. */
const openUpstreams = new Set<Duplex<QueuesUpstreamRequest, QueuesUpstreamResponse>>();

/**
 * Closes, the safe way, every QueuesUpstream a test opened and left open (for afterEach), so a
 * failing assertion never leaves the cancel to the worker's exit, which drops the connection
 * under the stream (§5.3: as dangerous as an early cancel).
 */
export async function closeUpstreams(): Promise<void> {
  const open = [...openUpstreams];
  openUpstreams.clear();
  await Promise.all(open.map((u) => u.closeSafely()));
}

export function subscribeEvents(c: kubemqClient, m: In<Subscribe>): Inbox<EventReceive> {
  return new Inbox(c.subscribeToEvents(msg<Subscribe>(Subscribe, m)));
}

export function subscribeRequests(c: kubemqClient, m: In<Subscribe>): Inbox<Request> {
  return new Inbox(c.subscribeToRequests(msg<Subscribe>(Subscribe, m)));
}

export const eventsStream = (c: kubemqClient) => new Duplex<Event, Result>(c.sendEventsStream(), Event, c);
export const downstream = (c: kubemqClient) =>
  new Duplex<QueuesDownstreamRequest, QueuesDownstreamResponse>(c.queuesDownstream(), QueuesDownstreamRequest, c);
/** A QueuesUpstream; end it with closeSafely() (afterEach(closeUpstreams) closes any a test left open). */
export function upstream(c: kubemqClient): Duplex<QueuesUpstreamRequest, QueuesUpstreamResponse> {
  const u = new Duplex<QueuesUpstreamRequest, QueuesUpstreamResponse>(c.queuesUpstream(), QueuesUpstreamRequest, c);
  openUpstreams.add(u);
  void u.ended.then(() => openUpstreams.delete(u));
  return u;
}
export const queueStreamV1 = (c: kubemqClient) =>
  new Duplex<StreamQueueMessagesRequest, StreamQueueMessagesResponse>(c.streamQueueMessage(), StreamQueueMessagesRequest, c);

/** Body as text. */
export const text = (body: Uint8Array | undefined) => Buffer.from(body ?? []).toString();
