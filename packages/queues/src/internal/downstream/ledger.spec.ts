import { KubemqError } from '@kubemq/core';
import { QueueTransactionError } from '../../errors.js';
import { TransactionLedger } from './ledger.js';

const open = (seqs = [1, 2, 3]) => new TransactionLedger('tx-1', 'q', seqs, 'open');
const closed = { kind: 'closed' } as const;
const active = (...seqs: number[]) => ({ kind: 'open', active: new Set(seqs) }) as const;
const brokerErr = new KubemqError({ code: 'BROKER', operation: 't', message: 'cannot ack messages with closed response ' });

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QueueTransactionError);
    expect((err as QueueTransactionError).code).toBe('CLOSED');
    return (err as QueueTransactionError).reason;
  }
  throw new Error('expected a QueueTransactionError');
}

describe('TransactionLedger', () => {
  it('settles everything with a whole-transaction ack, and refuses more settlements without sending', () => {
    const l = open();
    const plan = l.beginAll('ack', 'ackAll');
    expect(plan).toMatchObject({ kind: 'ack', whole: true, sequences: [1, 2, 3], closeAfter: true });
    expect(l.messageState(1)).toBe('settling');
    expect(reasonOf(() => l.beginAll('nack', 'nackAll'))).toBe('settled'); // in flight already ends it
    expect(l.complete(plan, undefined, closed)).toBeUndefined();
    expect(l.state).toBe('settled');
    expect(l.isTerminal).toBe(true);
    expect([1, 2, 3].map((s) => l.messageState(s))).toEqual(['acked', 'acked', 'acked']);
    expect(reasonOf(() => l.beginAll('ack', 'ackAll'))).toBe('settled');
    expect(reasonOf(() => l.beginSequences('ack', [1], 'ack'))).toBe('settled');
  });

  it('closes: unsettled messages are released and later settlements are refused as closed', () => {
    const l = open();
    const plan = l.beginAll('close', 'close');
    l.complete(plan, undefined, closed);
    expect(l.state).toBe('closed');
    expect(l.messageState(2)).toBe('released');
    expect(reasonOf(() => l.beginAll('ack', 'ackAll'))).toBe('closed');
  });

  it('settles message by message and closes the transaction with the last one', () => {
    const l = open();
    const p1 = l.beginSequences('ack', [1], 'ack');
    expect(p1.closeAfter).toBe(false);
    const p2 = l.beginSequences('nack', [2], 'nack');
    expect(p2.closeAfter).toBe(false);
    expect(reasonOf(() => l.beginSequences('ack', [1], 'ack'))).toBe('settled'); // settling already
    const p3 = l.beginSequences('requeue', [3], 'requeue');
    expect(p3.closeAfter).toBe(true); // CloseByClient releases messages captured after the poll
    l.complete(p1, undefined, active(2, 3));
    l.complete(p2, undefined, active(3));
    expect(l.state).toBe('open');
    l.complete(p3, undefined, closed);
    expect([1, 2, 3].map((s) => l.messageState(s))).toEqual(['acked', 'nacked', 'requeued']);
    expect(l.state).toBe('settled');
  });

  it('puts messages back to pending when the probe shows the broker did not apply the settlement', () => {
    const l = open([1, 2]);
    const plan = l.beginSequences('ack', [1, 2], 'ackSequences');
    const err = l.complete(plan, brokerErr, active(2));
    expect(err).toBe(brokerErr);
    expect(l.messageState(1)).toBe('acked'); // applied before the failing item
    expect(l.messageState(2)).toBe('pending');
    expect(l.state).toBe('open');
    // and the transaction takes settlements again
    const retry = l.beginAll('ack', 'ackAll');
    expect(retry.sequences).toEqual([2]);
  });

  it('reopens after a failed whole-transaction settlement that left the transaction open', () => {
    const l = open([1]);
    const plan = l.beginAll('requeue', 'requeueAll');
    l.complete(plan, brokerErr, active(1));
    expect(l.messageState(1)).toBe('pending');
    expect(l.beginAll('nack', 'nackAll').sequences).toEqual([1]);
  });

  it('when the stream is lost, releases what was pending and leaves the unproved settlement settling (the broker may have applied it)', () => {
    const l = open();
    const plan = l.beginSequences('ack', [1], 'ack');
    expect(l.markLost()).toBe(3); // all three count as unsettled at the loss
    l.complete(plan, undefined, { kind: 'lost' });
    expect(l.state).toBe('lost');
    expect([1, 2, 3].map((s) => l.messageState(s))).toEqual(['settling', 'released', 'released']);
    expect(reasonOf(() => l.beginSequences('ack', [2], 'ack'))).toBe('lost');
    expect(reasonOf(() => l.beginAll('close', 'close'))).toBe('lost');
  });

  it('a settlement refused after the close behind it: what it acked is unknown, so its messages stay settling, never released; the transaction is closed', () => {
    const l = open();
    const first = l.beginSequences('ack', [1], 'ack');
    l.complete(first, undefined, active(2, 3));
    const plan = l.beginAll('ack', 'ackAll');
    expect(l.complete(plan, brokerErr, closed)).toBe(brokerErr);
    expect([1, 2, 3].map((s) => l.messageState(s))).toEqual(['acked', 'settling', 'settling']);
    expect(l.state).toBe('closed');
    expect(reasonOf(() => l.beginSequences('ack', [2], 'ack'))).toBe('closed');
  });

  it('a refused close releases what it covered: a close never acks', () => {
    const l = open([1, 2]);
    l.complete(l.beginAll('close', 'close'), brokerErr, closed);
    expect([1, 2].map((s) => l.messageState(s))).toEqual(['released', 'released']);
    expect(l.state).toBe('closed');
  });

  it('markLost does not change a terminal transaction', () => {
    const l = open([1]);
    l.complete(l.beginAll('ack', 'ackAll'), undefined, closed);
    l.markLost();
    expect(l.state).toBe('settled');
  });

  it('starts auto-acked and empty transactions settled', () => {
    const auto = new TransactionLedger('t', 'q', [1, 2], 'settled');
    expect(auto.state).toBe('settled');
    expect(auto.messageState(1)).toBe('acked');
    expect(reasonOf(() => auto.beginAll('ack', 'ackAll'))).toBe('settled');
    const empty = new TransactionLedger('t', 'q', [], 'open');
    expect(empty.isTerminal).toBe(true);
    expect(empty.isEmpty).toBe(true);
  });

  it('names the message in a per-message refusal', () => {
    const l = open([7]);
    l.complete(l.beginSequences('ack', [7], 'ack'), undefined, closed);
    try {
      l.beginSequences('ack', [7], 'queues.message.ack');
      throw new Error('expected a refusal');
    } catch (err) {
      expect((err as QueueTransactionError).sequence).toBe(7);
      expect((err as QueueTransactionError).transactionId).toBe('tx-1');
    }
  });

  it('keeps one settlement per message when the sequences arrive out of order or twice', () => {
    const l = open([5, 3, 5, 4]);
    expect(l.has(4)).toBe(true);
    expect(l.has(6)).toBe(false);
    const one = l.beginSequences('nack', [3], 'nack');
    expect(one.closeAfter).toBe(false);
    const rest = l.beginAll('ack', 'ackAll');
    expect(rest.sequences).toEqual([5, 4]); // 5 once: the poll's order, without the repeat
    l.complete(one, undefined, active(4, 5));
    l.complete(rest, undefined, closed);
    expect([3, 4, 5].map((s) => l.messageState(s))).toEqual(['nacked', 'acked', 'acked']);
    expect(l.state).toBe('settled');
  });

  it('answers by sequence both before and after a whole-transaction settlement', () => {
    const l = open([10, 11, 12]);
    expect(l.messageState(11)).toBe('pending'); // looked up before any settlement
    const plan = l.beginAll('requeue', 'requeueAll');
    expect(plan.sequences).toEqual([10, 11, 12]);
    expect(l.messageState(12)).toBe('settling');
    l.complete(plan, brokerErr, active(11));
    expect([10, 11, 12].map((s) => l.messageState(s))).toEqual(['requeued', 'pending', 'requeued']);
    expect(l.messageState(99)).toBe('released');
  });
});
