// A `for await` loop over subscribe() waits in next() between events, where no check in its body
// runs: the subscription's signal ends it there, quietly, and the client goes on serving.
import type { KubemqClient } from '@kubemq/core';
import { probeUntil, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { events } from '../../src/index.js';
import { connect } from './helpers.js';

describe('events: subscribe({ signal }) (integration)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'events-signal');
  });
  afterAll(async () => {
    await client?.close();
  });

  it('a loop waiting on a quiet channel ends without an error when the signal aborts; the client still sends and subscribes', async () => {
    const channel = uniqueChannel('events.signal');
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of events(client).subscribe({ channel, signal: controller.signal })) seen.push(event.text());
      return 'ended';
    })();
    // The stream is proven to be registered: it has received an event and now waits for the next.
    await probeUntil(() => events(client).send({ channel, body: 'probe' }), () => seen.length > 0);
    controller.abort();
    await expect(loop).resolves.toBe('ended');

    const again: string[] = [];
    const sub = events(client).subscribe({ channel }).subscribe((event) => again.push(event.text()));
    try {
      await probeUntil(() => events(client).send({ channel, body: 'after' }), () => again.length > 0);
    } finally {
      sub.unsubscribe();
    }
  });
});
