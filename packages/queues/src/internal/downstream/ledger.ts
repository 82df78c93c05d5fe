// The settlement state machine of one poll transaction, with no I/O: which settlements may start,
// which messages each one covers, and what the broker's answer means for every message.
//
// A settlement is never answered by the broker on success (docs/broker-behaviour.md §2.4), so every settlement
// is followed on the same stream by a request the broker answers: an ActiveOffsets probe, or, for
// the settlement that ends a transaction in a poll loop, the loop's next Get. Requests on one
// downstream stream are served in order, so that answer proves the settlement was processed. A
// probe's content (the still-unsettled sequences, or "closed response") says what it did; behind
// an ending settlement, which always carries CloseByClient, the transaction is closed.
import type { KubemqError } from '@kubemq/core';
import { QueueTransactionError, type TransactionEndReason } from '../../errors.js';
import type { MessageSettlement, TransactionState } from '../../types.js';

export type SettleKind = 'ack' | 'nack' | 'requeue' | 'close';

/** What the proof after a settlement showed. */
export type ProbeOutcome =
  | { kind: 'open'; active: ReadonlySet<number> } // the transaction is still open with these sequences
  | { kind: 'closed' } // the broker has closed the transaction
  | { kind: 'lost' }; // no proof (the stream ended first, or the proof's deadline passed): the stream ends, and the broker returns unsettled messages

export interface SettlePlan {
  id: number;
  kind: SettleKind;
  /** Every message still pending (ackAll() and the like, or close()), else the ones named. */
  whole: boolean;
  sequences: number[];
  /** Where each of `sequences` sits in the ledger (same order), so completing needs no lookup. */
  slots: number[];
  /**
   * Send `CloseByClient` after the settlement: no known message is left pending. Messages the open
   * transaction captured after the poll (docs/broker-behaviour.md §2.4 [seen]) are hidden from everyone and
   * return to the queue only when the transaction closes.
   */
  closeAfter: boolean;
}

const FINAL: Record<Exclude<SettleKind, 'close'>, MessageSettlement> = { ack: 'acked', nack: 'nacked', requeue: 'requeued' };

/**
 * The messages' settlements are kept in slots, one per message in the order polled: a whole-transaction
 * settlement (the common case: a poll loop's ackAll()) walks the slots and never looks a sequence
 * up. The sequence → slot index is built only when a message is named (per-message settlements,
 * `settlement` reads): a Map per transaction cost about 130 ns per message on the ackAll() path.
 */
export class TransactionLedger {
  private txState: TransactionState;
  /** A whole-transaction settlement or close has started: no further settlement is accepted. */
  private ending: TransactionEndReason | undefined;
  /** Each message's sequence and its settlement, slot by slot. */
  private readonly sequences: readonly number[];
  private readonly states: MessageSettlement[];
  /** sequence → slot, built on the first lookup by sequence. */
  private slotOf: Map<number, number> | undefined;
  /** How many messages are 'pending' (kept with every change, so no settlement scans for it). */
  private pending = 0;
  private nextPlan = 1;

  constructor(
    readonly transactionId: string,
    readonly channel: string,
    sequences: readonly number[],
    /** Auto-acked polls arrive settled by the broker; empty polls are closed by the client at once. */
    initial: 'open' | 'settled',
  ) {
    this.sequences = ascending(sequences) ? sequences : [...new Set(sequences)];
    this.states = new Array<MessageSettlement>(this.sequences.length).fill(initial === 'open' ? 'pending' : 'acked');
    this.pending = initial === 'open' ? this.sequences.length : 0;
    this.txState = sequences.length === 0 ? 'closed' : initial;
  }

  get state(): TransactionState {
    return this.txState;
  }

  get isEmpty(): boolean {
    return this.sequences.length === 0;
  }

  /** Whether the message is one of this transaction's (without copying the sequences, as per-message settlements ask). */
  has(sequence: number): boolean {
    return this.slot(sequence) !== undefined;
  }

  /** Terminal: the transaction takes no more requests, so its stream may serve another poll. */
  get isTerminal(): boolean {
    return this.txState !== 'open';
  }

  messageState(sequence: number): MessageSettlement {
    const slot = this.slot(sequence);
    return slot === undefined ? 'released' : (this.states[slot] as MessageSettlement);
  }

  /** Starts a whole-transaction settlement, or throws without changing anything. */
  beginAll(kind: SettleKind, operation: string): SettlePlan {
    this.assertOpen(operation);
    const sequences: number[] = [];
    const slots: number[] = [];
    if (this.pending > 0) {
      for (let slot = 0; slot < this.states.length; slot++) {
        if (this.states[slot] !== 'pending') continue;
        sequences.push(this.sequences[slot] as number);
        slots.push(slot);
        this.states[slot] = 'settling';
      }
      this.pending = 0;
    }
    this.ending = kind === 'close' ? 'closed' : 'settled';
    return { id: this.nextPlan++, kind, whole: true, sequences, slots, closeAfter: true };
  }

