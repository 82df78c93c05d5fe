// A poll transaction bound to the lane (stream) it was polled on: settlements go to that stream, and
// a settlement's promise resolves once the broker has processed it. The broker answers a
// settlement only when it fails, so the proof is the answer to a later request on the same stream,
// which the broker serves after it: the next Get when one goes right behind the settlement that
// ends the transaction (the poll loop's, or that of a poll() made in the same turn), else an
// ActiveOffsets probe.
import { KubemqError, TimeoutError, type CallOptions, type Instrumentation } from '@kubemq/core';
import { brokerError, checked, deadline, QueuesDownstreamRequestType, traced, type QueueMessage as WireQueueMessage, type QueuesDownstreamResponse } from '@kubemq/core/internal';
import { ReceivedMessage } from '../conversions.js';
import type {
  MessageSettlement,
  PolledQueueMessage,
  PollResponse,
  QueueRequeueOptions,
  TransactionState,
} from '../../types.js';
import { validateCallOptions, validateRequeue, validateSequences } from '../validation.js';
import { queueSettleOperation } from '../telemetry.js';
import { QueueTransactionError } from '../../errors.js';
import type { DownstreamLane } from './lane.js';
import { TransactionLedger, type ProbeOutcome, type SettleKind, type SettlePlan } from './ledger.js';

const SETTLE_REQUEST: Record<Exclude<SettleKind, 'close'>, { all: QueuesDownstreamRequest_Type; range: QueuesDownstreamRequest_Type }> = {
  ack: { all: QueuesDownstreamRequestType.AckAll, range: QueuesDownstreamRequestType.AckRange },
  nack: { all: QueuesDownstreamRequestType.NAckAll, range: QueuesDownstreamRequestType.NAckRange },
  requeue: { all: QueuesDownstreamRequestType.ReQueueAll, range: QueuesDownstreamRequestType.ReQueueRange },
};

export interface TransactionHost {
  /** Default deadline for a settlement's round trip. */
  defaultTimeoutMs: number;
  /** Called once when the transaction takes no more requests (its lane is free again). */
  onTerminal(tx: PollTransaction): void;
  /** The client's telemetry: polls and settlements are recorded there. */
  telemetry?: Instrumentation | undefined;
  /** The poll loops: the SDK polls on its own, so each poll starts a trace of its own. */
  detached?: boolean;
  /**
   * Poll loops only (never `poll()`): asked once the settlement that ends the transaction is
   * written, whether the host writes its next Get on the same stream right behind it.
   */
  followingGet?(tx: PollTransaction): FollowingGet | undefined;
  /**
   * `poll()` only: called once the settlement that ends the transaction and its probe are written.
   * Returns true when the lane went back to its pool at once, so that a `poll()` made before the
   * probe is answered takes it and writes its Get behind the probe.
   */
  releaseEarly?(tx: PollTransaction): boolean;
}

/** A settlement's own arguments: where a requeue sends the messages ('' for the other kinds) and the call's bounds. */
function settleArguments(kind: SettleKind, requeue: QueueRequeueOptions | undefined, options: CallOptions | undefined) {
  return {
    channel: kind === 'requeue' ? validateRequeue(requeue) : '',
    call: validateCallOptions(options, kind === 'requeue' ? 'callOptions' : 'options'),
  };
}

/**
 * A settlement's own deadline ended its transaction (its stream is ended): the same settlement
 * cannot succeed again, so its TimeoutError is not retryable, unlike a request's.
 */
function final(err: KubemqError): KubemqError {
  if (!(err instanceof TimeoutError)) return err;
  const { message, operation, channel, timeoutMs, sent, cause } = err;
  return new TimeoutError({ message, operation, channel, timeoutMs, sent, cause, retryable: false });
}

/** A call whose signal had aborted before anything was written: it sent nothing, and changed nothing. */
export function abortedUnsent(operation: string, channel: string, what: string, signal: AbortSignal): KubemqError {
  return new KubemqError({ code: 'CANCELLED', operation, channel, message: `${what} was not sent: its signal had already aborted`, cause: signal.reason });
}

/** The next Get a poll loop writes behind the settlement that ends a transaction. */
export interface FollowingGet {
  /**
   * The Get's answer is the settlement's proof, and no ActiveOffsets is sent. When false, the
   * transaction writes an ActiveOffsets probe first and the Get goes behind it: a Get answers only
   * once it has `maxItems` messages or its wait is over, and a settlement proved by it would wait
   * as long.
   */
  asProof: boolean;
  /** Writes the Get. */
  write(): void;
}

