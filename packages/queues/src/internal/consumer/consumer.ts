// queueConsumer(): run a handler for every message. Per batch: handlers run (at most `concurrency` at a
// time), then the whole batch is settled in one go (ack the successes, nack the failures), and
// only then does the loop poll again.
import type { Instrumentation, KubemqError } from '@kubemq/core';
import { callQuietly, onAbort, traced, within, type Drainable } from '@kubemq/core/internal';
import type { Subscription, Observable } from 'rxjs';
import type { PolledQueueMessage } from '../../types.js';
import type { LaneCounters } from '../downstream/lane.js';
import type { PollTransaction } from '../downstream/transaction.js';
import { queueProcessOperation } from '../telemetry.js';
import type { ProcessedMemory } from './processed.js';
import type { QueueConsumer, QueueConsumerStats, QueueHandler } from './queue-consumer.js';

/** What the consumer tells the poll loop it reads from. */
export interface ConsumerHooks {
  /** Counts a re-open after a connection loss. */
  onRecover(): void;
  /** False once the consumer stops: no further Get goes out. */
  keepPolling(): boolean;
}

export interface ConsumerRun {
  /** Opens the poll loop the consumer reads from. */
  open(hooks: ConsumerHooks): Observable<PollTransaction>;
  /** How long stop() waits for the Get in flight to answer before it ends the stream: the Get's wait and a second. */
  stopWaitMs: number;
  counters: LaneCounters;
  handler: QueueHandler;
  concurrency: number;
  /** Told of each handler error and each unconfirmed settlement (the caller's, or a warning through the client's logger). */
  onError: (error: unknown, message: PolledQueueMessage | undefined) => void;
  signal: AbortSignal | undefined;
  track: (resource: Drainable) => () => void;
  /** The client's telemetry: each handler call runs in a process span, a child of the message's producer. */
  telemetry?: Instrumentation | undefined;
  /** Messages already handled by this client's consumers of the queue; released when the consumer stops. */
  processed: { memory: ProcessedMemory; release(): void };
}

/** Starts a consumer: its poll loop opens at once. */
export function startConsumer(run: ConsumerRun): QueueConsumer {
  return new RunningConsumer(run);
}

/** The consumer behind {@link QueueConsumer}: one batch in hand at a time, settled as a whole. */
class RunningConsumer implements QueueConsumer {
  private readonly subscription: Subscription;
  private inHand: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private recoveries = 0;
  private readonly totals = { batches: 0, messages: 0, acked: 0, redeliveriesSkipped: 0, nacked: 0, handlerErrors: 0, settleErrors: 0 };
  private readonly finished: Promise<void>;
  private finish!: (err?: KubemqError) => void;
  private readonly untrack: () => void;
  /** Removes the listener on the run's signal. */
  private stopListening: () => void = () => undefined;
  private cleanedUp = false;

  constructor(private readonly run: ConsumerRun) {
    this.finished = new Promise<void>((resolve, reject) => {
      this.finish = (err) => (err ? reject(err) : resolve());
    });
    this.finished.catch(() => undefined);
    // A client that gave up reconnecting ends the consumer with that failure (done rejects).
    this.untrack = run.track({ drain: (failure) => this.stopWith(failure) });
    const source = run.open({ onRecover: () => void this.recoveries++, keepPolling: () => this.stopping === undefined });
    this.subscription = source.subscribe({
      next: (tx) => {
        // A batch that arrives after stop() is not in hand: it stays unhandled until the stream
        // ends right after, and the broker returns its messages to the queue.
        if (this.stopping) return;
        // One batch at a time, also when a lost stream hands over a batch while the one before
        // it is still being handled.
        const previous = this.inHand ?? Promise.resolve();
        const current: Promise<void> = previous.then(() => this.handle(tx)).finally(() => {
          if (this.inHand === current) this.inHand = undefined;
        });
        this.inHand = current;
      },
      error: (err: KubemqError) => {
        this.cleanup();
        this.finish(err);
      },
      complete: () => {
        this.cleanup();
        this.finish();
      },
    });
    // Aborting the signal stops the consumer (at once when it already has), unless it already ended.
    if (!this.cleanedUp) this.stopListening = onAbort(run.signal, () => void this.stop());
  }

