import type { QueuesUpstreamRequest } from '@kubemq/core/internal';
import { DEFAULT_QUEUE_LIMITS } from '../../src/internal/limits.js';
import { QueuesUpstream } from '../../src/internal/upstream/upstream.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

function setup(drainTimeoutMs = 1000) {
  const broker = new FakeQueueBroker();
  const up = new QueuesUpstream(broker.internals(), DEFAULT_QUEUE_LIMITS, 1000, drainTimeoutMs);
  const batch = (n: number, channel = 'q') => Array.from({ length: n }, (_, i) => ({ channel, body: `b${i}` }));
  return { broker, up, batch };
}

describe('QueuesUpstream (against a broker-like fake)', () => {
  it('correlates answers that arrive out of order', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    const a = up.send(batch(2));
    const b = up.send(batch(3));
    await new Promise((r) => setTimeout(r, 5));
    expect(broker.heldUpstream).toHaveLength(2);
    broker.heldUpstream[1]!();
    broker.heldUpstream[0]!();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.results).toHaveLength(2);
    expect(rb.results).toHaveLength(3);
    const sent = broker.written('QueuesUpstream') as QueuesUpstreamRequest[];
    expect(ra.results.map((r) => r.id)).toEqual(sent[0]!.Messages.map((m) => m.MessageID));
    expect(rb.results.map((r) => r.id)).toEqual(sent[1]!.Messages.map((m) => m.MessageID));
    expect(broker.calls).toHaveLength(1);
    await up.close();
  });

  it('counts per-message failures from the results', async () => {
    const { up } = setup();
    const res = await up.send([{ channel: 'q', body: '1' }, { channel: 'rejected', body: '2' }]);
    expect(res.failed).toBe(1);
    expect(res.results[1]?.error?.brokerCode).toBe(120);
    await up.close();
  });

  it('rejects bad input before sending anything', async () => {
    const { broker, up } = setup();
    await expect(up.send([])).rejects.toMatchObject({ code: 'VALIDATION', field: 'messages' });
    await expect(up.send([{ channel: 'q' }])).rejects.toMatchObject({ field: 'messages[0].body' });
    await expect(up.send([{ channel: 'q', body: 'x', policy: { maxReceiveCount: 2000 } }])).rejects.toMatchObject({ field: 'messages[0].policy.maxReceiveCount' });
    expect(broker.calls).toHaveLength(0);
  });

  it('fails pending sends with a retryable error when the stream breaks, then opens a new stream', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    const pending = up.send(batch(2));
    await new Promise((r) => setTimeout(r, 5));
    broker.calls[0]!.fail();
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(up.counters.pending).toBe(0);
    broker.holdUpstream = false;
    const next = await up.send(batch(1));
    expect(next.failed).toBe(0);
    expect(broker.calls).toHaveLength(2);
    // nothing was resent on its own: the broker saw exactly the two requests
    expect(broker.written('QueuesUpstream')).toHaveLength(2);
    await up.close();
  });

  it('close half-closes, waits for pending answers, and only then cancels', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    const pending = up.send(batch(2));
    await new Promise((r) => setTimeout(r, 5));
    const closing = up.close();
    await new Promise((r) => setTimeout(r, 20));
    const call = broker.calls[0]!;
    expect(call.ended).toBe(true);
    expect(call.cancelled).toBe(false); // never abort while an answer is owed (§5.3)
    broker.heldUpstream[0]!();
    await expect(pending).resolves.toMatchObject({ failed: 0 });
    await closing;
    expect(call.cancelled).toBe(true);
    await expect(up.send(batch(1))).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close gives up after the drain timeout and fails what is still pending', async () => {
    const { broker, up, batch } = setup(50);
    broker.holdUpstream = true;
    const pending = up.send(batch(1), { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 5));
    await up.close();
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('a send without an answer in time fails with TIMEOUT and is forgotten', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    await expect(up.send(batch(1), { timeoutMs: 30 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(up.counters.pending).toBe(0);
    broker.heldUpstream[0]!(); // a late answer is dropped quietly
    broker.holdUpstream = false;
    await up.close();
  });
});