export class PollTransaction implements PollResponse {
  readonly messages: readonly PolledQueueMessage[];
  private readonly ledger: TransactionLedger;
  private terminalSignalled = false;
  /** Stops listening for the end of the lane (a no-op until then, and when the lane had already ended). */
  private unlisten: () => void = () => undefined;
  private readonly terminal: Promise<void>;
  private resolveTerminal!: () => void;

  constructor(
    private readonly lane: DownstreamLane,
    private readonly host: TransactionHost,
    response: QueuesDownstreamResponse,
    readonly channel: string,
    received: readonly WireQueueMessage[],
    autoAck: boolean,
    /** The Get filled up (it answered with its `maxItems`): see settle(). */
    private readonly filled: boolean,
  ) {
    this.terminal = new Promise((resolve) => (this.resolveTerminal = resolve));
    const state = (sequence: number): MessageSettlement => this.ledger.messageState(sequence);
    const settle = this.settleOne;
    this.messages = received.map((wire) => new PolledMessage(wire, response.TransactionId, state, settle));
    this.ledger = new TransactionLedger(
      response.TransactionId,
      channel,
      this.messages.map((m) => m.sequence),
      autoAck ? 'settled' : 'open',
    );
    // A lane that has already ended (its stream broke as the answer came) calls back at once.
    // Only while open: a terminal transaction stops listening (checkTerminal()).
    if (!this.ledger.isTerminal) {
      this.unlisten = lane.onEnd(() => {
        lane.noteOpenAtEnd(this.ledger.markLost(), channel, this.transactionId);
        this.checkTerminal();
      });
    }
    this.checkTerminal();
  }

  get transactionId(): string {
    return this.ledger.transactionId;
  }

  get state(): TransactionState {
    return this.ledger.state;
  }

  /** Resolves when the transaction takes no more requests (settled, closed or lost). */
  whenTerminal(): Promise<void> {
    return this.terminal;
  }

  ackAll(options?: CallOptions): Promise<void> {
    return this.settleAll('ack', 'queues.transaction.ackAll', undefined, options);
  }

  nackAll(options?: CallOptions): Promise<void> {
    return this.settleAll('nack', 'queues.transaction.nackAll', undefined, options);
  }

  requeueAll(options: QueueRequeueOptions, callOptions?: CallOptions): Promise<void> {
    return this.settleAll('requeue', 'queues.transaction.requeueAll', options, callOptions);
  }

  ackSequences(sequences: readonly number[], options?: CallOptions): Promise<void> {
    return this.settleSome('ack', 'queues.transaction.ackSequences', sequences, undefined, options);
  }

  nackSequences(sequences: readonly number[], options?: CallOptions): Promise<void> {
    return this.settleSome('nack', 'queues.transaction.nackSequences', sequences, undefined, options);
  }

  requeueSequences(sequences: readonly number[], options: QueueRequeueOptions, callOptions?: CallOptions): Promise<void> {
    return this.settleSome('requeue', 'queues.transaction.requeueSequences', sequences, options, callOptions);
  }

  /** Idempotent: closing a transaction that takes no more settlements resolves without sending. */
  close(options?: CallOptions): Promise<void> {
    return this.closeWith(options, false);
  }

  /**
   * A settlement the SDK makes on its own (a consumer's batch, a poll loop closing what it polled
   * as its owner stops): ack or nack `sequences` (default: all), or close. It starts a trace of
   * its own rather than continuing whatever context is active.
   */
  settleDetached(kind: 'ack' | 'nack' | 'close', sequences?: readonly number[]): Promise<void> {
    if (kind === 'close') return this.closeWith(undefined, true);
    if (sequences) return this.settleSome(kind, `queues.transaction.${kind}Sequences`, sequences, undefined, undefined, true);
    return this.settleAll(kind, `queues.transaction.${kind}All`, undefined, undefined, true);
  }

  private async closeWith(options: CallOptions | undefined, detached: boolean): Promise<void> {
    if (this.ledger.isTerminal) return;
    const call = checked('queues.transaction.close', this.channel, () => validateCallOptions(options));
    this.refuseAborted('queues.transaction.close', call.signal);
    let plan: SettlePlan;
    try {
      plan = this.ledger.beginAll('close', 'queues.transaction.close');
    } catch {
      // A settlement that ends the transaction is already on its way.
      return this.terminal;
    }
    await this.run(plan, '', call, 'queues.transaction.close', detached);
  }