  get stats(): QueueConsumerStats {
    const c = this.run.counters;
    return {
      ...this.totals,
      recoveries: this.recoveries,
      polls: c.gets,
      pollsInFlight: c.getsInFlight,
      maxPollsInFlight: c.maxGetsInFlight,
      streamsOpened: c.streamsOpened,
      streamsOpen: c.streamsOpen,
      listeners: c.endListeners,
      unsettledAtLoss: c.unsettledAtLoss,
      pollsInFlightAtLoss: c.getsInFlightAtLoss,
      transactionsOpenAtLoss: c.transactionsOpenAtLoss,
    };
  }

  get done(): Promise<void> {
    return this.finished;
  }

  stop(): Promise<void> {
    return this.stopWith(undefined);
  }

  /** stop(), ending with `failure` (reported, and done rejects with it) when there is one. */
  private stopWith(failure: KubemqError | undefined): Promise<void> {
    this.stopping ??= (async () => {
      await this.inHand;
      // The loop polls no more and ends once its Get in flight has answered, which settles
      // `finished` (its complete or error). With no Get out (a reconnect under way, say) there is
      // nothing to wait for; a client that gave up reconnecting (a failure) answers nothing; and a
      // Get that outlasts its wait and a second is ended.
      if (!failure && this.run.counters.getsInFlight > 0) await within(this.finished, { timeoutMs: this.run.stopWaitMs });
      this.subscription.unsubscribe();
      this.cleanup();
      if (failure) this.report(failure, undefined);
      this.finish(failure);
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private cleanup(): void {
    this.cleanedUp = true;
    this.stopListening();
    this.untrack();
    this.run.processed.release();
  }

  private async handle(tx: PollTransaction): Promise<void> {
    this.totals.batches++;
    const failed: PolledQueueMessage[] = [];
    const { memory } = this.run.processed;
    let skipped = 0;
    const queue = [...tx.messages];
    const worker = async (): Promise<void> => {
      for (let msg = queue.shift(); msg; msg = queue.shift()) {
        let claim = memory.claim(msg);
        // Another handler has this stored message (a redelivery after a lost stream): its outcome decides.
        while (typeof claim !== 'string') {
          await claim;
          claim = memory.claim(msg);
        }
        if (claim === 'handled') {
          skipped++; // handled already: acked with the batch, not handled twice
          continue;
        }
        this.totals.messages++;
        try {
          const message = msg;
          await traced(this.run.telemetry, () => queueProcessOperation(message), async () => this.run.handler(message));
          // A handler that nacked or requeued its message itself asked for it to be delivered
          // again or moved: should its stream lose that settlement, the broker's redelivery must
          // reach the handler again, not be acked as handled. (Applied, the nack or requeue makes a
          // new message: forgetting this one costs nothing.)
          const asked = tx.askedFor(msg.sequence);
          if (asked === 'nack' || asked === 'requeue') memory.release(msg);
          else memory.handled(msg);
        } catch (err) {
          memory.release(msg);
          this.totals.handlerErrors++;
          failed.push(msg);
          this.report(err, msg);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.run.concurrency, tx.messages.length) }, worker));
    this.totals.redeliveriesSkipped += skipped;
    // A handler may settle its own message (an ack, or a nack before it throws): the batch's
    // settlement covers only what is still pending, so it never fails on those, and a nacked
    // message is not nacked a second time.
    const nacks = failed.filter((m) => m.settlement === 'pending').map((m) => m.sequence);
    const pending = tx.messages.reduce((n, m) => (m.settlement === 'pending' ? n + 1 : n), 0);
    try {
      // The consumer's own settlements: each starts a trace of its own (see settleDetached()).
      if (tx.state === 'lost') {
        await tx.settleDetached('ack'); // fails with the loss: reported below; the broker delivers the batch again
      } else if (pending > 0 && nacks.length === pending) {
        await tx.settleDetached('nack');
      } else if (pending > 0) {
        if (nacks.length > 0) await tx.settleDetached('nack', nacks);
        await tx.settleDetached('ack');
      }
      // Counted by where each message ended, the ones a handler settled itself included.
      for (const m of tx.messages) {
        if (m.settlement === 'acked') this.totals.acked++;
        else if (m.settlement === 'nacked') this.totals.nacked++;
      }
    } catch (err) {
      this.totals.settleErrors++;
      this.report(err, undefined);
      // Whatever the broker did not confirm is returned to the queue when the stream ends.
      if (tx.state === 'open') await tx.settleDetached('close').catch(() => undefined);
    }
  }

  private report(err: unknown, message: PolledQueueMessage | undefined): void {
    callQuietly(() => this.run.onError(err, message)); // a failing error callback must not stop the consumer
  }
}
