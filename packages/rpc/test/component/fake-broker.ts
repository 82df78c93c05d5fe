// An in-memory stand-in for the broker's request routing (docs/broker-behaviour.md §2.3), plugged in where
// core's ClientInternals would talk gRPC. It records every call, so tests can prove that bad input
// sends nothing, and it can delay a subscription's registration the way the real server does.
import { KubemqError } from '@kubemq/core';
import { attachInternals, type Request, type Response, type Subscribe } from '@kubemq/core/internal';
import { fakeInternals, type FakeCallContext, type FakeServerStream, type LogEntry } from '@kubemq/test-fakes';

/** A complete wire request, the fields a test leaves out at their defaults. */
const wireRequest = (fields: Partial<Request>): Request =>
  ({ RequestID: '', RequestTypeData: 0, ClientID: '', Channel: '', Metadata: '', Body: Buffer.alloc(0), ReplyChannel: '', Timeout: 0, CacheKey: '', CacheTTL: 0, Span: Buffer.alloc(0), Tags: {}, ...fields });

export interface RecordedCall {
  method: string;
  request: unknown;
  ctx: FakeCallContext;
}

/** A subscription to requests: routable once the broker registered it. */
interface Sub {
  wire: Subscribe;
  stream: FakeServerStream;
  routableAt: number;
}

const methodName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export class FakeBroker {
  readonly calls: RecordedCall[] = [];
  /** What every client of this broker logged, in order. */
  readonly logEntries: LogEntry[] = [];
  /** What every client of this broker registered with track() and has not unregistered. */
  readonly tracked = new Set<{ drain(): Promise<void> }>();
  /** A new subscription receives requests only this long after it was opened. */
  registrationDelayMs = 0;
  /** How many of the next SendResponse calls fail as a dropped connection would (retryable UNAVAILABLE). */
  dropResponses = 0;
  /**
   * Hand requests to responders with Timeout, CacheKey and CacheTTL cleared, as some server
   * revisions do (docs/broker-behaviour.md §5.4); the sender still waits its own Timeout.
   */
  clearsRequestTimeouts = false;
  private readonly subs: Sub[] = [];
  private readonly pending = new Map<string, { resolve(r: Response): void; type: number }>();
  private inbox = 0;
  private turn = 0;

  callsTo(name: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === name);
  }

  /** The log lines as `level: message`. */
  get logs(): string[] {
    return this.logEntries.map((e) => `${e.level}: ${e.message}`);
  }

  get openStreams(): number {
    return this.subs.filter((s) => !s.stream.cancelled).length;
  }

  /**
   * A fake client whose internals are this broker (see the jest.mock in the specs). It carries
   * core's internals key too, so core takes it for a client (a responder checks what it is given).
   */
  client(clientId = 'fake-client'): never {
    const internals = this.internals(clientId);
    const client = { __internals: internals };
    attachInternals(client, internals as never);
    return client as never;
  }

  /** Pushes a request straight into every open subscription matching `channel`. */
  deliver(request: Partial<Request> & { Channel: string }): void {
    for (const sub of this.subs) {
      if (!sub.stream.cancelled && matches(sub.wire.Channel, request.Channel)) sub.stream.observer.next(wireRequest(request));
    }
  }

  /** Ends every open subscription from the broker's side with `error` (e.g. a shutdown's CANCELLED). */
  breakStreams(error: unknown): void {
    for (const sub of this.subs) {
      if (sub.stream.cancelled) continue;
      sub.stream.cancelled = true;
      sub.stream.observer.error(error as KubemqError);
    }
  }

  /** A client's internals whose requests and subscriptions this broker routes. */
  private internals(clientId: string) {
    return fakeInternals({
      clientId,
      logs: this.logEntries,
      tracked: this.tracked,
      defaultTimeoutMs: 3_000,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100, multiplier: 2, maxAttempts: Infinity },
      unary: (path, request, ctx) => {
        this.calls.push({ method: methodName(path), request, ctx });
        if (ctx.signal?.aborted) {
          return Promise.reject(new KubemqError({ code: 'CANCELLED', message: 'aborted', operation: ctx.operation }));
        }
        if (methodName(path) === 'SendRequest') return this.sendRequest(request as Request);
        if (methodName(path) === 'SendResponse') {
          if (this.dropResponses > 0) {
            this.dropResponses--;
            return Promise.reject(new KubemqError({ code: 'UNAVAILABLE', message: 'the connection dropped the call', operation: ctx.operation, retryable: true }));
          }
          return this.sendResponse(request as Response);
        }
        return Promise.reject(new Error(`unexpected unary ${path}`));
      },
      serverStream: (stream, ctx) => {
        this.calls.push({ method: methodName(stream.path), request: stream.request, ctx });
        this.subs.push({ wire: stream.request as Subscribe, stream, routableAt: Date.now() + this.registrationDelayMs });
      },
    });
  }

  private sendRequest(request: Request): Promise<Response> {
    const type = request.RequestTypeData === 1 ? 3 : 4;
    const now = Date.now();
    const live = this.subs.filter((s) => !s.stream.cancelled && s.wire.SubscribeTypeData === type && s.routableAt <= now && matches(s.wire.Channel, request.Channel));
    // Without a group every subscriber gets it; a group gets it once (docs/broker-behaviour.md §2.3).
    const targets = live.filter((s) => s.wire.Group === '');
    const groups = new Map<string, Sub[]>();
    for (const s of live.filter((x) => x.wire.Group !== '')) groups.set(s.wire.Group, [...(groups.get(s.wire.Group) ?? []), s]);
    for (const members of groups.values()) targets.push(members[this.turn++ % members.length] as Sub);

    return new Promise<Response>((resolve, reject) => {
      const replyChannel = `_INBOX.${++this.inbox}`;
      const timer = setTimeout(() => {
        this.pending.delete(replyChannel);
        reject(new KubemqError({ code: 'TIMEOUT', message: 'Error 301: timeout for request message', operation: 'x', brokerCode: 301, grpcStatus: 13, retryable: true }));
      }, request.Timeout);
      this.pending.set(replyChannel, {
        type,
        resolve: (response) => {
          clearTimeout(timer);
          resolve(response);
        },
      });
      const handed = this.clearsRequestTimeouts ? { ...request, Timeout: 0, CacheKey: '', CacheTTL: 0 } : request;
      for (const target of targets) target.stream.observer.next({ ...handed, ReplyChannel: replyChannel });
    });
  }

  private sendResponse(response: Response): Promise<object> {
    if (!response.ClientID || !response.RequestID || !response.ReplyChannel) {
      return Promise.reject(new KubemqError({ code: 'VALIDATION', message: 'Error 117', operation: 'x' }));
    }
    const waiting = this.pending.get(response.ReplyChannel);
    if (waiting) {
      // First answer wins; a late one still succeeds and is dropped.
      this.pending.delete(response.ReplyChannel);
      waiting.resolve(
        waiting.type === 3
          ? { ...response, Body: Buffer.alloc(0), Metadata: '', CacheHit: false, ReplyChannel: '' }
          : { ...response, ReplyChannel: '' },
      );
    }
    return Promise.resolve({});
  }
}

/** NATS subject matching: `*` one token, `>` one or more trailing tokens. */
export function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
