// The one machinery behind every send stream the SDK keeps open (SendEventsStream for events and
// for the events store, QueuesUpstream for queues): a bounded queue that opens the call lazily
// once the client is ready, writes in order with backpressure, fails what was written when the
// call breaks, re-opens for what is still queued, and drains on close within one bound. How the
// broker's answers are matched to the sends is the one thing each stream brings: an AnswerMatcher.
import { KubemqError } from '../errors/kubemq-error.js';
import { mapError, refusedSizeLimit } from '../errors/map-error.js';
import { BROKER_SIZE_LIMIT } from '../validation/message.js';
import { withOperation } from '../validation/fail.js';
import type { BidiCall, ClientInternals } from '../connection/client-internals.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';
import { Deferred, onAbort, timeLimit, within, type CutReason, type DeadlineWording } from '../util/async.js';

/**
 * One send in the queue, then in the matcher's hands once written: the request and the promise
 * of its outcome (a Deferred bounded by the send's deadline and signal), in one object per send.
 */
export class SendEntry<Req, Out> extends Deferred<Out> {
  readonly #onExpired: (entry: SendEntry<Req, Out>) => void;
  /** Handed to the transport: from then on the broker may take it, answered or not. */
  written = false;
  /** In the sender's queue, not written yet. */
  queued = false;
  /** Expired while queued: counted as dead there until the pump or a compaction drops it. */
  dead = false;

  constructor(
    readonly request: Req,
    /** Settled once written (the matcher never sees it): a write nobody waits an answer for. */
    readonly untilWritten: boolean,
    /** A request of the matcher's own whose answer proves every earlier one processed (a flush). */
    readonly proof: boolean,
    onExpired: (entry: SendEntry<Req, Out>) => void,
  ) {
    super();
    this.#onExpired = onExpired;
  }

  protected override expired(): void {
    this.#onExpired(this);
  }

  /** Says which side of the write the deadline fell on: only a written send can have reached the broker. */
  protected override explainTimeout(message: string): string {
    const outcome = this.written ? 'it was sent, so the broker may still have taken it (a retry can deliver it twice)' : 'it was never sent';
    return `${message}: ${outcome}`;
  }

  protected override timeoutSent(): boolean {
    return this.written;
  }
}

/**
 * Matches the broker's answers to the sends written on the call. The sender tells it what went
 * out and what came back; it settles each send (`entry.resolve()` / `entry.reject()`).
 */
export interface AnswerMatcher<Req, Res, Out> {
  /** `entry` is about to be written on the call (in order); its result waits for the answer. */
  written(entry: SendEntry<Req, Out>): void;
  /** A send nobody waits an answer for went out on the call (a later proof vouches for it, or a break loses it). */
  writtenUnanswered?(): void;
  /**
   * A burst of writes is over (the queue is empty or the transport is full). `write` sends one
   * more request of the matcher's own on the current call; false when there is none to write on.
   */
  burstWritten?(write: (request: Req) => boolean): void;
  /** One answer from the broker. */
  answer(response: Res): void;
  /** Sends written and not answered yet: a close waits for none to be left. */
  readonly outstanding: number;
  /**
   * Fails every send written and not answered (the call broke, or a close gave up on them) with
   * `err`, or with `own(entry)` where that gives the send an error of its own.
   */
  fail(err: KubemqError, own?: (entry: SendEntry<Req, Out>) => KubemqError | undefined): void;
  /** A written send's own deadline passed or its signal aborted: forget it, if answers allow. */
  expired?(entry: SendEntry<Req, Out>): void;
  /** A request whose answer proves that the broker processed everything written before it. */
  proof?(): Req;
}

/**
 * How a close ends the call once the sends are answered:
 * - `'server-ends'`: half-close, then wait for the broker to end the call (SendEventsStream: it
 *   answers what it read, then ends on the half-close).
 * - `'client-ends'`: half-close at once (the broker ignores it), wait for every answer, then
 *   cancel. For streams the broker must never see aborted while answers are owed (QueuesUpstream,
 *   docs/broker-behaviour.md §5.3).
 */
export type StreamEnding = 'server-ends' | 'client-ends';

