import * as GrpcStatus from '../errors/grpc-status.js';

/** What the link check needs from its connection. */
export interface LinkProbe {
  /** One `Ping` on the current channel, with this deadline; rejects with the raw gRPC status. */
  ping(timeoutMs: number): Promise<unknown>;
  /** A count of what arrived from the broker (answers, stream messages): a change proves the link alive. */
  heard(): number;
  /** Two pings in a row went unanswered and nothing else arrived: the connection is silently dead. */
  silent(): void;
}

/**
 * Notices a connection that died without closing (the broker's host gone, a NAT or firewall
 * dropping the flow): grpc-js sees it only when an HTTP/2 keepalive ping goes unanswered, and the
 * broker refuses those more often than every 5 minutes. A `Ping` call is an ordinary request, so
 * it may go as often as wanted. One probe at a time. A probe that times out while anything else
 * arrived proves a slow broker or a busy link, not a dead one; one that times out with nothing
 * arrived is confirmed by a second at once, so that a client stalled past the deadline (a long
 * synchronous task, a debugger, a frozen container), whose answer waits unread in the socket,
 * does not take its link for dead.
 */
export class LinkCheck {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Which start() the check is in: a probe from an earlier one is ignored when it ends. */
  #run = 0;
  #running = false;
  #probing = false;
  /** Pings unanswered in a row, with nothing else arriving. */
  #misses = 0;

  constructor(
    private readonly periods: { readonly intervalMs: number; readonly timeoutMs: number },
    private readonly probe: LinkProbe,
  ) {}

  /** Probes every `intervalMs` from now on (the client is ready). */
  start(): void {
    this.stop();
    this.#running = true;
    this.#schedule();
  }

  /** No more probes until start(); a probe under way is ignored when it ends. */
  stop(): void {
    this.#run++;
    this.#running = false;
    this.#probing = false;
    this.#misses = 0;
    clearTimeout(this.#timer);
  }

  /** Probes now (a call just timed out), unless a probe is already under way. */
  probeNow(): void {
    if (!this.#running || this.#probing) return;
    clearTimeout(this.#timer);
    this.#probing = true;
    const run = this.#run;
    const before = this.probe.heard();
    const ended = (err?: { code?: unknown }) => {
      if (run !== this.#run) return;
      this.#probing = false;
      // Only the client's own deadline says "no answer"; any status the broker sent is an answer,
      // and a drop the channel noticed is the channel's to report.
      if (err?.code !== GrpcStatus.DEADLINE_EXCEEDED || this.probe.heard() !== before) {
        this.#misses = 0;
        this.#schedule();
      } else if (++this.#misses < 2) {
        this.probeNow();
      } else {
        this.stop();
        this.probe.silent();
      }
    };
    Promise.resolve()
      .then(() => this.probe.ping(this.periods.timeoutMs))
      .then(() => ended(), ended);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.probeNow(), this.periods.intervalMs);
    // Node's timers have unref(); a browser-like environment's (jsdom) are numbers.
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
