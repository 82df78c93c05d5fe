// One QueuesDownstream stream. The broker serves the requests of a stream one at a time, in order,
// and keeps its transactions per stream (docs/broker-behaviour.md §2.4), so a lane carries at most one open
// transaction: a Get is written only once the previous transaction takes no more settlements (it is
// terminal, or, in the poll loops, the settlement that ends it is already written ahead of the Get),
// and a pending Get never sits in front of a settlement. The same order makes the answer to a Get
// proof that the broker processed every settlement written before it (`nextGetAnswered`).
import { KubemqError } from '@kubemq/core';
import {
  newId,
  QueuesDownstreamRequestType,
  type BidiCall,
  type ClientInternals,
  type QueuesDownstreamRequest,
  type QueuesDownstreamResponse,
} from '@kubemq/core/internal';
import { QUEUES_DOWNSTREAM } from '../methods.js';

export type DownstreamRequestInit = Partial<QueuesDownstreamRequest> & { RequestTypeData: QueuesDownstreamRequest['RequestTypeData'] };

interface Pending {
  resolve(response: QueuesDownstreamResponse): void;
  reject(err: KubemqError): void;
}

/** A request the broker still owes an answer (a Get, an ActiveOffsets). */
interface Owed extends Pending {
  /** Nobody waits for the answer any more: its deadline passed, its signal aborted, or its owner stopped. */
  unwanted?: boolean;
  /** Its deadline passed (or its signal aborted) with no answer. */
  pastDeadline?: boolean;
}

/** Counters a lane's owner can read (tests assert no pile-up of Gets and no leaked streams). */
export interface LaneCounters {
  streamsOpened: number;
  streamsOpen: number;
  getsInFlight: number;
  maxGetsInFlight: number;
  gets: number;
  /** End-of-stream listeners currently registered (transactions waiting on their stream). */
  endListeners: number;
  /**
   * Messages that were received and not yet settled when their stream was lost (not ended by
   * this client). A broker that stays up returns them to the queue; one that crashed may keep
   * them for good (the open-source server, killed with SIGKILL, never delivers them again).
   */
  unsettledAtLoss: number;
  /**
   * Gets that were waiting for their answer when their stream was lost. The broker may already
   * have taken up to `maxItems` messages for each; a broker that crashed may keep those for good,
   * and this client never saw them.
   */
  getsInFlightAtLoss: number;
  /**
   * Transactions open (not closed, as far as this client knows) when their stream was lost, but
   * not one whose ending settlement was written ahead of a Get still waiting: the broker serves a
   * stream's requests in order, so of the two only one can still be subscribed (that Get counts).
   * A crashed broker keeps up to `maxItems` messages for each for good.
   */
  transactionsOpenAtLoss: number;
}

export function newLaneCounters(): LaneCounters {
  return { streamsOpened: 0, streamsOpen: 0, getsInFlight: 0, maxGetsInFlight: 0, gets: 0, endListeners: 0, unsettledAtLoss: 0, getsInFlightAtLoss: 0, transactionsOpenAtLoss: 0 };
}

export class DownstreamLane {
  private call: BidiCall<QueuesDownstreamRequest> | undefined;
  /** The last queued write (or drain) while writes wait their turn; undefined when they go straight through. */
  private backlog: Promise<void> | undefined;
  private readonly pending = new Map<string, Owed>();
  /** Errors the broker answered for settlements (which get no answer on success), by request id. */
  private readonly settleErrors = new Map<string, QueuesDownstreamResponse | undefined>();
  private readonly endListeners = new Set<(err: KubemqError) => void>();
  /** Waiting for the answer of the next Get written (settlements that take it as their proof). */
  private getProofWaiters: Pending[] = [];
  private endError: KubemqError | undefined;
  /** The stream was ended by this client (close, stop, a deadline), not lost. */
  private endedHere = false;
  /** Set by retire(): the stream ends, with this reason, once that is safe (see retire()). */
  private retiring: KubemqError | undefined;
  /** While retiring: the client's close() waits for the end (see retire()). */
  private untrackRetiring: (() => void) | undefined;
  private readonly endWaiters: (() => void)[] = [];
  /** The request id of the Get waiting for its answer. */
  private getInFlight: string | undefined;
  /** Settlements that take the Get in flight as their proof (`nextGetAnswered`). */
  private provedByGet: Pending[] = [];
  /** The stream was lost while a Get waited for its answer (counted in getsInFlightAtLoss). */
  private lostGetInFlight = false;
  /** The last Get's `MaxItems`: what a crashed broker may keep per open transaction or Get (for the loss warnings). */
  private maxItems = 0;
  /** Transactions this stream has served: the broker keeps each one in a per-stream map until the stream ends. */
  transactionsServed = 0;

