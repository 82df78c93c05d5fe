// The poll loop behind subscribe(), transactions() and queueConsumer(): one downstream stream per loop,
// one Get at a time, one open transaction at a time. The next Get is written as soon as the
// transaction in hand has written the settlement that ends it, so a batch costs one round trip. The
// broker serves a stream's requests one at a time, in order (docs/broker-behaviour.md §2.4), so the
// Get's answer is that settlement's proof. After a short batch (the Get waited out its time, so the
// next one probably will too) an ActiveOffsets probe goes between them instead, so that the
// settlement does not wait for the next Get's wait. The new transaction is delivered only once the
// previous one is terminal. Rebuilt by core's recoverable() after a connection loss.
import { KubemqError } from '@kubemq/core';
import type { Observable } from 'rxjs';
import { observable, onAbort, recoverable, type ClientInternals } from '@kubemq/core/internal';
import { DownstreamLane, type LaneCounters } from '../downstream/lane.js';
import { pollOnLane } from '../downstream/poll.js';
import type { PollTransaction, TransactionHost } from '../downstream/transaction.js';
import type { ValidPoll } from '../validation.js';

export interface PollLoopOptions {
  request: ValidPoll;
  operation: string;
  defaultTimeoutMs: number;
  counters: LaneCounters;
  /** Polls per stream before it is replaced (the broker keeps settled transactions per stream). */
  maxTransactionsPerStream?: number;
  /** Each re-open after a connection loss. */
  onRecover?: (attempt: number) => void;
  /**
   * Asked before every Get: false once the owner stops. No Get goes out then, none is written
   * ahead, and the loop completes once the Get in flight has answered (its transaction closed at
   * once when it took messages), so the stream can end with nothing pending on the broker: a Get
   * left waiting there would take messages sent meanwhile and hide them until its wait is over.
   */
  keepPolling?: () => boolean;
  /**
   * A `for await` loop's pace: resolves once the loop has taken all it was given and asks for more.
   * Awaited before a Get that is not written behind the settlement ending the transaction in hand.
   * With autoAck a transaction is terminal on arrival and the broker has acked its messages, so
   * without it the loop would poll ahead, and lose whatever it held unread when it ended. Without
   * autoAck a transaction lost with its stream is terminal before the loop has read it all: the
   * next poll would bring a new batch while the loop is still on the old one, held at the broker
   * (hidden from other consumers) until the loop gets to it.
   */
  delivered?: () => Promise<void>;
}

function asKubemqError(err: unknown, operation: string, channel: string): KubemqError {
  if (KubemqError.isKubemqError(err)) return err;
  return new KubemqError({ code: 'UNKNOWN', operation, channel, message: err instanceof Error ? err.message : String(err), cause: err });
}