export interface StreamSenderOptions<Req, Res, Out> {
  operation: string;
  method: MethodDescriptor<Req, Res>;
  matcher: AnswerMatcher<Req, Res, Out>;
  ending: StreamEnding;
  /** Unwritten sends past this count are refused with BUFFER_FULL (default: no limit). */
  maxQueued?: number;
  /** The subject of a send's timeout and abort errors (default: the operation). */
  what?: string;
  /** What a send that timed out failed to do (default: 'did not complete'). */
  late?: string;
  /** The error of a send made once the stream is closing (nothing is written). */
  closedError(): KubemqError;
  /**
   * The error of a send a close leaves behind: `written` (its answer is lost) or not (never
   * written); `cut` says why the close stopped waiting, undefined when the call ended first.
   */
  abandonedError(written: boolean, cut: CutReason | undefined): KubemqError;
  /** The error the sends written on a broken call get (default: the call's own error). */
  brokenError?(err: KubemqError): KubemqError;
  /**
   * Throws a ValidationError when `request`, encoded, is over `maxBytes` (`limit` names that bound
   * in the error). With it, a broker whose own size limit is below the client's costs one send,
   * not the stream's (see #onBreak).
   */
  checkSize?(request: Req, maxBytes: number, limit: string): void;
}

/** One send's bounds, already validated. */
export interface SendBounds {
  /** Undefined: no deadline of its own (a close's proof, bounded by the close). */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The channel a timeout or abort names. */
  channel?: string | undefined;
}

/** What bounds a close: `timeoutMs` (0: no wait at all) for the whole of it; `signal` ends it early. */
export interface CloseBounds {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Expired entries the queue may hold before a compaction is worth its copy. */
const DEAD_COMPACTION_MIN = 256;

/**
 * A long-lived bidi send stream. The call opens on the first send (after the client is ready),
 * and again on the next send after a break. Closing waits, within one bound, for the queue to be
 * written and the answers to come, ends the call as `ending` says, and fails what is left.
 */
export class StreamSender<Req, Res, Out> {
  #call: BidiCall<Req> | undefined;
  /** Resolves when the current call is over, either way. */
  #ended: Deferred<void> | undefined;
  /** The words of every send's timeout and abort errors. */
  readonly #wording: DeadlineWording;
  #opening = false;
  #waitingDrain = false;
  #queue: (SendEntry<Req, Out> | undefined)[] = [];
  #head = 0;
  /** Entries between #head and the end that expired before they were written. */
  #dead = 0;
  /** The one close's work; every close() returns it. */
  #shutdown: Promise<void> | undefined;
  /** Set by the first close(): new sends are refused from then on. */
  #isClosing = false;
  #closed = false;
  /** Aborted when a close's bound passes or its signal aborts: the close stops waiting. */
  readonly #cut = new AbortController();
  /**
   * Aborted once closed: ends a wait for the connection, which would otherwise keep this stream
   * in memory until the client is ready again (never, if it keeps reconnecting).
   */
  readonly #stop = new AbortController();
  /** Set while a close waits for a condition; run whenever the queue, the answers or the call change. */
  #waiting: (() => void) | undefined;
  #untrack: (() => void) | undefined;
  readonly #maxQueued: number;
  /** Calls opened so far (diagnostics). */
  opened = 0;

  readonly #internals: ClientInternals;
  readonly #options: StreamSenderOptions<Req, Res, Out>;

  constructor(internals: ClientInternals, options: StreamSenderOptions<Req, Res, Out>) {
    this.#internals = internals;
    this.#options = options;
    this.#maxQueued = options.maxQueued ?? Number.POSITIVE_INFINITY;
    this.#wording = { operation: options.operation, what: options.what, late: options.late };
  }

  /** Sends waiting to be written (not those that expired meanwhile). */
  get queued(): number {
    return this.#queue.length - this.#head - this.#dead;
  }

  /** Sends written and not answered yet. */
  get outstanding(): number {
    return this.#options.matcher.outstanding;
  }

  /** True from the first close() on: new sends are refused. */
  get closing(): boolean {
    return this.#isClosing;
  }

  /**
   * Queues `request` and resolves with the matcher's answer for it (or, `untilWritten`, once it
   * is written). Rejects with `bounds`' TimeoutError or CANCELLED, with BUFFER_FULL past
   * `maxQueued`, and with `closedError()` once closing; a send that ends before it is written is
   * never written.
   */
  send(request: Req, bounds: SendBounds, untilWritten = false): Promise<Out> {
    return this.#enqueue(request, bounds, untilWritten ? 'untilWritten' : 'answer');
  }