  /** Starts a settlement of some messages, or throws (naming the sequence) without changing anything. */
  beginSequences(kind: Exclude<SettleKind, 'close'>, sequences: readonly number[], operation: string): SettlePlan {
    this.assertOpen(operation, sequences.length === 1 ? sequences[0] : undefined);
    const slots: number[] = [];
    for (const seq of sequences) {
      const slot = this.slot(seq);
      const state = slot === undefined ? 'released' : this.states[slot];
      if (state !== 'pending') {
        throw new QueueTransactionError({
          operation,
          channel: this.channel,
          transactionId: this.transactionId,
          reason: state === 'released' ? 'closed' : 'settled',
          sequence: seq,
        });
      }
      slots.push(slot as number);
    }
    for (const slot of slots) this.set(slot, 'settling');
    const closeAfter = this.pending === 0;
    if (closeAfter) this.ending = 'settled';
    return { id: this.nextPlan++, kind, whole: false, sequences: [...sequences], slots, closeAfter };
  }

  /**
   * Applies the broker's answer to a settlement: `error` is the broker's error for it (if any),
   * `probe` what the following ActiveOffsets showed. Returns the error the caller should see.
   *
   * A settlement the broker refused may have been applied in part: it settles the messages one
   * by one and stops at the one that fails (docs/broker-behaviour.md §2.4). Only an `open` probe
   * says which ones it applied; after a `closed` or `lost` one, the messages it covered stay
   * `settling` (never `released`: the broker may have acked them).
   */
  complete(plan: SettlePlan, error: KubemqError | undefined, probe: ProbeOutcome): KubemqError | undefined {
    if (probe.kind === 'lost') {
      this.markLost();
      return error;
    }
    const done: MessageSettlement = plan.kind === 'close' ? 'released' : FINAL[plan.kind];
    // Refused, and closed since (by the close behind it): each one was settled, or released by that close.
    const unknown = probe.kind === 'closed' && error !== undefined && plan.kind !== 'close';
    for (let i = 0; i < plan.slots.length; i++) {
      const slot = plan.slots[i] as number;
      if (probe.kind === 'open' && probe.active.has(plan.sequences[i] as number)) {
        // Still held by the transaction: the settlement did not apply to this one.
        this.set(slot, 'pending');
      } else if (!unknown) {
        this.set(slot, done);
      }
    }
    if (probe.kind === 'closed') {
      if (this.pending > 0) for (let slot = 0; slot < this.states.length; slot++) if (this.states[slot] === 'pending') this.set(slot, 'released');
      if (this.txState === 'open') this.txState = plan.kind === 'close' || this.ending === 'closed' || error !== undefined ? 'closed' : 'settled';
    } else if (this.ending !== undefined && this.pending > 0) {
      // The ending settlement failed and the transaction is still open: accept settlements again.
      this.ending = undefined;
    }
    return error;
  }

  /**
   * The stream ended: the broker returns every unsettled message to the queue (if it is still up).
   * Returns how many messages were unsettled: `released` ones, and those of a settlement with no
   * proof, which stay `settling` (the broker may have applied it).
   */
  markLost(): number {
    if (this.txState !== 'open') return 0;
    let unsettled = 0;
    for (let slot = 0; slot < this.states.length; slot++) {
      const state = this.states[slot];
      if (state === 'pending') this.set(slot, 'released');
      if (state === 'pending' || state === 'settling') unsettled++;
    }
    this.txState = 'lost';
    return unsettled;
  }

  private set(slot: number, state: MessageSettlement): void {
    if (this.states[slot] === 'pending') this.pending--;
    if (state === 'pending') this.pending++;
    this.states[slot] = state;
  }

  private slot(sequence: number): number | undefined {
    if (this.slotOf === undefined) {
      this.slotOf = new Map();
      for (let slot = 0; slot < this.sequences.length; slot++) this.slotOf.set(this.sequences[slot] as number, slot);
    }
    return this.slotOf.get(sequence);
  }

  private assertOpen(operation: string, sequence?: number): void {
    const reason: TransactionEndReason | undefined =
      this.txState === 'open' ? this.ending : this.txState === 'lost' ? 'lost' : this.txState === 'closed' ? 'closed' : 'settled';
    if (reason !== undefined) {
      throw new QueueTransactionError({
        operation,
        channel: this.channel,
        transactionId: this.transactionId,
        reason,
        ...(sequence !== undefined && { sequence }),
      });
    }
  }
}

/** Strictly ascending, hence free of duplicates: what the broker sends (a poll's messages in queue order). */
function ascending(sequences: readonly number[]): boolean {
  for (let i = 1; i < sequences.length; i++) if ((sequences[i] as number) <= (sequences[i - 1] as number)) return false;
  return true;
}