  constructor(
    private readonly internals: ClientInternals,
    private readonly operation: string,
    private readonly counters: LaneCounters,
  ) {}

  /** Open or yet to open, and not retiring: it may serve another poll. */
  get alive(): boolean {
    return this.endError === undefined && this.retiring === undefined;
  }

  /** The stream is open (or ended): open() has nothing left to wait for. */
  get opened(): boolean {
    return this.call !== undefined || this.endError !== undefined;
  }

  /** The client's connection is ready now: open() would not wait for it. */
  get connected(): boolean {
    return this.internals.state === 'ready';
  }

  /** Why the lane ended, or is ending (undefined while alive). */
  get error(): KubemqError | undefined {
    return this.endError ?? this.retiring;
  }

  /** Why this client is ending the stream, or ended it (undefined while alive, and when it was lost). */
  get endingHere(): KubemqError | undefined {
    if (this.endError) return this.endedHere ? this.endError : undefined;
    return this.retiring;
  }

  /** Opens the stream (once) after the connection is ready; a failed wait names the lane's operation and `channel`. */
  async open(channel: string, signal?: AbortSignal): Promise<void> {
    if (this.call || this.endError) return;
    await this.internals.whenReady(signal, { operation: this.operation, channel });
    if (this.call || this.endError) return;
    this.counters.streamsOpened++;
    this.counters.streamsOpen++;
    this.call = this.internals.bidiStream(
      QUEUES_DOWNSTREAM,
      {
        next: (response) => this.onResponse(response),
        error: (err) => this.end(err),
        complete: () =>
          this.end(new KubemqError({ code: 'UNAVAILABLE', retryable: true, operation: this.operation, message: 'the broker ended the downstream stream' })),
      },
      { operation: this.operation },
    );
  }

  /** Registers a callback for the end of the stream; returns the unregister function. */
  onEnd(listener: (err: KubemqError) => void): () => void {
    if (this.endError) {
      listener(this.endError);
      return () => undefined;
    }
    this.endListeners.add(listener);
    this.counters.endListeners++;
    return () => {
      if (this.endListeners.delete(listener)) this.counters.endListeners--;
    };
  }

  /** Writes a request that the broker answers (Get, ActiveOffsets); resolves with the answer. */
  request(init: DownstreamRequestInit): Promise<QueuesDownstreamResponse> {
    return this.ask(init).answer;
  }

  /** request(), also returning the request's id (to name it in `abandon()`). */
  ask(init: DownstreamRequestInit): { id: string; answer: Promise<QueuesDownstreamResponse> } {
    const req = this.build(init);
    const isGet = req.RequestTypeData === QueuesDownstreamRequestType.Get;
    if (isGet) {
      // The lane's invariant, checked rather than assumed: never two Gets on one stream.
      if (this.getInFlight !== undefined) throw new Error('internal: a Get is already in flight on this downstream lane');
      this.getInFlight = req.RequestID;
      this.maxItems = req.MaxItems;
      this.counters.gets++;
      this.counters.getsInFlight++;
      this.counters.maxGetsInFlight = Math.max(this.counters.maxGetsInFlight, this.counters.getsInFlight);
      this.provedByGet = this.getProofWaiters;
      this.getProofWaiters = [];
    }
    const answer = new Promise<QueuesDownstreamResponse>((resolve, reject) => {
      this.pending.set(req.RequestID, { resolve, reject });
    });
    this.write(req).catch((err: KubemqError) => this.fail(req.RequestID, err));
    return { id: req.RequestID, answer };
  }

