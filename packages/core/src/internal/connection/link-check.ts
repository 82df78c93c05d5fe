import * as GrpcStatus from '../errors/grpc-status.js';

/** What the link check needs from its connection. */
export interface LinkProbe {
  /** One `Ping` on the current channel, with this deadline; rejects with the raw gRPC status. */
  ping(timeoutMs: number): Promise<unknown>;
  /** A count of what arrived from the broker (answers, stream messages): a change proves the link alive. */
  heard(): number;
  /** The ping went unanswered and nothing else arrived: the connection is silently dead. */
  silent(timeoutMs: number): void;
}

/**
 * Notices a connection that died without closing (the broker's host gone, a NAT or firewall
 * dropping the flow): grpc-js sees it only when an HTTP/2 keepalive ping goes unanswered, and the
 * broker refuses those more often than every 5 minutes. A `Ping` call is an ordinary request, so
 * it may go as often as wanted. One probe at a time; a probe that times out while anything else
 * arrived proves a slow broker or a busy link, not a dead one.
 */
export class LinkCheck {
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #running = false;

  constructor(
    private readonly periods: { readonly intervalMs: number; readonly timeoutMs: number },
    private readonly probe: LinkProbe,
  ) {}

  /** Probes every `intervalMs` from now on (the client is ready). */
  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** No more probes until start(); a probe under way is ignored when it ends. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Probes now (a call just timed out), unless a probe is already under way. */
  probeNow(): void {
    if (!this.#running || this.#probing) return;
    clearTimeout(this.#timer);
    this.#probing = true;
    const { timeoutMs } = this.periods;
    const before = this.probe.heard();
    const ended = (err?: { code?: unknown }) => {
      this.#probing = false;
      if (!this.#running) return;
      // Only the client's own deadline says "no answer"; any status the broker sent is an answer,
      // and a drop the channel noticed is the channel's to report.
      if (err?.code === GrpcStatus.DEADLINE_EXCEEDED && this.probe.heard() === before) this.probe.silent(timeoutMs);
      else this.#schedule();
    };
    Promise.resolve()
      .then(() => this.probe.ping(timeoutMs))
      .then(() => ended(), ended);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (!this.#running || this.#probing) return;
    this.#timer = setTimeout(() => this.probeNow(), this.periods.intervalMs);
    this.#timer.unref();
  }
}
