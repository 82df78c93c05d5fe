import { KubemqError } from '@kubemq/core';
import { Histogram } from './histogram.js';
import { Tracker } from './tracker.js';
import { decodeBody, encodeBody, queueBatchFor } from './workloads.js';

describe('Tracker', () => {
  it('counts sent, received, lost, duplicated and out-of-order messages', () => {
    const t = new Tracker('w');
    const seqs = [0, 1, 2, 3].map(() => t.issue(1000));
    seqs.forEach((s) => t.confirm(s));
    t.deliver(0, 1010, 10);
    t.deliver(2, 1010, 10);
    t.deliver(1, 1011, 11); // out of order
    t.deliver(2, 1012, 12); // duplicate
    const r = t.report([]);
    expect(r).toMatchObject({ attempted: 4, sent: 4, received: 3, lost: 1, duplicated: 1, outOfOrder: 1, hung: 0 });
    expect(t.caughtUp()).toBe(false);
  });

  it('is caught up only when every confirmed send was received (unconfirmed deliveries do not count)', () => {
    const t = new Tracker('w');
    const failed = t.issue(0);
    t.fail(failed, new KubemqError({ code: 'TIMEOUT', message: 'x', operation: 'o' }));
    t.deliver(failed, 1); // timed out, yet delivered
    const ok = t.issue(0);
    t.confirm(ok);
    expect(t.caughtUp()).toBe(false);
    t.deliver(ok, 2);
    expect(t.caughtUp()).toBe(true);
  });

  it('types send errors, and counts a failed send as an error, never as a loss', () => {
    const t = new Tracker('w');
    t.fail(t.issue(0), new KubemqError({ code: 'TIMEOUT', message: 'x', operation: 'o' }));
    t.fail(t.issue(0), new Error('plain'));
    const r = t.report([]);
    expect(r).toMatchObject({ sent: 0, lost: 0, errors: 1, errorCodes: { TIMEOUT: 1 }, untypedErrors: 1 });
    expect(r.samples[0]).toContain('plain');
  });

  it('classifies losses inside an outage window (1 s before the kill up to the first message after the return)', () => {
    const t = new Tracker('w');
    const at = (ms: number) => {
      const s = t.issue(ms);
      t.confirm(s);
      return s;
    };
    at(0); // lost outside any outage
    at(9500); // lost: within 1 s before the kill at 10000
    at(12_000); // lost: sent during the outage
    t.brokerBack(13_000);
    const first = at(13_500);
    t.deliver(first, 13_600);
    const r = t.report([{ killedAt: 10_000, backAt: 13_000 }]);
    expect(r).toMatchObject({ lost: 3, lostDuringOutages: 2, recoveries: [{ ms: 600, firstSentAt: 13_500 }] });
  });

  it('reports unsettled sends as hung', () => {
    const t = new Tracker('w');
    t.issue(0);
    expect(t.report([]).hung).toBe(1);
  });
});

describe('Histogram', () => {
  it('gives percentiles within the 2% bucket width', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(h.percentile(0.5)).toBeGreaterThanOrEqual(500);
    expect(h.percentile(0.5)).toBeLessThanOrEqual(510);
    expect(h.percentile(0.99)).toBeGreaterThanOrEqual(990);
    expect(h.percentile(0.999)).toBeLessThanOrEqual(1000);
    expect(h.max).toBe(1000);
  });
});

describe('message bodies', () => {
  it('round-trip the tag, sequence and send time, padded to the size', () => {
    const body = encodeBody('rtag', 42, 1234, 1024);
    expect(body.length).toBe(1024);
    expect(decodeBody('rtag', body)).toEqual({ seq: 42, sentAt: 1234 });
    expect(decodeBody('other', body)).toBeUndefined();
  });

  it('queue batches fill in about 50 ms', () => {
    expect([1, 20, 50, 100, 5000].map(queueBatchFor)).toEqual([1, 1, 3, 5, 50]);
  });
});