  /**
   * Resolves with the answer of the next Get written on this stream (any answer, an error one
   * included); rejects if the stream ends first. The broker serves a stream's requests in order, so
   * that answer proves it processed every request written before the Get: a settlement written now
   * is then done, and its error answer, if it failed, has already arrived (`takeSettleError`).
   */
  nextGetAnswered(): Promise<QueuesDownstreamResponse> {
    if (this.endError) return Promise.reject(this.endError);
    return new Promise((resolve, reject) => this.getProofWaiters.push({ resolve, reject }));
  }

  /** Writes a settlement (answered only on error); returns its request id to look the error up later. */
  send(init: DownstreamRequestInit): string {
    const req = this.build(init);
    this.settleErrors.set(req.RequestID, undefined);
    this.write(req).catch((err: KubemqError) => this.end(err));
    return req.RequestID;
  }

  /**
   * Writes a request nobody waits on: the broker answers CloseByClient only when the transaction
   * is unknown, and then there is nothing to do (the answer is dropped as unknown).
   */
  sendUnanswered(init: DownstreamRequestInit): void {
    this.write(this.build(init)).catch((err: KubemqError) => this.end(err));
  }

  /** The broker's error answer to a settlement sent earlier (and forgets it). */
  takeSettleError(requestId: string): QueuesDownstreamResponse | undefined {
    const answer = this.settleErrors.get(requestId);
    this.settleErrors.delete(requestId);
    // A transaction takes its proof and then, in the same turn, records what it showed: the
    // stream ends after that, so the end does not mark the transaction lost under it.
    if (this.retiring && this.settleErrors.size === 0) queueMicrotask(() => this.endIfDone());
    return answer;
  }

  /** Settlements written whose possible error answer is still kept (0 once every proof came back). */
  get settlementsAwaitingProof(): number {
    return this.settleErrors.size;
  }

  /**
   * A poll answered on a stream this client is ending is not handed over (its transaction could
   * not be settled): says that its `count` messages go back to the queue with the stream.
   */
  noteNotHandedOver(count: number, channel: string, transactionId: string): void {
    this.internals.logger.info(
      'queues: a poll was answered on a downstream stream this client is ending; it is not handed over, and the broker returns its messages to the queue when the stream ends',
      { channel, transactionId, messages: count, code: this.error?.code, error: this.error?.message },
    );
  }

  /**
   * A transaction on this lane was still open when the stream ended, with `unsettled` messages
   * received and not yet settled. When the stream was lost (not ended here), they are counted and
   * reported: whether they come back is up to the broker, which returns them if it is still up.
   */
  noteOpenAtEnd(unsettled: number, channel: string, transactionId: string): void {
    if (this.endedHere) return;
    if (this.endError?.code === 'CLOSED') {
      if (unsettled === 0) return;
      this.internals.logger.warn(
        "queues: the client closed before a poll transaction was settled (close()'s drain time ran out); the broker returns its unsettled messages to the queue",
        { channel, transactionId, messages: unsettled },
      );
      return;
    }
    this.counters.unsettledAtLoss += unsettled;
    if (!this.lostGetInFlight) this.counters.transactionsOpenAtLoss++;
    // Its ending settlement went out ahead of the Get still waiting, which is counted instead:
    // warn only for what its handler held.
    else if (unsettled === 0) return;
    this.internals.logger.warn(
      'queues: a downstream stream was lost with a poll transaction open, not yet settled; a broker still up returns what it holds to the queue, a broker that crashed may keep up to maxItems messages for it for good (received or not)',
      {
        channel,
        transactionId,
        messages: unsettled,
        maxItems: this.maxItems,
        transactionsOpenAtLoss: this.counters.transactionsOpenAtLoss,
        code: this.endError?.code,
        error: this.endError?.message,
      },
    );
  }

  /** Ends the stream from the client side (safe for downstream: the broker skips the nil request, §5.3). */
  cancel(reason?: KubemqError): void {
    if (this.endError) return;
    this.endedHere = true;
    this.call?.cancel();
    this.end(reason ?? this.cancelledError());
  }