/** One attempt: a fresh stream, polled until it breaks or the subscriber leaves. */
function pollLoop(internals: ClientInternals, opts: PollLoopOptions, ready: () => void): Observable<PollTransaction> {
  return observable<PollTransaction>((subscriber) => {
    let lane = new DownstreamLane(internals, opts.operation, opts.counters);
    // Ends a wait for the connection when the owner stops: an outage could otherwise hold the
    // stopped loop in memory until the connection returns.
    const stopWaiting = new AbortController();
    const maxPerStream = opts.maxTransactionsPerStream ?? 1000;
    // A loop's polls have no deadline of their own beyond the wait plus the default timeout.
    const call = { signal: undefined, timeoutMs: undefined };
    const keepPolling = opts.keepPolling ?? (() => true);
    let stopped = false;
    /** The transaction delivered and not yet terminal. */
    let inHand: PollTransaction | undefined;
    /** The Get written behind the ending settlement of `inHand` (its answer is used only after `inHand` is terminal). */
    let next: Promise<PollTransaction> | undefined;
    const poll = (): Promise<PollTransaction> => pollOnLane(lane, opts.request, call, host, opts.operation);
    const writeNext = (): void => {
      next = poll();
      next.catch(() => undefined); // awaited below; a lost stream rejects it before then
    };
    const host: TransactionHost = {
      defaultTimeoutMs: opts.defaultTimeoutMs,
      telemetry: internals.telemetry,
      // The loop polls on its own: each poll starts a trace of its own, not one under whatever
      // was active where the loop was made (or under the previous transaction's settlement).
      detached: true,
      onTerminal: () => undefined,
      followingGet: (tx) => {
        // A stream due for replacement gets no further Get: it is replaced once tx is terminal.
        if (stopped || !keepPolling() || tx !== inHand || next !== undefined || !lane.alive || lane.transactionsServed >= maxPerStream) return undefined;
        // A full batch answers as soon as its messages are there, and more are probably waiting.
        return { asProof: tx.messages.length >= opts.request.maxItems, write: writeNext };
      },
    };
    const run = async (): Promise<void> => {
      await lane.open(opts.request.channel, stopWaiting.signal);
      // The stream is open (the broker sends no header to prove more): the re-open counts as done.
      if (!stopped) ready();
      while (!stopped) {
        if (next === undefined && !keepPolling()) return subscriber.complete();
        if (!lane.opened) {
          // A replacement stream: opened here, so that the owner's stop ends its wait for the connection.
          await lane.open(opts.request.channel, stopWaiting.signal);
          if (stopped) return;
        }
        const pending = next ?? poll();
        next = undefined;
        const tx = await pending;
        if (stopped) return;
        if (!keepPolling()) {
          // Polled before the owner stopped: its messages go back to the queue now. With autoAck
          // the broker has acked them: they are handed over rather than lost (not those of a
          // transaction lost with its stream: the broker has them back).
          if (tx.messages.length > 0 && tx.state === 'settled') subscriber.next(tx);
          else if (tx.messages.length > 0) await tx.settleDetached('close').catch(() => undefined);
          return subscriber.complete();
        }
        if (tx.messages.length > 0) {
          inHand = tx;
          subscriber.next(tx);
          await tx.whenTerminal();
          inHand = undefined;
          if (tx.state === 'lost' && !stopped) {
            // A `for await` loop may not have read all of it yet (a subscribe() loop still gets the
            // rest, `released`): the next Get, on whichever stream, waits until it has.
            if (opts.delivered) await opts.delivered();
            if (stopped) return;
            const endingHere = lane.endingHere;
            if (endingHere === undefined || endingHere.retryable) {
              // Lost, or ended for a deadline (a stalled broker, say): re-opened after a pause.
              throw lane.error ?? new KubemqError({ code: 'UNAVAILABLE', retryable: true, operation: opts.operation, message: 'the downstream stream was lost' });
            }
            // A settlement's own signal aborted, and this client is ending the stream for it: that
            // settlement has rejected, not the subscription, which goes on, on a fresh stream. The
            // Get written behind it on the old one is no longer wanted (the stream returns its messages).
            lane.endWhenSafe();
            next = undefined;
            lane = new DownstreamLane(internals, opts.operation, opts.counters);
            continue;
          }
          if (opts.delivered && next === undefined) await opts.delivered();
        }
        if (!stopped && next === undefined && lane.transactionsServed >= maxPerStream) {
          // Nothing is open on it now, so ending it loses nothing.
          lane.cancel();
          lane = new DownstreamLane(internals, opts.operation, opts.counters);
        }
      }
    };
    run().catch((err: unknown) => {
      if (stopped) return;
      // An owner that is stopping ends quietly: what went wrong cannot hand it anything more.
      if (!keepPolling()) subscriber.complete();
      else subscriber.error(asKubemqError(err, opts.operation, opts.request.channel));
    });
    return () => {
      stopped = true;
      stopWaiting.abort();
      // Ending a downstream stream is safe (docs/broker-behaviour.md §5.3); the broker returns every
      // message of its open transactions to the queue (a pending Get's included). A settlement
      // already written gets its proof first: it may have been applied.
      lane.endWhenSafe();
    };
  });
}

/**
 * Which breaks a poll loop survives: core's `retryable` (connection losses, including a stream the
 * stopping broker reset), plus UNKNOWN. Any other error ends it: validation, authentication,
 * permission, an oversized message.
 */
