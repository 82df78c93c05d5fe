// Commands and queries (broker-behaviour.md §2.3): NATS request/reply. A request goes to every ungrouped
// responder and one member of each group; the broker fills Request.ReplyChannel with an inbox;
// the first response wins, later ones are dropped; no response in Timeout ms is a timeout.
import type { Clock, TimerHandle } from '../../clock.js';
import type { Request, Response } from '../../generated/kubemq.js';
import type { ChannelRegistry, ChannelType } from '../channels/registry.js';
import { Request as RequestCodec, Response as ResponseCodec } from '../../generated/kubemq.js';
import { base62, nuid } from '../ids.js';
import { natsDeliverable } from '../nats-delivery.js';
import { SubjectRouter } from '../subjects.js';

export type RequestKind = 'commands' | 'queries';

/** The request got no response within its timeout (or the engine closed). */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

interface Pending {
  readonly resolve: (r: Response) => void;
  readonly reject: (e: Error) => void;
  readonly timer: TimerHandle;
  readonly kind: RequestKind;
  readonly channel: string;
}

export class RequestsEngine {
  private readonly routers: Record<RequestKind, SubjectRouter<Request>> = {
    commands: new SubjectRouter<Request>(),
    queries: new SubjectRouter<Request>(),
  };
  private readonly pending = new Map<string, Pending>();
  /**
   * The server sends every request through its one NATS connection with nats.go's
   * RequestWithContext: each inbox is that connection's `_INBOX.<nuid>.` plus 8 base-62 characters.
   */
  private readonly inboxPrefix = `_INBOX.${nuid()}.`;

  constructor(
    private readonly clock: Clock,
    private readonly channels: ChannelRegistry,
  ) {}

  /** Registers a responder; wildcards are allowed (§2.3). Returns the unsubscribe function. */
  subscribe(kind: RequestKind, pattern: string, group: string, deliver: (req: Request) => void): () => void {
    const sub = this.routers[kind].add(pattern, group, deliver);
    this.channels.subscribed(kind as ChannelType, pattern, 1);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.routers[kind].remove(sub);
      this.channels.subscribed(kind as ChannelType, pattern, -1);
    };
  }

  /**
   * Sends a request and waits for the first response. There is no "no responders" fast path:
   * with nobody listening the call waits the full timeout (§2.3).
   */
  request(kind: RequestKind, req: Request, timeoutMs: number): Promise<Response> {
    let inbox = this.inboxPrefix + base62(8);
    while (this.pending.has(inbox)) inbox = this.inboxPrefix + base62(8);
    this.channels.incoming(kind, req.Channel, req.Body.length);
    return new Promise<Response>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(inbox);
        reject(new RequestTimeoutError('request timed out'));
      }, timeoutMs);
      this.pending.set(inbox, { resolve, reject, timer, kind, channel: req.Channel });
      // Over what NATS delivers, it reaches no responder, and the requester waits out its timeout.
      if (!natsDeliverable(req, () => RequestCodec.encode(req).finish().length)) return;
      const routed: Request = { ...req, ReplyChannel: inbox };
      const n = this.routers[kind].publish(req.Channel, routed);
      if (n > 0) this.channels.outgoing(kind, req.Channel, req.Body.length, n);
    });
  }

  /**
   * Completes the request waiting on `replyChannel`. A late or unknown reply is dropped (false). One
   * over what NATS delivers is taken (true: its publish succeeds) but never reaches the requester,
   * which stays waiting: a smaller reply may still win, or its timeout ends it.
   */
  respond(replyChannel: string, response: Response): boolean {
    const p = this.pending.get(replyChannel);
    if (!p) return false;
    if (!natsDeliverable(response, () => ResponseCodec.encode(response).finish().length)) return true;
    this.pending.delete(replyChannel);
    this.clock.clearTimeout(p.timer);
    this.channels.response(p.kind, p.channel);
    p.resolve(response);
    return true;
  }

  /** Fails every waiting request (shutdown). */
  close(): void {
    for (const [inbox, p] of this.pending) {
      this.clock.clearTimeout(p.timer);
      this.pending.delete(inbox);
      p.reject(new RequestTimeoutError('emulator stopped'));
    }
  }
}
