import type { QueuesUpstreamRequest } from '@kubemq/core/internal';
import type { QueueSendFailure, QueueSendResult } from '../../src/index.js';
import { DEFAULT_QUEUE_LIMITS } from '../../src/internal/limits.js';
import { QueueUpstream } from '../../src/internal/upstream/upstream.js';
import { until } from '@kubemq/test-fakes';
import { FakeQueueBroker } from './fake-queue-broker.js';

function setup(defaultTimeoutMs = 1000) {
  const broker = new FakeQueueBroker();
  const up = new QueueUpstream(broker.internals(), DEFAULT_QUEUE_LIMITS, defaultTimeoutMs);
  const batch = (n: number, channel = 'q') => Array.from({ length: n }, (_, i) => ({ channel, body: `b${i}` }));
  return { broker, up, batch };
}

const isFailure = (r: QueueSendResult | QueueSendFailure | undefined): r is QueueSendFailure => r !== undefined && 'error' in r;

describe('queueUpstream stream (against a broker-like fake)', () => {
  it('holds at most maxQueued batches while the stream cannot open: the next send is BUFFER_FULL', async () => {
    const broker = new FakeQueueBroker();
    // A client that never gets ready: the stream cannot open, so every send waits in the queue.
    const internals = { ...broker.internals(), whenReady: () => new Promise<void>(() => undefined) };
    const up = new QueueUpstream(internals, DEFAULT_QUEUE_LIMITS, 60_000, 2);
    const held = [up.send([{ channel: 'q', body: 'a' }]), up.send([{ channel: 'q', body: 'b' }])];
    for (const p of held) p.catch(() => undefined);
    await expect(up.send([{ channel: 'q', body: 'c' }])).rejects.toMatchObject({ code: 'BUFFER_FULL', retryable: true });
    await up.close({ timeoutMs: 0 });
    await expect(held[0]).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('correlates answers that arrive out of order', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    const a = up.send(batch(2));
    const b = up.send(batch(3));
    await until(() => broker.heldUpstream.length === 2);
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

  it('gives a stored message its sentAt and a refused one only its error, and counts the refusals', async () => {
    const { up } = setup();
    const res = await up.send([{ channel: 'q', body: '1' }, { channel: 'rejected', body: '2' }]);
    expect(res.failed).toBe(1);
    const [stored, refused] = res.results;
    expect(isFailure(stored)).toBe(false);
    expect((stored as QueueSendResult).sentAt).toBeInstanceOf(Date);
    expect(isFailure(refused)).toBe(true);
    expect(Object.keys(refused!).sort()).toEqual(['error', 'id']);
    expect((refused as QueueSendFailure).error.brokerCode).toBe(120);
    await up.close();
  });

  it('rejects bad input before sending anything', async () => {
    const { broker, up } = setup();
    await expect(up.send([])).rejects.toMatchObject({ code: 'VALIDATION', field: 'messages' });
    await expect(up.send([{ channel: 'q' }])).rejects.toMatchObject({ field: 'messages[0].body' });
    await expect(up.send([{ channel: 'q', body: 'x', policy: { maxReceiveCount: 2000 } }])).rejects.toMatchObject({ field: 'messages[0].policy.maxReceiveCount' });
    await expect(up.send([{ channel: 'q', body: 'x', policy: { delaySeconds: 1.5 } }])).rejects.toMatchObject({ field: 'messages[0].policy.delaySeconds' });
    await expect(up.close({ timeoutMs: -1 })).rejects.toMatchObject({ field: 'timeoutMs' });
    expect(broker.calls).toHaveLength(0);
  });

  it('fails pending sends with a retryable error when the stream breaks, then opens a new stream', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    const pending = up.send(batch(2));
    await until(() => broker.heldUpstream.length === 1);
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

  it('close half-closes, waits for pending answers, and only then cancels; sends after it fail with CLOSED', async () => {
    const { broker, up, batch } = setup();
    broker.holdUpstream = true;
    const pending = up.send(batch(2));
    await until(() => broker.heldUpstream.length === 1);
    let closed = false;
    const closing = up.close().then(() => (closed = true));
    const call = broker.calls[0]!;
    await until(() => call.ended);
    expect(call.cancelled).toBe(false); // never abort while an answer is owed (§5.3)
    expect(closed).toBe(false);
    broker.heldUpstream[0]!();
    await expect(pending).resolves.toMatchObject({ failed: 0 });
    await closing;
    expect(call.cancelled).toBe(true);
    await expect(up.send(batch(1))).rejects.toMatchObject({ code: 'CLOSED' });
    expect(broker.calls).toHaveLength(1);
  });

  it('sends made before close() still go out, even while the stream is being opened, and are answered', async () => {
    const { broker, up, batch } = setup();
    const sends = [up.send(batch(1)), up.send(batch(2)), up.send(batch(3))];
    await up.close();
    expect((await Promise.all(sends)).map((r) => r.results.length)).toEqual([1, 2, 3]);
    expect(broker.written('QueuesUpstream')).toHaveLength(3);
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('close timeoutMs bounds the whole close: what is still pending fails with TIMEOUT and the stream ends', async () => {
    const { broker, up, batch } = setup(60_000);
    broker.holdUpstream = true;
    const pending = up.send(batch(1), { timeoutMs: 60_000 });
    await until(() => broker.heldUpstream.length === 1);
    await up.close({ timeoutMs: 50 });
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true, message: expect.stringMatching(/may or may not have been stored/) });
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(up.counters.pending).toBe(0);
  });

  it('a send the close cut before it was written says that nothing was sent', async () => {
    const broker = new FakeQueueBroker();
    // The connection never gets ready: the stream never opens.
    const internals = { ...broker.internals(), whenReady: () => new Promise<void>(() => undefined) };
    const up = new QueueUpstream(internals, DEFAULT_QUEUE_LIMITS, 60_000);
    const pending = up.send([{ channel: 'q', body: 'a' }]);
    pending.catch(() => undefined);
    await up.close({ timeoutMs: 0 });
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/before the batch was written: nothing was sent/) });
    expect(broker.calls).toHaveLength(0);
  });

  it('without a bound, close waits at most the client\'s defaultTimeoutMs', async () => {
    const { broker, up, batch } = setup(50);
    broker.holdUpstream = true;
    const pending = up.send(batch(1), { timeoutMs: 60_000 });
    await until(() => broker.heldUpstream.length === 1);
    await up.close();
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('aborting a close ends its wait: pending sends fail with CANCELLED', async () => {
    const { broker, up, batch } = setup(60_000);
    broker.holdUpstream = true;
    const pending = up.send(batch(1), { timeoutMs: 60_000 });
    await until(() => broker.heldUpstream.length === 1);
    const ac = new AbortController();
    const closing = up.close({ signal: ac.signal });
    await until(() => broker.calls[0]!.ended);
    ac.abort();
    await closing;
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('a later close with a shorter bound ends an earlier close\'s wait; both resolve together', async () => {
    const { broker, up, batch } = setup(60_000);
    broker.holdUpstream = true;
    const pending = up.send(batch(1), { timeoutMs: 60_000 });
    await until(() => broker.heldUpstream.length === 1);
    const first = up.close();
    const second = up.close({ timeoutMs: 0 });
    await Promise.all([first, second]);
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('closing an upstream that never sent opens no stream', async () => {
    const { broker, up } = setup();
    await up.close();
    await up[Symbol.asyncDispose]();
    expect(broker.calls).toHaveLength(0);
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
