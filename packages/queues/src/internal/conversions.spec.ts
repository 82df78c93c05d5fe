import { KubemqError } from '@kubemq/core';
import type { QueueSendFailure, QueueSendResult } from '../types.js';
import { isSendFailure, toBatchResult, toQueuesInfo, toReceivedMessage, toSendResult } from './conversions.js';

const NS = 1_764_300_000_123_456_789n; // above 2^53: must stay a bigint until it becomes a Date

const result = (extra: Record<string, unknown> = {}) => ({
  MessageID: 'm1',
  SentAt: NS,
  ExpirationAt: 0n,
  DelayedTo: 0n,
  IsError: false,
  Error: '',
  ...extra,
});

const wireMessage = (seq: bigint, extra: Record<string, unknown> = {}) => ({
  MessageID: `id-${seq}`,
  ClientID: 'sender',
  Channel: 'q',
  Metadata: 'meta',
  Body: Buffer.from('{"n":1}'),
  Tags: { k: 'v' },
  Attributes: {
    Timestamp: NS,
    Sequence: seq,
    MD5OfBody: '',
    ReceiveCount: 2,
    ReRouted: true,
    ReRoutedFromQueue: 'origin',
    ExpirationAt: NS + 60_000_000_000n,
    DelayedTo: 0n,
  },
  Policy: { ExpirationSeconds: 60, DelaySeconds: 0, MaxReceiveCount: 3, MaxReceiveQueue: 'dlq' },
  ...extra,
});

/** The entry as a stored message's result (fails the test when it is a failure). */
function stored(entry: QueueSendResult | QueueSendFailure): QueueSendResult {
  if (isSendFailure(entry)) throw new Error(`expected a stored message, got a failure: ${entry.error.message}`);
  return entry;
}

/** The entry as a failure (fails the test when it is a stored message's result). */
function failure(entry: QueueSendResult | QueueSendFailure | undefined): QueueSendFailure {
  if (entry === undefined || !isSendFailure(entry)) throw new Error('expected a failure');
  return entry;
}

describe('toSendResult', () => {
  it('turns nanoseconds into Dates and 0 into undefined', () => {
    const r = stored(toSendResult(result({ DelayedTo: NS + 5_000_000_000n }), { operation: 'op' }));
    expect(r.sentAt.getTime()).toBe(1_764_300_000_123);
    expect(r.delayedTo?.getTime()).toBe(1_764_300_005_123);
    expect(r.expiresAt).toBeUndefined();
    expect(Object.keys(r).sort()).toEqual(['delayedTo', 'expiresAt', 'id', 'sentAt']);
  });

  it('a result with no error and no store time is a failure: the broker stamps every message it stored', () => {
    // A batch message its store refused at once keeps the result it had before the store.
    const r = failure(toSendResult(result({ SentAt: 0n }), { operation: 'queues.sendBatch', channel: 'q' }));
    expect(r.id).toBe('m1');
    expect(r.error).toMatchObject({ code: 'BROKER', retryable: false, channel: 'q' });
    expect(r.error.message).toMatch(/did not store this message/);
    const b = toBatchResult('batch', [{ MessageID: 'a', Channel: 'q' }, { MessageID: 'b', Channel: 'q' }] as never[], [result(), result({ MessageID: 'b', SentAt: 0n })] as never[], 'op');
    expect(b.failed).toBe(1);
  });

  it('maps a broker failure to a failure with a typed error and the broker code, and no times', () => {
    const r = failure(
      toSendResult(result({ SentAt: 0n, IsError: true, Error: 'Error 135: invalid delay seconds, exceed max delay seconds setting in kubemq config' }), {
        operation: 'queues.send',
        channel: 'q',
      }),
    );
    expect(Object.keys(r).sort()).toEqual(['error', 'id']);
    expect(KubemqError.isKubemqError(r.error)).toBe(true);
    expect(r.error.brokerCode).toBe(135);
    expect(r.error.retryable).toBe(false);
  });
});

describe('toBatchResult', () => {
  const sent = [{ MessageID: 'a', Channel: 'q1' }, { MessageID: 'b', Channel: 'q2' }, { MessageID: 'c', Channel: 'q3' }] as never[];

  it('counts failures from the results, not the broker flag', () => {
    const b = toBatchResult('batch', sent, [result(), result({ IsError: true, Error: 'Error 110: invalid message, cannot be empty' }), result()] as never[], 'op');
    expect(b.batchId).toBe('batch');
    expect(b.results).toHaveLength(3);
    expect(b.failed).toBe(1);
    expect(failure(b.results[1]).error.brokerCode).toBe(110);
    expect(failure(b.results[1]).error.channel).toBe('q2');
    expect(b.results.filter(isSendFailure).map((r) => r.id)).toEqual(['m1']);
  });

  it('accounts for a result the broker left out as a failure', () => {
    const b = toBatchResult('batch', sent, [result()] as never[], 'op');
    expect(b.results.map((r) => r.id)).toEqual(['m1', 'b', 'c']);
    expect(b.failed).toBe(2);
    expect(failure(b.results[2]).error.message).toMatch(/no result/);
  });
});

describe('toReceivedMessage', () => {
  it('exposes the fields, helpers and policy in public units', () => {
    const wire = wireMessage(7n);
    const m = toReceivedMessage(wire as never);
    expect(m).toMatchObject({
      id: 'id-7',
      channel: 'q',
      metadata: 'meta',
      tags: { k: 'v' },
      clientId: 'sender',
      sequence: 7,
      receiveCount: 2,
      reRouted: true,
      reRoutedFromQueue: 'origin',
      delayedTo: undefined,
      policy: { expirationSeconds: 60, maxReceiveCount: 3, deadLetterQueue: 'dlq' },
    });
    expect(m.timestampNanos).toBe(NS);
    expect(m.timestamp.getTime()).toBe(1_764_300_000_123);
    expect(m.expiresAt?.getTime()).toBe(1_764_300_060_123);
    expect(m.body).toBe(wire.Body); // the received bytes as decoded, no copy or second view (as in every pattern)
    expect(m.text()).toBe('{"n":1}');
    expect(m.json<{ n: number }>().n).toBe(1);
  });

  it('copes with missing attributes and policy', () => {
    const m = toReceivedMessage(wireMessage(1n, { Attributes: undefined, Policy: undefined }) as never);
    expect(m.sequence).toBe(0);
    expect(m.reRoutedFromQueue).toBeUndefined();
    expect(m.policy).toEqual({});
  });
});

describe('toQueuesInfo', () => {
  it('maps totals and queues to numbers', () => {
    const info = toQueuesInfo({
      TotalQueue: 1,
      Sent: 5n,
      Delivered: 3n,
      Waiting: 2n,
      Queues: [{ Name: 'q', Messages: 5n, Bytes: 50n, FirstSequence: 1n, LastSequence: 5n, Sent: 5n, Delivered: 3n, Waiting: 2n, Subscribers: 0n }],
    });
    expect(info).toEqual({
      totalQueues: 1,
      sent: 5,
      delivered: 3,
      waiting: 2,
      queues: [{ name: 'q', messages: 5, bytes: 50, firstSequence: 1, lastSequence: 5, sent: 5, delivered: 3, waiting: 2, subscribers: 0 }],
    });
    expect(toQueuesInfo(undefined)).toEqual({ totalQueues: 0, sent: 0, delivered: 0, waiting: 0, queues: [] });
  });
});
