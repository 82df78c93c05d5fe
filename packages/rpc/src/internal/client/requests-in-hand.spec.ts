import type { Request } from '@kubemq/core/internal';
import { RequestsInHand } from './requests-in-hand.js';

const request = (id: string, timeoutMs: number) => ({ RequestID: id, Timeout: timeoutMs }) as Request;

describe('RequestsInHand', () => {
  it('settles at once with nothing in hand, and once every request is replied to', async () => {
    const inHand = new RequestsInHand();
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
    const inHand = new RequestsInHand();
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
    const inHand = new RequestsInHand();
    inHand.delivered(request('late', 30));
    const started = performance.now();
    await inHand.settled();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('does not grow without bound when nobody replies: expired requests are swept', () => {
    const inHand = new RequestsInHand();
    // Timeout 0: each one has expired by the next sweep.
    for (let i = 0; i < 10_000; i++) inHand.delivered(request(`unanswered-${i}`, 0));
    expect(inHand.size).toBeLessThanOrEqual(1024);
    inHand.delivered(request('live', 60_000));
    inHand.replied('live');
    expect(inHand.size).toBeLessThanOrEqual(1024);
  });
});
