import type { Request } from '@kubemq/core/internal';
import { RequestsInHand } from './requests-in-hand.js';

const request = (id: string, timeoutMs: number) => ({ RequestID: id, Timeout: timeoutMs }) as Request;

describe('RequestsInHand', () => {
  it('settles at once with nothing in hand, and once every request is replied to', async () => {
    const inHand = new RequestsInHand(60_000);
    await inHand.settled();
    inHand.delivered(request('a', 60_000));
    inHand.delivered(request('b', 60_000));
    let settled = false;
    const waiting = inHand.settled().then(() => (settled = true));
    inHand.replied('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    inHand.replied('b');
    await waiting;
  });

  it('waits for each of two requests in hand that share an id (senders may choose ids)', async () => {
    const inHand = new RequestsInHand(60_000);
    inHand.delivered(request('order-1', 60_000));
    inHand.delivered(request('order-1', 60_000));
    let settled = false;
    const waiting = inHand.settled().then(() => (settled = true));
    inHand.replied('order-1');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    inHand.replied('order-1');
    await waiting;
  });

  it('settles when the senders stop waiting, without a reply', async () => {
    const inHand = new RequestsInHand(60_000);
    inHand.delivered(request('late', 30));
    const started = performance.now();
    await inHand.settled();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('does not grow without bound when nobody replies: expired requests are swept', async () => {
    const inHand = new RequestsInHand(60_000);
    for (let i = 0; i < 10_000; i++) {
      inHand.delivered(request(`unanswered-${i}`, 1));
      // Each batch has expired by the next one's sweep.
      if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(inHand.size).toBeLessThanOrEqual(1024);
    inHand.delivered(request('live', 60_000));
    inHand.replied('live');
    expect(inHand.size).toBeLessThanOrEqual(1024);
  });

  it('waits for a request that came without its sender\'s timeout (Timeout 0: some servers clear it) until it is replied to', async () => {
    const inHand = new RequestsInHand(60_000);
    inHand.delivered(request('cleared', 0));
    let settled = false;
    const waiting = inHand.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    inHand.replied('cleared');
    await waiting;
  });

  it('keeps such a request only for the client\'s defaultTimeoutMs, so one never replied to is swept too', async () => {
    const inHand = new RequestsInHand(30);
    inHand.delivered(request('cleared', 0));
    const started = performance.now();
    await inHand.settled();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    for (let i = 0; i < 3_000; i++) {
      inHand.delivered(request(`monitored-${i}`, 0));
      if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 35));
    }
    expect(inHand.size).toBeLessThanOrEqual(1024);
  });
});
