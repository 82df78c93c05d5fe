// A stand-in for core's ClientInternals whose streams behave like the broker's queue streams as
// docs/broker-behaviour.md §2.4 and §5.3 describe them: downstream requests served one at a time per stream,
// transactions kept per stream, settlements answered only on error, ActiveOffsets, CloseByClient,
// unsettled messages returned when a stream ends; upstream answers possibly out of order.
import {
  QueuesDownstreamRequestType as T,
  type QueueMessage,
  type QueuesDownstreamRequest,
  type QueuesDownstreamResponse,
  type QueuesUpstreamRequest,
  type QueuesUpstreamResponse,
  type StreamObserver,
} from '@kubemq/core/internal';
import { fakeInternals, type FakeCall, type FakeCallBehaviour, type FakeInternals } from '@kubemq/test-fakes';

interface Stored {
  seq: number;
  msg: QueueMessage;
  receiveCount: number;
  /** Dropped (not delivered) by a Get that collects it after this time (ms since epoch). */
  expiresAt?: number;
}

interface Tx {
  id: string;
  channel: string;
  held: Map<number, Stored>;
  open: boolean;
  /** Room for messages that arrive after the Get answered: the broker keeps them hidden in the open transaction. */
  room: number;
  captured: Stored[];
}

export class FakeQueueBroker {
  readonly queues = new Map<string, Stored[]>();
  readonly calls: FakeCall<never>[] = [];
  private seq = 0;
  private txSeq = 0;
  /** Upstream: hold answers until release() (to answer out of order). */
  holdUpstream = false;
  readonly heldUpstream: (() => void)[] = [];
  /** Downstream: the next Get's answer carries its first message twice. */
  repeatInNextGet = false;
  /** Downstream: swallow ActiveOffsets (to test a settlement the broker never confirms). */
  swallowProbes = false;
  /** Downstream Gets the broker is serving right now, per stream and in total. */
  getsInFlight = 0;
  /** Downstream: Gets served from now on never answer (a stalled broker, or a link that died silently), until their stream ends. */
  stallGets = false;
  /** Downstream: the next this many Gets served never answer, until their stream ends (then Gets answer again). */
  stallNextGets = 0;
  /** Downstream: the stream breaks right after the next Get's answer, in the same turn. */
  breakAfterNextGet = false;
  /** Downstream: hold every ActiveOffsets (and so everything behind it on its stream) until releaseProbes(). */
  holdProbes = false;
  private readonly heldProbes: (() => void)[] = [];
  /**
   * Downstream: refuse every settlement with this text, changing nothing (CloseByClient is
   * ignored too): a broker that keeps a transaction open after the settlement that should end it.
   */
  refuseSettlements: string | undefined;
  /** Downstream: drop every settlement and CloseByClient, unanswered and unapplied (no error either). */
  ignoreSettlements = false;
  /** Every downstream request as written (`> Get`) and every answer as sent (`< ActiveOffsets`), in order, with the stream's index. */
  readonly log: string[] = [];
  /** Downstream: the answers (to Gets and ActiveOffsets) still owed when the client cancelled a stream, one entry per cancel. */
  readonly owedAtCancel: number[] = [];
  /**
   * Downstream: the next settlement acks this many of its messages, then fails, as the broker's
   * does when one message fails (it settles them one by one, docs/broker-behaviour.md §2.4).
   */
  failPartWay: number | undefined;

  releaseProbes(): void {
    this.holdProbes = false;
    for (const release of this.heldProbes.splice(0)) release();
  }

  add(channel: string, count: number, body = (i: number) => `m${i}`): void {
    for (let i = 0; i < count; i++) this.push(channel, { MessageID: `id-${this.seq + 1}`, ClientID: 'p', Channel: channel, Metadata: '', Body: Buffer.from(body(i)), Tags: {}, Attributes: undefined, Policy: undefined }, 0);
  }

  /** A message that has already expired: a Get still counts it toward MaxItems, then drops it. */
  addExpired(channel: string, body = 'expired'): void {
    this.push(channel, { MessageID: `id-${this.seq + 1}`, ClientID: 'p', Channel: channel, Metadata: '', Body: Buffer.from(body), Tags: {}, Attributes: undefined, Policy: undefined }, 0, 0);
  }

