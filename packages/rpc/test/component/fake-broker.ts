// An in-memory stand-in for the broker's request routing (docs/broker-behaviour.md §2.3), plugged in where
// core's ClientInternals would talk gRPC. It records every call, so tests can prove that bad input
// sends nothing, and it can delay a subscription's registration the way the real server does.
import { KubemqError } from '@kubemq/core';
import type { Request, Response, Subscribe } from '@kubemq/core/internal';

/** A complete wire request, the fields a test leaves out at their defaults. */
const wireRequest = (fields: Partial<Request>): Request =>
  ({ RequestID: '', RequestTypeData: 0, ClientID: '', Channel: '', Metadata: '', Body: Buffer.alloc(0), ReplyChannel: '', Timeout: 0, CacheKey: '', CacheTTL: 0, Span: Buffer.alloc(0), Tags: {}, ...fields });

export interface RecordedCall {
  method: string;
  request: unknown;
  ctx: { operation: string; channel?: string; timeoutMs?: number; signal?: AbortSignal };
}

interface Sub {
  wire: Subscribe;
  observer: { next(v: Request): void; error(e: unknown): void; complete(): void };
  routableAt: number;
  cancelled: boolean;
}

const methodName = (method: { path: string }) => method.path.slice(method.path.lastIndexOf('/') + 1);

export class FakeBroker {
  readonly calls: RecordedCall[] = [];
  readonly logs: string[] = [];
  /** The same log lines with their fields. */
  readonly logEntries: Array<{ level: string; message: string; fields: Record<string, unknown> | undefined }> = [];
  readonly tracked = new Set<{ drain(): Promise<void> }>();
  /** A new subscription receives requests only this long after it was opened. */
  registrationDelayMs = 0;
  private readonly subs: Sub[] = [];
  private readonly pending = new Map<string, { resolve(r: Response): void; type: number }>();
  private inbox = 0;
  private turn = 0;

  callsTo(name: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === name);
  }

  get openStreams(): number {
    return this.subs.filter((s) => !s.cancelled).length;
  }

  /** A fake client whose internals are this broker (see the jest.mock in the specs). */
  client(clientId = 'fake-client'): never {
    return { __internals: this.internals(clientId) } as never;
  }

  /** Pushes a request straight into every open subscription matching `channel`. */
  deliver(request: Partial<Request> & { Channel: string }): void {
    for (const sub of this.subs) {
      if (!sub.cancelled && matches(sub.wire.Channel, request.Channel)) sub.observer.next(wireRequest(request));
    }
  }

  /** Ends every open subscription from the broker's side with `error` (e.g. a shutdown's CANCELLED). */
  breakStreams(error: unknown): void {
    for (const sub of this.subs) {
      if (sub.cancelled) continue;
      sub.cancelled = true;
      sub.observer.error(error);
    }
  }

  private internals(clientId: string) {
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      this.logs.push(`${level}: ${message}`);
      this.logEntries.push({ level, message, fields });
    };
    return {
      clientId,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      options: { defaultTimeoutMs: 3_000, reconnect: { initialDelayMs: 20, maxDelayMs: 100, multiplier: 2, maxAttempts: Infinity } },
      state: 'ready',
      whenReady: () => Promise.resolve(),
      track: (resource: { drain(): Promise<void> }) => {
        this.tracked.add(resource);
        return () => this.tracked.delete(resource);
      },
      onReconnect: () => () => undefined,
      unary: (method: { path: string }, request: unknown, ctx: RecordedCall['ctx']) => {
        this.calls.push({ method: methodName(method), request, ctx });
        if (ctx.signal?.aborted) {
          return Promise.reject(new KubemqError({ code: 'CANCELLED', message: 'aborted', operation: ctx.operation }));
        }
        if (methodName(method) === 'SendRequest') return this.sendRequest(request as Request);
        if (methodName(method) === 'SendResponse') return this.sendResponse(request as Response);
        return Promise.reject(new Error(`unexpected unary ${method.path}`));
      },
      serverStream: (method: { path: string }, request: Subscribe, observer: Sub['observer'], ctx: RecordedCall['ctx']) => {
        this.calls.push({ method: methodName(method), request, ctx });
        const sub: Sub = { wire: request, observer, routableAt: Date.now() + this.registrationDelayMs, cancelled: false };
        this.subs.push(sub);
        return { cancel: () => (sub.cancelled = true) };
      },
    };
  }

  private sendRequest(request: Request): Promise<Response> {
    const type = request.RequestTypeData === 1 ? 3 : 4;
    const now = Date.now();
    const live = this.subs.filter((s) => !s.cancelled && s.wire.SubscribeTypeData === type && s.routableAt <= now && matches(s.wire.Channel, request.Channel));
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
      for (const target of targets) target.observer.next({ ...request, ReplyChannel: replyChannel });
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