  /** `requeue`: where a requeue sends the messages (undefined for the other kinds); `options`: the call's. */
  private async settleAll(
    kind: SettleKind,
    operation: string,
    requeue: QueueRequeueOptions | undefined,
    options: CallOptions | undefined,
    detached = false,
  ): Promise<void> {
    const { channel, call } = checked(operation, this.channel, () => settleArguments(kind, requeue, options));
    this.refuseAborted(operation, call.signal);
    if (this.ledger.isEmpty) return; // an empty poll: closed as it arrived, nothing to settle
    const plan = this.ledger.beginAll(kind, operation);
    await this.run(plan, channel, call, operation, detached);
  }

  private async settleSome(
    kind: Exclude<SettleKind, 'close'>,
    operation: string,
    sequences: readonly number[],
    requeue: QueueRequeueOptions | undefined,
    options: CallOptions | undefined,
    detached = false,
  ): Promise<void> {
    const { channel, call, valid } = checked(operation, this.channel, () => ({
      ...settleArguments(kind, requeue, options),
      valid: validateSequences(sequences, this.ledger),
    }));
    this.refuseAborted(operation, call.signal);
    const plan = this.ledger.beginSequences(kind, valid, operation);
    await this.run(plan, channel, call, operation, detached);
  }

  private run(
    plan: SettlePlan,
    requeueTo: string,
    call: { signal: AbortSignal | undefined; timeoutMs: number | undefined },
    operation: string,
    /** Made by the SDK on its own (`settleDetached()`): traced from the root context. */
    detached: boolean,
  ): Promise<void> {
    return traced(
      this.host.telemetry,
      () => queueSettleOperation(plan.kind, this.channel, this.settled(plan), { detached }),
      () => this.settle(plan, requeueTo, call, operation),
    );
  }

  /** A signal that has already aborted: nothing is written, and the transaction stays as it is. */
  private refuseAborted(operation: string, signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw abortedUnsent(operation, this.channel, 'the settlement', signal);
  }

  /** The messages a settlement covers (for the links of its span). */
  private settled(plan: SettlePlan): PolledQueueMessage[] {
    if (plan.whole) return [...this.messages];
    const sequences = new Set(plan.sequences);
    return this.messages.filter((m) => sequences.has(m.sequence));
  }

