import { KubemqError, type KubemqClient } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventsStore, eventStoreStream, StartPosition } from '../../src/index.js';
import { collect, connect } from './helpers.js';

const MAY_BE_STORED = /may or may not be stored/;
const NEVER_WRITTEN = /before the event was written/;

type Outcome = { body: string; ok: true } | { body: string; ok: false; error: KubemqError };

/** The bodies stored on `channel`: a replay from the first, up to a last event of its own. */
async function storedBodies(channel: string): Promise<Set<string>> {
  const reader = await connect(sharedBroker().address, 'es-close-reader');
  try {
    const all = collect(eventsStore(reader).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    await eventsStore(reader).send({ channel, body: 'last' });
    await eventually(() => expect(all.items.map((e) => e.text())).toContain('last'));
    all.sub.unsubscribe();
    return new Set(all.items.map((e) => e.text()).filter((body) => body !== 'last'));
  } finally {
    await reader.close();
  }
}

describe('events store: sends a close cuts (integration)', () => {
  it.each(['send()', 'a stream handle'] as const)(
    'through %s: a send written and unanswered when close() gives up says the event may or may not be stored, never just that the client is closed',
    async (via) => {
      const channel = uniqueChannel('es.close.cut');
      const client: KubemqClient = await connect(sharedBroker().address);
      const handle = via === 'a stream handle' ? eventStoreStream(client) : undefined;
      const sends = Array.from({ length: 2000 }, (_, i) => {
        const body = `e${i}`;
        const sent = handle ? handle.send({ channel, body }) : eventsStore(client).send({ channel, body });
        return sent.then(
          (): Outcome => ({ body, ok: true }),
          (error: KubemqError): Outcome => ({ body, ok: false, error }),
        );
      });
      // Once the first answer is in, the others were written behind it; most are unanswered yet.
      await sends[0];
      await client.close({ timeoutMs: 0 });
      const outcomes = await Promise.all(sends);
      const stored = await storedBodies(channel);

      const failures = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
      expect(failures.length).toBeGreaterThan(0);
      for (const o of outcomes) {
        if (o.ok) {
          expect(stored.has(o.body)).toBe(true);
          continue;
        }
        expect(KubemqError.isKubemqError(o.error) && o.error.code).toBe('CLOSED');
        expect(o.error.message).toMatch(/may or may not be stored|before the event was written/);
        if (NEVER_WRITTEN.test(o.error.message)) expect(stored.has(o.body)).toBe(false);
      }
      // The sends written before the cut: what became of them is not known, and the error says so.
      expect(failures.some((o) => MAY_BE_STORED.test(o.error.message))).toBe(true);
      expect(failures.filter((o) => /the client is closed/.test(o.error.message))).toEqual([]);
    },
  );
});
