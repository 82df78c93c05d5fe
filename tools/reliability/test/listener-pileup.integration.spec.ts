// Listener pile-up: many sends issued at once on one stream (as happens when an outage ends and
// every waiting send resumes together) must not add a 'drain'/'status' listener each. Found by the
// chaos suite as MaxListenersExceededWarning from QueuesUpstream.write.
import { KubemqClient } from '@kubemq/core';
import { queueUpstream } from '@kubemq/queues';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { Readable } from 'node:stream';

/**
 * The most 'drain' listeners any stream held at once while `run` ran. (jest's sandboxed `process`
 * does not see Node's MaxListenersExceededWarning, so count at the source: every gRPC call is a
 * Node stream.)
 */
async function maxDrainListeners(run: () => Promise<void>): Promise<number> {
  const original = Readable.prototype.on;
  let max = 0;
  Readable.prototype.on = function (this: Readable, event: string | symbol, listener: (...args: unknown[]) => void) {
    const result = original.call(this, event, listener);
    if (event === 'drain') max = Math.max(max, this.listenerCount('drain'));
    return result;
  } as typeof original;
  try {
    await run();
  } finally {
    Readable.prototype.on = original;
  }
  return max;
}

describe('no listener pile-up on send streams', () => {
  it('60 concurrent QueuesUpstream sends on a fresh stream add no listener per send', async () => {
    await using client = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('rel-pileup') });
    const channel = uniqueChannel('rel.pileup');
    const max = await maxDrainListeners(async () => {
      await using up = queueUpstream(client);
      const body = Buffer.alloc(1024, 1);
      const results = await Promise.all(Array.from({ length: 60 }, () => up.send([{ channel, body }])));
      expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    });
    // One waiter per stream is enough: the others wait on its promise.
    expect(max).toBeLessThanOrEqual(1);
  });
});