  private async settle(
    plan: SettlePlan,
    requeueTo: string,
    call: { signal: AbortSignal | undefined; timeoutMs: number | undefined },
    operation: string,
  ): Promise<void> {
    const ref = this.transactionId;
    let settleId: string | undefined;
    let closeId: string | undefined;
    let probe: ProbeOutcome;
    let error: KubemqError | undefined;
    /** The error of this settlement's own deadline or signal, once one ended the wait for the proof. */
    const bound: { expired?: KubemqError } = {};
    let getBehind = false;
    let releasedEarly = false;
    let endStream = false;
    try {
      const close = () => this.lane.send({ RequestTypeData: QueuesDownstreamRequestType.CloseByClient, RefTransactionId: ref, Channel: this.channel });
      // A whole settlement with nothing left pending (the rest being settled one by one) is a close.
      const kind = plan.kind;
      const closesOnly = kind === 'close' || plan.sequences.length === 0;
      // The broker's AckAll, NAckAll and ReQueueAll act on what its transaction holds, which, when
      // the Get's wait ran out, can be a message it took in after building the answer: so such a
      // settlement names the messages this client was given, and the close returns the rest. A
      // Get that filled up stops taking messages at once, so the whole-transaction request (which
      // carries no list to encode) settles exactly what this client was given.
      const byName = !plan.whole || !this.filled;
      settleId = closesOnly
        ? close()
        : this.lane.send({
            RequestTypeData: SETTLE_REQUEST[kind][byName ? 'range' : 'all'],
            RefTransactionId: ref,
            Channel: this.channel,
            ReQueueChannel: requeueTo,
            SequenceRange: byName ? plan.sequences.map((s) => BigInt(s)) : [],
          });
      // The close goes before the proof, so the proof shows that the transaction is closed.
      if (plan.closeAfter && !closesOnly) closeId = close();
      const following = plan.closeAfter ? this.host.followingGet?.(this) : undefined;
      // A deadline or signal of the caller's own keeps the probe: the Get has its own deadline (its
      // wait plus the default timeout), and ending the stream on the caller's would end the Get too.
      const byGet = plan.closeAfter && call.timeoutMs === undefined && call.signal === undefined;
      if (byGet && following?.asProof) {
        const proofByGet = this.lane.nextGetAnswered();
        following.write();
        await proofByGet;
        // Every ending settlement carries CloseByClient (or is one), and the broker served it before
        // the Get: the transaction is closed.
        probe = { kind: 'closed' };
        const failed = this.lane.takeSettleError(settleId);
        if (failed?.IsError) {
          // Refused, and with no probe there is no telling what the transaction still holds: end
          // the stream, so the broker returns whatever it holds to the queue.
          error = brokerError(failed.Error, { operation, channel: this.channel });
          probe = { kind: 'lost' };
          endStream = true;
        }
      } else {
        const proof = this.lane.ask({ RequestTypeData: QueuesDownstreamRequestType.ActiveOffsets, RefTransactionId: ref, Channel: this.channel });
        following?.write();
        getBehind = following !== undefined;
        // poll(): the lane goes back to its pool now, so a poll() made before this settlement is
        // answered writes its Get behind the probe instead of waiting for it. The probe, not that
        // Get, is the proof: a Get answers only when it has messages or its wait is over, and its
        // own deadline could end the stream first.
        releasedEarly = byGet && following === undefined && this.host.releaseEarly?.(this) === true;
        const written = { settleId, closeId };
        const answer = await this.withDeadline(proof.answer, call, operation, (err) => {
          bound.expired = err;
          // This settlement gives up its proof: its stream ends once that is safe (lane.abandon).
          this.lane.takeSettleError(written.settleId);
          if (written.closeId !== undefined) this.lane.takeSettleError(written.closeId);
          this.lane.abandon(proof.id, err);
        });
        probe = answer.IsError ? { kind: 'closed' } : { kind: 'open', active: new Set(answer.ActiveOffsets.map((s) => Number(s))) };
        const failed = this.lane.takeSettleError(settleId);
        if (failed?.IsError) error = brokerError(failed.Error, { operation, channel: this.channel });
      }
      // The close is answered only on error, and then says nothing the proof did not (it is
      // taken so the lane does not keep an entry per transaction for the stream's lifetime).
      if (closeId !== undefined) this.lane.takeSettleError(closeId);
    } catch (err) {
      if (settleId !== undefined) this.lane.takeSettleError(settleId);
      if (closeId !== undefined) this.lane.takeSettleError(closeId);
      probe = { kind: 'lost' };
      // A timeoutMs or signal the caller gave the settlement rejects as such; any other end is a loss.
      const { expired } = bound;
      const own = expired !== undefined && err === expired && (expired.code === 'CANCELLED' || call.timeoutMs !== undefined);
      error = own ? final(expired) : this.lostError(err, operation, plan);
    }
    let result = this.ledger.complete(plan, error, probe);
    if (endStream) {
      this.lane.cancel(this.refusedError(operation));
    } else if ((getBehind || releasedEarly) && !this.ledger.isTerminal) {
      // The broker still holds messages of a transaction that should have ended, and the stream
      // already serves the next poll: a retry would wait behind that poll's Get, and the stream
      // would carry two open transactions. End it instead; the broker returns what it holds.
      const ended = this.stillOpenError(operation);
      this.lane.cancel(ended);
      result ??= this.lost(operation, plan, ended.message);
    }
    this.checkTerminal();
    if (result) throw result;
  }

  private stillOpenError(operation: string): KubemqError {
    return new KubemqError({
      code: 'BROKER',
      retryable: true,
      operation,
      channel: this.channel,
      message: `the broker still held messages of transaction ${this.transactionId} after the settlement that ended it, while the stream already served the next poll; the stream was ended, so the broker returned them to the queue and they will be delivered again`,
    });
  }

  private refusedError(operation: string): KubemqError {
    return new KubemqError({
      code: 'BROKER',
      retryable: true,
      operation,
      channel: this.channel,
      message: `the broker refused the settlement that ended transaction ${this.transactionId}; the stream was ended, so the broker returned whatever the transaction still held to the queue, to be delivered again`,
    });
  }

  /**
   * Waits for the probe. A deadline or abort rejects at once and ends the lane (the broker then
   * returns unsettled messages), though only once that is safe: not while a Get written behind the
   * probe is owed too (§5.3).
   */
  private withDeadline<T>(
    work: Promise<T>,
    call: { signal: AbortSignal | undefined; timeoutMs: number | undefined },
    operation: string,
    onExpire: (err: KubemqError) => void,
  ): Promise<T> {
    return deadline(work, {
      operation,
      channel: this.channel,
      timeoutMs: call.timeoutMs ?? this.host.defaultTimeoutMs,
      signal: call.signal,
      what: 'the broker\'s confirmation of the settlement',
      // Only ever given the answer to a settlement already written.
      sent: true,
      onExpire,
    });
  }

