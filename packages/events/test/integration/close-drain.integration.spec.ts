import type { KubemqError } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventListener, events, eventStream, type EventReceive } from '../../src/index.js';
import { collect, connect } from './helpers.js';

describe("events: what a listener's handler sends while close() drains (integration)", () => {
  it('goes out, through send() and through a stream handle; a new listener is refused with CLOSED meanwhile, and a send after the drain too', async () => {
    const channel = uniqueChannel('ev.drain.in');
    const forwarded = uniqueChannel('ev.drain.out');
    const watcher = await connect(sharedBroker().address, 'ev-drain-watcher');
    const client = await connect(sharedBroker().address, 'ev-drain');
    try {
      const arrived = collect<EventReceive>(events(watcher).subscribe({ channel: forwarded }));
      const handle = eventStream(client);
      const outcomes: Record<string, unknown> = {};
      let started!: () => void;
      const handling = new Promise<void>((resolve) => (started = resolve));
      const listener = eventListener(client, { channel }, async (event) => {
        started();
        // close() has begun: the handler finishes its work.
        await new Promise((resolve) => setTimeout(resolve, 200));
        outcomes['send'] = await events(client).send({ channel: forwarded, body: `send ${event.text()}` }).then(() => 'sent', (err: KubemqError) => err.code);
        outcomes['stream'] = await handle.send({ channel: forwarded, body: `stream ${event.text()}` }).then(() => 'sent', (err: KubemqError) => err.code);
        outcomes['flush'] = await handle.flush().then(() => 'flushed', (err: KubemqError) => err.code);
        const late = eventListener(client, { channel: uniqueChannel('ev.drain.late') }, () => undefined);
        outcomes['new listener'] = await late.done.then(() => 'ended', (err: KubemqError) => err.code);
      });
      await listener.ready();
      // The watcher's subscription is registered once an event sent after it arrives.
      await eventually(async () => {
        await events(watcher).send({ channel: forwarded, body: 'watching' });
        expect(arrived.items.map((e) => e.text())).toContain('watching');
      });
      await events(watcher).send({ channel, body: 'e1' });
      await handling;
      await client.close();
      expect(outcomes).toEqual({ send: 'sent', stream: 'sent', flush: 'flushed', 'new listener': 'CLOSED' });
      await eventually(() => expect(arrived.items.map((e) => e.text())).toEqual(expect.arrayContaining(['send e1', 'stream e1'])));
      expect(listener.stats).toMatchObject({ handled: 1, handlerErrors: 0 });
      await expect(events(client).send({ channel: forwarded, body: 'after' })).rejects.toMatchObject({ code: 'CLOSED' });
      arrived.sub.unsubscribe();
    } finally {
      await client.close();
      await watcher.close();
    }
  });
});