export function consumerRetryable(err: KubemqError): boolean {
  // Queue-only: the broker answers queue RPCs during shutdown with a bare gRPC UNKNOWN (broker-behaviour.md §5.1), which core can't tell from other UNKNOWNs.
  return err.retryable || err.code === 'UNKNOWN';
}

/** The poll loop, re-opened after every retryable break. */
export function pollTransactions(internals: ClientInternals, opts: PollLoopOptions): Observable<PollTransaction> {
  return recoverable(internals, (_attempt, ready) => pollLoop(internals, opts, ready), {
    operation: opts.operation,
    channel: opts.request.channel,
    isRetryable: consumerRetryable,
    ...(opts.onRecover && { onRecover: opts.onRecover }),
  });
}

/**
 * The poll loop of `subscribe()` and `transactions()`, drained by the client's close(): no Get goes
 * out once the drain begins; the transaction last delivered stays with its subscriber (a `for await`
 * loop's body, say) until it is settled or closed, a settlement already written gets its proof,
 * a Get already out is waited for and what it took is closed; then the loop completes. The
 * client's drain time bounds all this (queueConsumer() drains the same way, through its stop()).
 * Once the subscription's `signal` aborts no Get goes out either, and the loop ends (see below).
 */
export function drainedPollTransactions(internals: ClientInternals, opts: PollLoopOptions, signal?: AbortSignal): Observable<PollTransaction> {
  return observable<PollTransaction>((subscriber) => {
    let draining = false;
    /** The transaction last delivered (terminal or not). */
    let delivered: PollTransaction | undefined;
    /** Ends the loop's wait for a paced reader once the drain begins: no Get follows it then. */
    let wake: (() => void) | undefined;
    const paced = opts.delivered;
    let untrack = (): void => undefined;
    let ended!: () => void;
    const over = new Promise<void>((resolve) => (ended = resolve));
    const inner = pollTransactions(internals, {
      ...opts,
      // A loop whose signal aborted ends at its next step: what a Get took then would only go back.
      keepPolling: () => !draining && signal?.aborted !== true,
      ...(paced && {
        // Once the drain has begun, not at all: a loop body that awaits close() right after a
        // delivery starts the drain before the loop gets here, and would wait for itself.
        delivered: () =>
          draining || signal?.aborted === true
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                wake = resolve;
                void paced().then(resolve);
              }),
      }),
    }).subscribe({
      next: (tx) => {
        delivered = tx;
        subscriber.next(tx);
      },
      error: (err: unknown) => {
        untrack();
        ended();
        subscriber.error(err);
      },
      complete: () => {
        untrack();
        ended();
        subscriber.complete();
      },
    });
    /**
     * Ends the loop once no Get is out: none goes out any more (keepPolling), the transaction last
     * delivered is settled or closed, and with a stream open the loop ends by itself, at once or
     * once a Get already out has answered and what it took is closed (autoAck: handed over).
     * Without a stream nothing is out: it ends now.
     */
    const finish = async (): Promise<void> => {
      wake?.();
      await delivered?.whenTerminal();
      if (opts.counters.streamsOpen > 0) await over;
      untrack();
      inner.unsubscribe();
      subscriber.complete();
    };
    // Made on a client already closing: it fails with CLOSED as it is (recoverable()).
    if (!inner.closed && internals.accepting) {
      untrack = internals.track({
        drain: async (failure) => {
          // A client that gave up reconnecting: the loop ends with that failure, as any stream.
          if (failure) return;
          draining = true;
          await finish();
        },
      });
    }
    // With autoAck the broker acks what a Get hands out, and a Get cut from its stream goes on
    // taking (and acking) what arrives until its wait is over (§5.3): an abort ends the loop as the
    // drain does, once the Get already out has answered, handing over what it took. Without, a
    // subscriber sees the subscription complete at once, and the stream ends; a paced `for await`
    // loop ends at its next step instead (handedOnDemand sees to it).
    const stopListening = opts.request.autoAck
      ? onAbort(signal, () => void finish())
      : paced
        ? () => undefined
        : onAbort(signal, () => subscriber.complete());
    return () => {
      stopListening();
      untrack();
      ended();
      inner.unsubscribe();
    };
  });
}