  /**
   * A settlement left with no proof by the end of its stream (a broker restart, a dropped
   * connection, another call's deadline, a deadline the SDK applied, close()'s drain time): its
   * transaction is lost. One error for all of them, so that a loop tells "carry on, the broker
   * delivers these again" with one test.
   */
  private lostError(err: unknown, operation: string, plan: SettlePlan): KubemqError {
    const code = KubemqError.isKubemqError(err) ? err.code : undefined;
    const message =
      code === 'CLOSED'
        ? // close()'s drain time ran out while the proof was on its way.
          'the client closed before the broker confirmed the settlement: the broker may have applied it; what it did not apply goes back to the queue and will be delivered again'
        : code === 'TIMEOUT'
          ? 'the broker did not confirm the settlement within the deadline that applied, so the stream was ended: the broker may have applied it; what it did not apply goes back to the queue and will be delivered again'
          : 'the stream ended before the broker confirmed the settlement; messages it did not apply were returned to the queue and will be delivered again';
    return this.lost(operation, plan, message, err);
  }

  private lost(operation: string, plan: SettlePlan, message: string, cause?: unknown): QueueTransactionError {
    return new QueueTransactionError({
      operation,
      channel: this.channel,
      transactionId: this.transactionId,
      reason: 'lost',
      sequence: !plan.whole && plan.sequences.length === 1 ? plan.sequences[0] : undefined,
      message,
      cause,
    });
  }

  private checkTerminal(): void {
    if (this.terminalSignalled || !this.ledger.isTerminal) return;
    this.terminalSignalled = true;
    this.unlisten();
    this.resolveTerminal();
    this.host.onTerminal(this);
  }

  /** What the message with `sequence` last asked for through its own ack(), nack() or requeue(), if it did. */
  askedFor(sequence: number): Exclude<SettleKind, 'close'> | undefined {
    return this.askedByMessage?.get(sequence);
  }

  /** What each message's own settlement asked for, by sequence (made on first use: most messages never ask). */
  private askedByMessage: Map<number, Exclude<SettleKind, 'close'>> | undefined;

  private readonly settleOne = (
    kind: Exclude<SettleKind, 'close'>,
    operation: string,
    sequence: number,
    requeue: QueueRequeueOptions | undefined,
    options: CallOptions | undefined,
  ): Promise<void> => {
    (this.askedByMessage ??= new Map()).set(sequence, kind);
    return this.settleSome(kind, operation, [sequence], requeue, options);
  };
}

/**
 * A polled message. A class, not `{ ...message, get settlement() {} }`: an object literal that
 * spreads ~19 fields and defines a getter is built in V8's slow dictionary mode, which cost about
 * 7 µs of CPU per message (plus GC) on the poll path. It is built straight from the wire message
 * (no received message to copy first). The settlement methods stay own arrow functions, so
 * `const { ack } = message` keeps working.
 */
class PolledMessage extends ReceivedMessage implements PolledQueueMessage {
  readonly transactionId: string;
  readonly ack: PolledQueueMessage['ack'];
  readonly nack: PolledQueueMessage['nack'];
  readonly requeue: PolledQueueMessage['requeue'];
  readonly #state: (sequence: number) => MessageSettlement;

  constructor(
    wire: WireQueueMessage,
    transactionId: string,
    state: (sequence: number) => MessageSettlement,
    settle: (kind: Exclude<SettleKind, 'close'>, operation: string, sequence: number, requeue: QueueRequeueOptions | undefined, options: CallOptions | undefined) => Promise<void>,
  ) {
    super(wire);
    this.#state = state;
    this.transactionId = transactionId;
    const sequence = this.sequence;
    this.ack = (options) => settle('ack', 'queues.message.ack', sequence, undefined, options);
    this.nack = (options) => settle('nack', 'queues.message.nack', sequence, undefined, options);
    this.requeue = (options, callOptions) => settle('requeue', 'queues.message.requeue', sequence, options, callOptions);
  }

  get settlement(): MessageSettlement {
    return this.#state(this.sequence);
  }
}

type QueuesDownstreamRequest_Type = (typeof QueuesDownstreamRequestType)[keyof typeof QueuesDownstreamRequestType];