  /**
   * Ends the stream once that is safe: every settlement written on it has its proof (at once when
   * none waits; ending it first would fail a settlement the broker may already have applied), and
   * at most one answer is owed (see retire()). The owner wants no answer to a Get in flight any
   * more. Meanwhile the lane serves no further poll (`alive` is false), and the client's close()
   * waits for the end within its drain time.
   */
  endWhenSafe(reason?: KubemqError): void {
    const get = this.owedGet;
    if (get) get.unwanted = true;
    this.retire(reason ?? this.cancelledError());
  }

  /**
   * The waiter of request `id` (an ActiveOffsets probe) gave up on it: its deadline passed or its
   * signal aborted. The stream ends with `reason` (see retire()): at once when that probe is the
   * only answer owed, else once the others are answered or past their own deadlines.
   */
  abandon(id: string, reason: KubemqError): void {
    const probe = this.pending.get(id);
    if (probe) probe.unwanted = probe.pastDeadline = true;
    this.retire(reason);
  }

  /**
   * The deadline of the Get in flight passed (or its signal aborted). When that Get is itself the
   * proof of settlements written before it, nothing else will prove them (a connection that died
   * silently, a stalled broker): they fail with `reason` now. The stream ends (see retire()).
   */
  getExpired(reason: KubemqError): void {
    const get = this.owedGet;
    if (get) get.unwanted = get.pastDeadline = true;
    for (const w of this.provedByGet.splice(0)) w.reject(reason);
    this.retire(reason);
  }

  /**
   * The lane serves no further poll, and its stream ends with `reason` once no settlement awaits
   * its proof, nobody waits for an answer still owed, and at most one answer is owed: with two or
   * more owed, the broker's handler can block for good after the end and never close the
   * stream's transactions (docs/broker-behaviour.md §5.3). It ends with more only once every one
   * of them is past its own deadline (a connection that died silently, a stalled broker), since
   * nothing else would end it. The client's close() waits for the end within its drain time.
   */
  private retire(reason: KubemqError): void {
    if (this.endError) return;
    if (this.retiring) return this.endIfDone();
    this.retiring = reason;
    this.endIfDone();
    if (this.endError) return;
    let ended: Promise<void> | undefined;
    // A client that gave up reconnecting has no stream left to prove anything on. Tracked once
    // close() has begun, this is not drained (close() drains what it found tracked), which is
    // harmless: the owner's drain (a poll loop's, the pool's) already waits for the settlements
    // in hand, and the stream ends with the others.
    this.untrackRetiring = this.internals.track({
      drain: (failure) => (failure ? Promise.resolve() : (ended ??= new Promise((resolve) => this.endWaiters.push(resolve)))),
    });
  }

  /** The Get in flight, as an answer owed. */
  private get owedGet(): Owed | undefined {
    return this.getInFlight === undefined ? undefined : this.pending.get(this.getInFlight);
  }

  private endIfDone(): void {
    if (!this.retiring || this.endError || this.settleErrors.size > 0) return;
    let pastDeadline = 0;
    for (const owed of this.pending.values()) {
      if (!owed.unwanted) return; // its waiter still waits (within a deadline of its own)
      if (owed.pastDeadline) pastDeadline++;
    }
    if (this.pending.size > 1 && pastDeadline < this.pending.size) return;
    this.cancel(this.retiring);
  }

  private cancelledError(): KubemqError {
    return new KubemqError({ code: 'CANCELLED', operation: this.operation, message: 'the downstream stream was closed by the client' });
  }

  private build(init: DownstreamRequestInit): QueuesDownstreamRequest {
    return {
      RequestID: newId(),
      ClientID: this.internals.clientId,
      Channel: '',
      MaxItems: 0,
      WaitTimeout: 0,
      AutoAck: false,
      ReQueueChannel: '',
      SequenceRange: [],
      RefTransactionId: '',
      Metadata: {},
      ...init,
    };
  }