  /**
   * Writes `request` now, outside the queue, when nothing waits ahead of it: the call is open,
   * the transport has room, and the stream is not closing. False when it did not.
   */
  writeNow(request: Req): boolean {
    const call = this.#call;
    if (!call?.writable || this.#waitingDrain || this.#head < this.#queue.length || this.#isClosing) return false;
    // Over a limit the broker made known: the queue refuses it (#pump).
    if (this.#overBrokerLimit(request)) return false;
    this.#options.matcher.writtenUnanswered?.();
    if (!call.write(request)) this.#waitForDrain(call);
    return true;
  }

  /** Resolves once the broker has processed everything written before it (needs a matcher with proof()). */
  flush(bounds: SendBounds): Promise<Out> {
    return this.#enqueue(this.#proofRequest(), bounds, 'proof');
  }

  /**
   * Stops taking sends, waits for the queue to be written and for the answers, ends the call, and
   * fails what is left with `abandonedError`. `timeoutMs` bounds all of it, and aborting `signal`
   * ends it early; a close with no time at all (0, or an aborted signal) cancels the call at once.
   * Idempotent: every call returns the one close's promise, and every call's bound can end it.
   * Never rejects.
   */
  close(bounds: CloseBounds): Promise<void> {
    const disarm = timeLimit(this.#cut, bounds);
    if (!this.#shutdown) {
      this.#isClosing = true;
      this.#shutdown = this.#shutDown();
    }
    void this.#shutdown.then(disarm);
    return this.#shutdown;
  }

  /** Queues one entry: a send answered by the matcher, one settled once written, or a proof. */
  #enqueue(request: Req, bounds: SendBounds, kind: 'answer' | 'untilWritten' | 'proof', closingProof = false): Promise<Out> {
    const entry = new SendEntry<Req, Out>(request, kind === 'untilWritten', kind === 'proof', this.#entryExpired);
    entry.bound(this.#wording, bounds.timeoutMs, bounds.signal, bounds.channel);
    if (entry.settled) return entry.promise; // its signal had aborted already
    // Over a size limit the broker made known: refused before anything opens (the queue checks
    // again what was queued before the limit was known, #pump).
    const tooLarge = kind === 'proof' ? undefined : this.#overBrokerLimit(request);
    // A send is refused before anything is written once this stream closes, or the client's
    // close() is past the handlers' drains (what they send until then still goes out).
    if ((this.#isClosing || !this.#internals.acceptingSends) && !closingProof) entry.reject(this.#options.closedError());
    else if (tooLarge) entry.reject(tooLarge);
    else if (kind !== 'proof' && this.queued >= this.#maxQueued) entry.reject(this.#bufferFull(bounds.channel));
    else {
      // From the first send on, the client's close() drains this stream, after the handlers it
      // waits for: a send made before then still goes out, even if the call is not open yet.
      this.#untrack ??= this.#internals.track({
        drainsAfterHandlers: true,
        drain: (failure, cut) => {
          // A client that gave up reconnecting: nothing queued can go out, so it fails at once.
          if (failure) this.#failQueued(failure);
          // When the client's close stops waiting, so does this one, for the same reason.
          const unlink = onAbort(cut, () => {
            if (!this.#cut.signal.aborted) this.#cut.abort(cut?.reason);
          });
          const closed = this.close({ timeoutMs: failure ? 0 : this.#internals.options.defaultTimeoutMs });
          void closed.then(unlink);
          return closed;
        },
      });
      entry.queued = true;
      this.#queue.push(entry);
      this.#kick();
    }
    return entry.promise;
  }

  #bufferFull(channel: string | undefined): KubemqError {
    const { operation } = this.#options;
    return new KubemqError({
      code: 'BUFFER_FULL',
      message: `${operation}: ${this.#maxQueued} messages are already waiting to be written`,
      operation,
      channel: channel || undefined,
      retryable: true,
    });
  }

  #proofRequest(): Req {
    const proof = this.#options.matcher.proof?.();
    if (proof === undefined) throw new Error(`${this.#options.operation}: this stream has no flush`);
    return proof;
  }

  /** A send's own deadline passed or its signal aborted (queued or written). */
  readonly #entryExpired = (entry: SendEntry<Req, Out>): void => {
    if (entry.queued && !entry.written) {
      // It stays in the queue until the pump reaches it, which a broker that is away may not let
      // happen for long: it no longer counts against maxQueued, and its body goes with a compaction.
      entry.dead = true;
      if (++this.#dead > DEAD_COMPACTION_MIN && this.#dead * 2 > this.#queue.length - this.#head) this.#compact();
    }
    this.#options.matcher.expired?.(entry);
    this.#waiting?.();
  };

  /** Drops the expired entries from the queue. */
  #compact(): void {
    const live: Array<SendEntry<Req, Out> | undefined> = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const entry = this.#queue[i];
      if (entry && !entry.dead) live.push(entry);
    }
    this.#queue = live;
    this.#head = 0;
    this.#dead = 0;
  }

  /** Writes what it can now, or opens the call first. */
  #kick(): void {
    if (this.#call) this.#pump();
    else void this.#open();
  }

  async #open(): Promise<void> {
    if (this.#opening || this.#call || this.#closed) return;
    this.#opening = true;
    try {
      await this.#internals.whenReady(this.#stop.signal, { operation: this.#options.operation });
    } catch (err) {
      this.#opening = false;
      // Cancelled by the close: what is still queued fails as the close fails it (it did already).
      const abandoned = this.#stop.signal.aborted ? this.#options.abandonedError(false, this.#cutReason()) : undefined;
      this.#failQueued(abandoned ?? mapError(err, { operation: this.#options.operation }));
      return;
    }
    this.#opening = false;
    if (this.#call || this.#closed) return;
    const { operation, matcher } = this.#options;
    const ended = new Deferred<void>();
    const opened: { call?: BidiCall<Req> } = {};
    const call = (opened.call = this.#internals.bidiStream(
      this.#options.method,
      {
        next: (response) => {
          matcher.answer(response);
          this.#waiting?.();
        },
        error: (err) => {
          ended.resolve();
          if (this.#call === opened.call) this.#onBreak(err);
        },
        complete: () => {
          ended.resolve();
          if (this.#call !== opened.call) return;
          // After a half-close that the broker answers by ending the call, its end is expected.
          if (this.#isClosing && this.#options.ending === 'server-ends') this.#waiting?.();
          else this.#onBreak(new KubemqError({ code: 'UNAVAILABLE', message: `${operation}: the broker ended the send stream`, operation, retryable: true }));
        },
      },
      // A call opened by the client's drain (see #enqueue) is part of it.
      { operation, finishesDrain: true },
    ));
    this.opened++;
    this.#call = call;
    this.#ended = ended;
    this.#waitingDrain = false;
    this.#pump();
  }

  #pump(): void {
    const call = this.#call;
    if (!call || this.#waitingDrain) return;
    const { matcher } = this.#options;
    let wrote = false;
    while (this.#head < this.#queue.length) {
      // A call refused or ending takes nothing more: the break decides what becomes of the rest,
      // and a fire-and-forget send is never reported written when it was not.
      if (!call.writable) break;
      const entry = this.#queue[this.#head] as SendEntry<Req, Out>;
      this.#queue[this.#head++] = undefined;
      entry.queued = false;
      if (entry.dead) this.#dead--;
      if (entry.settled) continue; // timed out or aborted before it was written
      const tooLarge = entry.proof ? undefined : this.#overBrokerLimit(entry.request);
      if (tooLarge) {
        entry.reject(tooLarge);
        continue;
      }
      entry.written = true;
      if (entry.untilWritten) matcher.writtenUnanswered?.();
      else matcher.written(entry);
      const ok = call.write(entry.request);
      if (entry.untilWritten) entry.resolve(undefined as Out);
      wrote = true;
      if (!ok) {
        this.#waitForDrain(call);
        break;
      }
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (wrote) matcher.burstWritten?.(this.#writeCurrent);
    this.#waiting?.();
  }

  /** Writes one of the matcher's own requests on the call open now. */
  readonly #writeCurrent = (request: Req): boolean => {
    const call = this.#call;
    if (!call?.writable) return false;
    if (!call.write(request)) this.#waitForDrain(call);
    return true;
  };

  /** The transport's buffer is full: write nothing more until it drains. */
  #waitForDrain(call: BidiCall<Req>): void {
    if (this.#waitingDrain) return;
    this.#waitingDrain = true;
    void call.drained().then(() => {
      if (this.#call !== call) return;
      this.#waitingDrain = false;
      this.#pump();
    });
  }

  /**
   * The call broke. What was written and not answered may or may not have reached the broker: its
   * senders get the error. What is still queued goes out on a new call once the client is ready
   * again, unless the break is final or the stream is closing.
   */
  #onBreak(err: KubemqError): void {
    this.#call = undefined;
    this.#waitingDrain = false;
    // A broker that refused a message over its own size limit, lower than the client's: only the
    // sends over it are at fault and get its error; the others break as on a drop (retryable), and
    // the client's send streams refuse what is over it (#pump) until the connection is lost.
    const overLimit = this.#learnBrokerLimit(err);
    const broken = overLimit ?? err;
    const own = overLimit && ((entry: SendEntry<Req, Out>) => (this.#overBrokerLimit(entry.request) ? err : undefined));
    // The client's close ended the call: what was written is as unknown as when a close of this
    // stream gives up on it, and says so (a plain CLOSED would read as never sent).
    const lost = err.code === 'CLOSED' ? this.#options.abandonedError(true, this.#cutReason()) : (this.#options.brokenError?.(broken) ?? broken);
    this.#options.matcher.fail(lost, own);
    if (!broken.retryable || this.#isClosing) this.#failQueued(broken, overLimit && ((entry) => this.#overBrokerLimit(entry.request)));
    else if (this.queued > 0 && !this.#closed) void this.#open();
    this.#waiting?.();
  }

  /**
   * When `err` is the broker refusing a message over a size limit below the client's, keeps that
   * limit and returns the error for the sends the break took that were within it; undefined for
   * any other break. The broker reads a call's messages in order and stops at the first one over
   * its limit, but what became of the ones written before it is not said: they may or may not
   * have been taken.
   */
  #learnBrokerLimit(err: KubemqError): KubemqError | undefined {
    const limit = refusedSizeLimit(err);
    if (limit === undefined || !this.#options.checkSize || limit >= this.#internals.options.maxMessageBytes) return undefined;
    this.#internals.brokerMessageLimit = limit;
    const { operation } = this.#options;
    return new KubemqError({
      code: 'UNAVAILABLE',
      retryable: true,
      operation,
      message: `${operation}: the broker ended the send stream on a message over its size limit (${limit} bytes); what was written on it may or may not have been taken`,
      cause: err,
    });
  }

  /** The error of a send over the broker's size limit, once the broker made that limit known (else undefined, at once). */
  #overBrokerLimit(request: Req): KubemqError | undefined {
    const limit = this.#internals.brokerMessageLimit;
    if (limit === undefined) return undefined;
    try {
      this.#options.checkSize?.(request, limit, BROKER_SIZE_LIMIT);
      return undefined;
    } catch (err) {
      const { operation } = this.#options;
      return mapError(withOperation(err, operation, undefined), { operation });
    }
  }

  /** Fails every queued send with `err`, or with `own(entry)` where that gives it an error of its own. */
  #failQueued(err: KubemqError, own?: (entry: SendEntry<Req, Out>) => KubemqError | undefined): void {
    for (let i = this.#head; i < this.#queue.length; i++) {
      const entry = this.#queue[i];
      entry?.reject((entry && own?.(entry)) ?? err);
    }
    this.#queue = [];
    this.#head = 0;
    this.#dead = 0;
    this.#waiting?.();
  }

  async #shutDown(): Promise<void> {
    const cut = this.#cut.signal;
    const { matcher, ending } = this.#options;
    try {
      if (cut.aborted) return; // no time at all: the call is cancelled below
      if (matcher.proof && (this.#call || this.#opening || this.queued > 0)) {
        // The broker answers only failures here: a proof makes "everything processed" an answer to wait for.
        this.#enqueue(matcher.proof(), {}, 'proof', true).catch(() => undefined);
      }
      // Nothing more can be answered once the call is gone or over.
      const answered = () => matcher.outstanding === 0 || !this.#call || this.#ended?.settled === true;
      await this.#until(() => this.#queueSettled() && (ending === 'client-ends' || answered()));
      const call = this.#call;
      if (!call) return;
      if (call.writable) call.end();
      if (ending === 'client-ends') {
        await this.#until(answered);
      } else if ((await within((this.#ended as Deferred<void>).promise, { signal: cut })) === 'done' && this.#call === call) {
        this.#call = undefined; // the broker ended it
      }
    } finally {
      this.#closed = true;
      const call = this.#call;
      this.#call = undefined;
      call?.cancel();
      const why = this.#cutReason();
      matcher.fail(this.#options.abandonedError(true, why));
      this.#failQueued(this.#options.abandonedError(false, why));
      this.#untrack?.();
      this.#untrack = undefined;
      this.#stop.abort();
    }
  }

  /** Why a close stopped waiting; undefined while it has not. */
  #cutReason(): CutReason | undefined {
    const cut = this.#cut.signal;
    return cut.aborted ? (cut.reason as CutReason) : undefined;
  }

  /** Nothing queued is still live (written, expired or failed). */
  #queueSettled(): boolean {
    for (let i = this.#head; i < this.#queue.length; i++) if (!this.#queue[i]?.settled) return false;
    return true;
  }

  /** Resolves once `done()` holds, checked whenever the queue, the answers or the call change, or when the close is cut. */
  async #until(done: () => boolean): Promise<void> {
    if (done()) return;
    const met = new Deferred<void>();
    this.#waiting = () => {
      if (done()) met.resolve();
    };
    try {
      await within(met.promise, { signal: this.#cut.signal });
    } finally {
      this.#waiting = undefined;
    }
  }
}