  /**
   * Downstream: a message sent just as the next Get's wait runs out goes into what its transaction
   * holds without being returned, as on the broker when it arrives while the answer is built. Its
   * AckAll would then settle a message nobody received.
   */
  slipIntoNextGet = false;

  /** Open transactions (their Get answered) that hold messages nobody can see. */
  readonly openTransactions = new Set<Tx>();

  waiting(channel: string): Stored[] {
    return this.queues.get(channel) ?? [];
  }

  written(path: string): unknown[] {
    return this.calls.filter((c) => c.path.endsWith(path)).flatMap((c) => c.written);
  }

  private push(channel: string, msg: QueueMessage, receiveCount: number, expiresAt?: number): void {
    const stored: Stored = { seq: ++this.seq, msg: { ...msg, Channel: channel }, receiveCount, ...(expiresAt !== undefined && { expiresAt }) };
    this.store(channel, stored);
  }

  /** Into the queue, unless an open transaction on it has room: then it captures the message, hidden. */
  private store(channel: string, stored: Stored): void {
    for (const tx of this.openTransactions) {
      if (tx.channel === channel && tx.captured.length < tx.room) {
        tx.captured.push(stored);
        return;
      }
    }
    const list = this.queues.get(channel) ?? [];
    list.push(stored);
    list.sort((a, b) => a.seq - b.seq);
    this.queues.set(channel, list);
  }