  /**
   * Writes in call order, also while the stream's buffer is full: the broker serves a stream's
   * requests in the order they arrive, and a settlement's proof (and the poll loop's next Get
   * behind it) rely on that order. Writes go straight through until a write fills the buffer;
   * from then on each one waits for the one before it (and for the drain), until the queue is empty.
   */
  private write(req: QueuesDownstreamRequest): Promise<void> {
    if (this.backlog === undefined) {
      let drain: Promise<void> | undefined;
      try {
        drain = this.writeNow(req);
      } catch (err) {
        return Promise.reject(err);
      }
      if (drain) this.queueBehind(drain);
      return Promise.resolve();
    }
    const mine = this.backlog.then(() => this.writeNow(req));
    this.queueBehind(mine.catch(() => undefined));
    return mine;
  }

  /** Writes one request now; returns the drain to wait for when the buffer is full. */
  private writeNow(req: QueuesDownstreamRequest): Promise<void> | undefined {
    if (this.endError) throw this.endError;
    const call = this.call;
    if (!call || !call.writable) throw this.closedError();
    return call.write(req) ? undefined : call.drained();
  }

  /** Makes later writes wait for `wait`; the backlog clears once the last queued write is done. */
  private queueBehind(wait: Promise<unknown>): void {
    const backlog: Promise<void> = wait.then(() => {
      if (this.backlog === backlog) this.backlog = undefined;
    });
    this.backlog = backlog;
  }

  private onResponse(response: QueuesDownstreamResponse): void {
    const id = response.RefRequestId;
    const waiter = this.pending.get(id);
    if (waiter) {
      this.pending.delete(id);
      // Taken now, not once the answer's callbacks run: a stream that breaks in the same turn did
      // not lose this Get.
      if (id === this.getInFlight) this.getDone().forEach((w) => w.resolve(response));
      waiter.resolve(response);
      this.endIfDone();
      return;
    }
    if (this.settleErrors.has(id)) {
      this.settleErrors.set(id, response);
      return;
    }
    this.internals.logger.debug?.('queues: downstream answer for no known request', { requestId: id, type: response.RequestTypeData });
  }

  private fail(requestId: string, err: KubemqError): void {
    const waiter = this.pending.get(requestId);
    if (!waiter) return;
    this.pending.delete(requestId);
    if (requestId === this.getInFlight) this.getDone().forEach((w) => w.reject(err));
    waiter.reject(err);
    this.endIfDone();
  }

  /** The Get in flight is answered or failed: returns the settlements it proves. */
  private getDone(): Pending[] {
    this.getInFlight = undefined;
    this.counters.getsInFlight--;
    return this.provedByGet.splice(0);
  }

  private closedError(): KubemqError {
    return new KubemqError({ code: 'UNAVAILABLE', retryable: true, operation: this.operation, message: 'the downstream stream is not open' });
  }

  private end(err: KubemqError): void {
    if (this.endError) return;
    this.endError = err;
    this.untrackRetiring?.();
    for (const resolve of this.endWaiters.splice(0)) resolve();
    // A Get cut by the client's close() is not lost: the broker, still up, returns what it takes.
    if (this.getInFlight !== undefined && !this.endedHere && err.code !== 'CLOSED') {
      this.lostGetInFlight = true;
      this.counters.getsInFlightAtLoss++;
      this.internals.logger.warn(
        'queues: a downstream stream was lost while a Get waited for its answer; a broker that crashed may keep for good up to maxItems messages for it, which this client never saw',
        { operation: this.operation, maxItems: this.maxItems, getsInFlightAtLoss: this.counters.getsInFlightAtLoss, code: err.code, error: err.message },
      );
    }
    const proved = this.getInFlight === undefined ? [] : this.getDone();
    if (this.call) this.counters.streamsOpen--;
    this.call = undefined;
    const waiters = [...this.pending.values(), ...proved, ...this.getProofWaiters];
    this.pending.clear();
    this.getProofWaiters = [];
    for (const w of waiters) w.reject(err);
    const listeners = [...this.endListeners];
    this.counters.endListeners -= listeners.length;
    this.endListeners.clear();
    for (const l of listeners) l(err);
  }
}
