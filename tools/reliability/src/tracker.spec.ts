import { KubemqError } from '@kubemq/core';
import { Histogram } from './histogram.js';
import { Tracker } from './tracker.js';
import { decodeBody, encodeBody, queueBatchFor } from './workloads.js';

describe('Tracker', () => {
  it('counts sent, received, missing, duplicated and out-of-order messages', () => {
    const t = new Tracker('w');
    const seqs = [0, 1, 2, 3].map(() => t.issue(1000));
    seqs.forEach((s) => t.confirm(s, 1005));
    t.deliver(0, 1010, 10);
    t.deliver(2, 1010, 10);
    t.deliver(1, 1011, 11); // out of order
    t.deliver(2, 1012, 12); // duplicate
    const r = t.report([]);
    expect(r).toMatchObject({ attempted: 4, sent: 4, received: 3, missing: 1, duplicated: 1, outOfOrder: 1, hung: 0 });
    expect(r.missingMessages).toEqual([{ seq: 3, sentAt: 1000, confirmedAt: 1005, nextOutage: undefined }]);
    expect(t.caughtUp()).toBe(false);
  });

  it('is caught up only when every confirmed send was received (unconfirmed deliveries do not count)', () => {
    const t = new Tracker('w');
    const failed = t.issue(0);
    t.fail(failed, new KubemqError({ code: 'TIMEOUT', message: 'x', operation: 'o' }), 1);
    t.deliver(failed, 1); // timed out, yet delivered
    const ok = t.issue(0);
    t.confirm(ok, 1);
    expect(t.caughtUp()).toBe(false);
    t.deliver(ok, 2);
    expect(t.caughtUp()).toBe(true);
  });

  it('types send errors, and counts a failed send as an error, never as a loss', () => {
    const t = new Tracker('w');
    t.fail(t.issue(0), new KubemqError({ code: 'TIMEOUT', message: 'x', operation: 'o' }), 10);
    t.fail(t.issue(0), new Error('plain'), 10);
    const r = t.report([]);
    expect(r).toMatchObject({ sent: 0, missing: 0, errors: 1, errorsDuringOutages: 0, errorCodes: { TIMEOUT: 1 }, untypedErrors: 1 });
    expect(r.samples[0]).toContain('plain');
  });

  it('classifies missing messages by outage window (1 s before the signal up to 5 s after the return) and by the next signal', () => {
    const t = new Tracker('w');
    const at = (ms: number) => {
      const s = t.issue(ms);
      t.confirm(s, ms + 2);
      return s;
    };
    at(0); // missing outside any window, before the signal
    at(9500); // within 1 s before the signal at 10000
    t.brokerDown(10_000);
    at(12_000); // sent during the outage
    t.brokerBack(13_000);
    const first = at(13_500);
    t.deliver(first, 13_600);
    at(17_900); // within the 5 s grace after the return
    at(18_100); // after the grace
    const r = t.report([{ signal: 'KILL', signalAt: 10_000, downAt: 10_050, backAt: 13_000 }]);
    expect(r).toMatchObject({ missing: 5, missingDuringOutages: 3, missingByOutage: [2], missingAfterOutages: 3, recoveries: [{ ms: 600, firstSentAt: 13_500 }] });
    expect(r.missingMessages.map((m) => [m.seq, m.nextOutage, m.confirmedAt - m.sentAt])).toEqual([
      [0, 0, 2],
      [1, 0, 2],
      [2, undefined, 2],
      [4, undefined, 2],
      [5, undefined, 2],
    ]);
  });

  it('sorts latency and errors into steady state and outages: in flight at the signal, or sent before the grace ends', () => {
    const t = new Tracker('w');
    const delivered = (sentAt: number, at: number) => t.deliver(t.issue(sentAt), at, at - sentAt);
    delivered(1000, 1010); // steady
    t.brokerDown(5000);
    delivered(4000, 5500); // in flight at the signal
    delivered(5100, 9000); // sent during the outage
    t.brokerBack(8000);
    delivered(12_900, 12_910); // within the grace
    delivered(13_100, 13_105); // after it: steady
    delivered(4000, 4990); // done before the signal: steady
    t.fail(t.issue(4990), new KubemqError({ code: 'UNAVAILABLE', message: 'x', operation: 'o' }), 5001); // cut off
    t.fail(t.issue(20_000), new KubemqError({ code: 'TIMEOUT', message: 'x', operation: 'o' }), 23_000); // steady
    const r = t.report([{ signal: 'TERM', signalAt: 5000, downAt: 6000, backAt: 8000 }]);
    expect({ steady: r.latency.steady.count, outage: r.latency.outage.count, outageMax: r.latency.outage.max, steadyMax: r.latency.steady.max }).toEqual({
      steady: 3,
      outage: 3,
      outageMax: 3900,
      steadyMax: 990,
    });
    expect({ errors: r.errors, errorsDuringOutages: r.errorsDuringOutages }).toEqual({ errors: 2, errorsDuringOutages: 1 });
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