  /** A client's internals whose queue streams this broker serves (every call lands in `calls`). */
  internals(options: { defaultTimeoutMs?: number } = {}): FakeInternals & { broker: FakeQueueBroker } {
    const internals = fakeInternals({
      defaultTimeoutMs: options.defaultTimeoutMs ?? 2000,
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, multiplier: 1, maxAttempts: Number.POSITIVE_INFINITY },
      bidi: (path, observer) => {
        const behaviour = (path.endsWith('QueuesDownstream') ? this.downstream(observer) : this.upstream(observer)) as FakeCallBehaviour<unknown>;
        return {
          ...behaviour,
          opened: (call) => {
            behaviour.opened?.(call);
            this.calls.push(call as FakeCall<never>);
          },
        };
      },
    });
    return Object.assign(internals, { broker: this });
  }

  /** QueuesUpstream: each request answered on its own (held back while `holdUpstream`, to answer out of order). */
  private upstream(observer: StreamObserver<unknown>): FakeCallBehaviour<QueuesUpstreamRequest> {
    return {
      onWrite: (req, call) => {
        const answer = (): void => {
          const response: QueuesUpstreamResponse = {
            RefRequestID: req.RequestID,
            IsError: false,
            Error: '',
            Results: req.Messages.map((m) => {
              if (m.Channel === 'rejected') return { MessageID: m.MessageID, SentAt: 0n, ExpirationAt: 0n, DelayedTo: 0n, IsError: true, Error: 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot' };
              this.push(m.Channel, m, 0);
              return { MessageID: m.MessageID, SentAt: 1_764_300_000_000_000_000n, ExpirationAt: 0n, DelayedTo: 0n, IsError: false, Error: '' };
            }),
          };
          if (!call.cancelled) observer.next(response);
        };
        if (this.holdUpstream) this.heldUpstream.push(answer);
        else queueMicrotask(answer);
      },
    };
  }

  private async serveGet(
    req: QueuesDownstreamRequest,
    txs: Map<string, Tx>,
    reply: (r: Partial<QueuesDownstreamResponse>) => void,
    /** Whether the Get is dropped (its stream ended, and is not stuck: see downstream()). */
    cancelled: () => boolean,
  ): Promise<void> {
    const stalled = this.stallGets || this.stallNextGets > 0;
    if (this.stallNextGets > 0) this.stallNextGets--;
    if (stalled) {
      while (!cancelled()) await new Promise((r) => setTimeout(r, 5));
      return;
    }
    // Like the broker: return only when MaxItems arrived or the wait (floor 1000 ms) is over.
    const deadline = performance.now() + Math.max(req.WaitTimeout, 1000);
    while (this.waiting(req.Channel).length < req.MaxItems && performance.now() < deadline && !cancelled()) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (cancelled()) return;
    const collected = this.waiting(req.Channel).splice(0, req.MaxItems);
    // Like the broker: expired messages count toward MaxItems and are dropped after collecting;
    // a transaction that collected anything stays open, even with nothing left to deliver.
    const now = Date.now();
    const taken = collected.filter((s) => s.expiresAt === undefined || s.expiresAt > now);
    const tx: Tx = { id: `tx-${++this.txSeq}`, channel: req.Channel, held: new Map(), open: !req.AutoAck && collected.length > 0, room: req.MaxItems - taken.length, captured: [] };
    if (tx.open) {
      for (const s of taken) tx.held.set(s.seq, s);
      this.openTransactions.add(tx);
    }
    txs.set(tx.id, tx);
    if (this.slipIntoNextGet && tx.open && taken.length < req.MaxItems) {
      this.slipIntoNextGet = false;
      const seq = ++this.seq;
      const msg = { MessageID: `id-${seq}`, ClientID: 'p', Channel: req.Channel, Metadata: '', Body: Buffer.from('late'), Tags: {}, Attributes: undefined, Policy: undefined };
      tx.held.set(seq, { seq, msg, receiveCount: 0 });
    }
    const answered = this.repeatInNextGet && taken.length > 0 ? [taken[0] as Stored, ...taken] : taken;
    this.repeatInNextGet = false;
    reply({
      TransactionId: tx.id,
      RefRequestId: req.RequestID,
      RequestTypeData: T.Get,
      Messages: answered.map((s) => ({
        ...s.msg,
        Attributes: { Timestamp: 1n, Sequence: BigInt(s.seq), MD5OfBody: '', ReceiveCount: s.receiveCount + 1, ReRouted: false, ReRoutedFromQueue: '', ExpirationAt: 0n, DelayedTo: 0n },
      })),
    });
  }

  /**
   * QueuesDownstream: requests served one at a time, transactions kept per stream, released when it
   * ends. A stream the client cancels with two or more answers (to Gets and ActiveOffsets) owed is
   * stuck, as on the broker (docs/broker-behaviour.md §5.3): the request in hand and the next one
   * still run, a Get among them taking messages, but its transactions are never released.
   */
  private downstream(observer: StreamObserver<unknown>): FakeCallBehaviour<QueuesDownstreamRequest> {
    const txs = new Map<string, Tx>();
    let chain = Promise.resolve();
    let call: FakeCall<QueuesDownstreamRequest> | undefined = undefined;
    const index = this.calls.length;
    /** Gets and ActiveOffsets written and not yet answered. */
    const owed = new Set<string>();
    let stuck = false;
    const reply = (r: Partial<QueuesDownstreamResponse>): void => {
      if (r.RefRequestId !== undefined) owed.delete(r.RefRequestId);
      if (call?.cancelled) return;
      this.log.push(`${index}< ${typeName(r.RequestTypeData ?? 0)}${r.IsError ? ' (error)' : ''}`);
      observer.next({ TransactionId: '', RefRequestId: '', RequestTypeData: 0, Messages: [], ActiveOffsets: [], IsError: false, Error: '', TransactionComplete: false, Metadata: {}, ...r });
      if (r.RequestTypeData === T.Get && this.breakAfterNextGet) {
        this.breakAfterNextGet = false;
        call?.fail();
      }
    };
    const close = (tx: Tx): void => {
      tx.open = false;
      this.openTransactions.delete(tx);
      for (const s of tx.captured.splice(0)) this.store(tx.channel, s);
    };
    const release = (tx: Tx, countUp: boolean): void => {
      for (const s of tx.held.values()) {
        if (countUp) this.push(tx.channel, s.msg, s.receiveCount + 1);
        else this.store(tx.channel, s);
      }
      tx.held.clear();
      close(tx);
    };
    const serve = async (req: QueuesDownstreamRequest): Promise<void> => {
      if (req.RequestTypeData === T.Get) {
        this.getsInFlight++;
        try {
          await this.serveGet(req, txs, reply, () => call?.cancelled === true && !stuck);
        } finally {
          this.getsInFlight--;
        }
        return;
      }
      const tx = txs.get(req.RefTransactionId);
      const error = (text: string): void => reply({ TransactionId: req.RefTransactionId, RefRequestId: req.RequestID, RequestTypeData: req.RequestTypeData, IsError: true, Error: text });
      if (!tx) return error('transaction is completed or transaction id not found');
      if (req.RequestTypeData === T.ActiveOffsets && this.holdProbes) await new Promise<void>((r) => this.heldProbes.push(r));
      if (this.ignoreSettlements && req.RequestTypeData !== T.ActiveOffsets) return;
      if (this.refuseSettlements !== undefined && req.RequestTypeData !== T.ActiveOffsets) {
        return req.RequestTypeData === T.CloseByClient ? undefined : error(this.refuseSettlements);
      }
      const partWay = this.failPartWay;
      if (partWay !== undefined && req.RequestTypeData !== T.ActiveOffsets && req.RequestTypeData !== T.CloseByClient) {
        this.failPartWay = undefined;
        const seqs = req.SequenceRange.length > 0 ? req.SequenceRange.map(Number) : [...tx.held.keys()];
        for (const n of seqs.slice(0, partWay)) tx.held.delete(n); // acked
        return error(`the settlement failed at sequence ${seqs[partWay]} (set by the test)`);
      }
      const range = (verb: string, apply: (s: Stored) => void): void => {
        if (!tx.open) return error(`cannot ${verb} messages with closed response `);
        for (const n of req.SequenceRange.map(Number)) {
          const s = tx.held.get(n);
          if (!s) return error(`invalid ${verb} sequence id ${n}`);
          apply(s);
          tx.held.delete(n);
        }
        if (tx.held.size === 0) close(tx);
      };
      switch (req.RequestTypeData) {
        case T.AckAll:
          if (!tx.open) return error('cannot ack messages with closed response ');
          tx.held.clear();
          return close(tx);
        case T.NAckAll:
          if (!tx.open) return error('cannot nack messages with closed response ');
          return release(tx, true);
        case T.ReQueueAll:
          if (!tx.open) return error('cannot ack messages with closed response ');
          for (const s of tx.held.values()) this.push(req.ReQueueChannel, s.msg, 0);
          tx.held.clear();
          return close(tx);
        case T.AckRange:
          return range('ack', () => undefined);
        case T.NAckRange:
          return range('nack', (s) => this.push(tx.channel, s.msg, s.receiveCount + 1));
        case T.ReQueueRange:
          return range('requeue', (s) => this.push(req.ReQueueChannel, s.msg, 0));
        case T.CloseByClient:
          if (tx.open) release(tx, false);
          return;
        case T.ActiveOffsets:
          if (this.swallowProbes) return void owed.delete(req.RequestID); // answered into the void
          if (!tx.open) return error('cannot get active offsets with closed response ');
          return reply({ TransactionId: tx.id, RefRequestId: req.RequestID, RequestTypeData: T.ActiveOffsets, ActiveOffsets: [...tx.held.keys()].map(BigInt) });
        default:
          return error('request unknown');
      }
    };
    return {
      opened: (opened) => {
        call = opened;
        // The client's cancel (not a break: fail() calls onCancel too).
        const cancel = opened.cancel.bind(opened);
        opened.cancel = () => {
          if (opened.cancelled) return;
          this.owedAtCancel.push(owed.size);
          stuck = owed.size >= 2;
          cancel();
        };
      },
      onWrite: (req) => {
        this.log.push(`${index}> ${typeName(req.RequestTypeData)}`);
        if (req.RequestTypeData === T.Get || req.RequestTypeData === T.ActiveOffsets) owed.add(req.RequestID);
        chain = chain.then(() => serve(req));
      },
      onCancel: () => {
        if (stuck) {
          this.log.push(`${index} stuck: the stream ended with two answers owed`);
          return;
        }
        for (const tx of txs.values()) if (tx.open) release(tx, false);
      },
    };
  }
}

function typeName(type: number): string {
  return Object.entries(T).find(([, v]) => v === type)?.[0] ?? String(type);
}
