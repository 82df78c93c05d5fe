// A projector that follows a channel (docs/events-store.md) reads it with `for await`: once caught
// up, the loop waits in next(), where no check in its body runs. The subscription's signal ends it
// there, quietly (a SIGTERM handler aborts it).
import type { KubemqClient } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventsStore, StartPosition } from '../../src/index.js';
import { connect } from './helpers.js';

describe('events store: subscribe({ signal }) (integration)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'events-store-signal');
  });
  afterAll(async () => {
    await client?.close();
  });

  it('a loop that has caught up and waits for the next event ends without an error when the signal aborts; resuming after the last sequence reads on', async () => {
    const channel = uniqueChannel('es.signal');
    for (const body of ['e1', 'e2', 'e3']) expect((await eventsStore(client).send({ channel, body })).sent).toBe(true);
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const event of eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst(), signal: controller.signal })) seen.push(event.sequence);
      return 'ended';
    })();
    await eventually(() => expect(seen).toEqual([1, 2, 3]));
    controller.abort();
    await expect(loop).resolves.toBe('ended');

    // The projector restarts after its checkpoint.
    await eventsStore(client).send({ channel, body: 'e4' });
    const resumed = new AbortController();
    const next: number[] = [];
    for await (const event of eventsStore(client).subscribe({ channel, startAt: StartPosition.atSequence(seen.at(-1)! + 1), signal: resumed.signal })) {
      next.push(event.sequence);
      resumed.abort(); // ends the loop at its next step
    }
    expect(next).toEqual([4]);
  });
});
