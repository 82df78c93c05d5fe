import type { KubemqClient } from '@kubemq/core';
import { queues, QueueTransactionError } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, itWhen, uniqueChannel } from '@kubemq/testing/jest';
import { bodies, connect } from './helpers.js';

// The for-await loops written as docs/queues.md shows them, across broker restarts: a settlement
// of a transaction lost with its stream rejects with QueueTransactionError 'lost', the loop skips
// it and goes on, on a new stream, and the broker delivers what it did not apply again.
// Two restarts each: one while the settlement that ends the transaction waits for its proof (the
// next poll, waiting on an empty queue), one while the transaction is in hand, unsettled.
describe('transactions() and subscribe() loops across broker restarts (own broker)', () => {
  let broker: KubemqBroker | undefined;
  let client: KubemqClient | undefined;

  beforeAll(async () => {
    if (!expectedCapabilities().restart) return;
    broker = await startKubemq();
    client = await connect(broker.address, 'queues-loops-restart');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  // A poll still waiting when a graceful stop closes the store (about 1.1 s after it) strands its
  // subscription, which the restarted broker deals the next batch to (broker-behaviour.md §5.3):
  // waits of 1 s end in time.
  const waitTimeoutMs = 1000;

  const isLost = (err: unknown): err is QueueTransactionError => err instanceof QueueTransactionError && err.reason === 'lost';

  /**
   * Counts handlings per body, and the messages a loss released (back to the queue unsettled, so
   * the broker must deliver them again); `done` once every body was handled and those came back.
   */
  function tally(all: string[]) {
    const handled = new Map<string, number>();
    const released = new Set<string>();
    return {
      handled,
      released,
      handle: (body: string) => void handled.set(body, (handled.get(body) ?? 0) + 1),
      done: () => released.size > 0 && all.every((b) => handled.has(b)) && [...released].every((b) => (handled.get(b) ?? 0) >= 2),
    };
  }

  /** Resolved by open(); what the loop waits on while the test restarts the broker. */
  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  }

  itWhen('restart', expectedCapabilities())(
    'transactions(): ackAll() in flight or on a transaction in hand rejects as lost; the loop goes on and every message is handled',
    async () => {
      const c = client as KubemqClient;
      const b = broker as KubemqBroker;
      const q = queues(c);
      const channel = uniqueChannel('q.loop.tx.restart');
      const first = bodies(10, 'a');
      const second = bodies(10, 'b');
      const t = tally([...first, ...second]);
      expect((await q.sendBatch(first.map((body) => ({ channel, body })))).failed).toBe(0);
      const lost: QueueTransactionError[] = [];
      let settling = false;
      let hold: ReturnType<typeof gate> | undefined;
      let held = false;
      const loop = (async () => {
        for await (const tx of q.transactions({ channel, maxItems: 10, waitTimeoutMs })) {
          for (const m of tx.messages) t.handle(m.text());
          if (hold && tx.messages.some((m) => m.text().startsWith('b-'))) {
            held = true;
            await hold.opened;
            hold = undefined;
          }
          settling = true;
          try {
            await tx.ackAll();
          } catch (err) {
            if (!isLost(err)) throw err;
            lost.push(err); // lost with its stream: the broker delivers these again
            for (const m of tx.messages) if (m.settlement === 'released') t.released.add(m.text());
            continue;
          } finally {
            settling = false;
          }
          if (t.done()) break;
        }
      })();
      let failure: unknown;
      loop.catch((err: unknown) => void (failure = err));
      // 1. A full batch: ackAll()'s proof is the next poll, which waits on the empty queue.
      await eventually(() => expect(settling && first.every((x) => t.handled.has(x))).toBe(true), { timeoutMs: 20_000, intervalMs: 5 });
      await b.restart();
      // A loop that died (the settlement's error was not the lost one) fails here, with its error.
      await eventually(() => expect({ failure, lost: lost.length }).toEqual({ failure: undefined, lost: 1 }), { timeoutMs: 20_000, intervalMs: 20 });
      expect(lost[0]).toMatchObject({ code: 'CLOSED', retryable: false, operation: 'queues.transaction.ackAll', message: expect.stringContaining('before the broker confirmed the settlement') });
      // 2. A transaction in hand, unsettled, when the broker restarts.
      const release = gate();
      hold = release;
      await eventually(() => q.sendBatch(second.map((body) => ({ channel, body }))).then((r) => expect(r.failed).toBe(0)), { timeoutMs: 30_000, intervalMs: 250 });
      await eventually(() => expect(held).toBe(true), { timeoutMs: 20_000, intervalMs: 5 });
      await b.restart();
      release.open();
      await loop;
      expect(lost.length).toBeGreaterThanOrEqual(2);
      expect(lost[1]).toMatchObject({ code: 'CLOSED', message: expect.stringContaining('nothing was sent') });
      // At least once: every message handled; those the loss released, again.
      expect([...first, ...second].filter((x) => !t.handled.has(x))).toEqual([]);
      expect([...t.released].every((x) => second.includes(x) && (t.handled.get(x) ?? 0) >= 2)).toBe(true);
      expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
    },
    120_000,
  );

  itWhen('restart', expectedCapabilities())(
    "subscribe(): a message's ack in flight or in hand rejects as lost; the loop goes on and every message is handled",
    async () => {
      const c = client as KubemqClient;
      const b = broker as KubemqBroker;
      const q = queues(c);
      const channel = uniqueChannel('q.loop.sub.restart');
      const first = bodies(5, 'a');
      const second = bodies(5, 'b');
      const t = tally([...first, ...second]);
      expect((await q.sendBatch(first.map((body) => ({ channel, body })))).failed).toBe(0);
      const lost: QueueTransactionError[] = [];
      let settlingLast = false;
      let hold: ReturnType<typeof gate> | undefined;
      let held = false;
      const loop = (async () => {
        for await (const msg of q.subscribe({ channel, maxItems: 5, waitTimeoutMs })) {
          t.handle(msg.text());
          if (hold && msg.text().startsWith('b-')) {
            held = true;
            await hold.opened;
            hold = undefined;
          }
          // The last message of the first poll: its ack ends the transaction, proved by the next poll.
          settlingLast = msg.text() === first[first.length - 1];
          try {
            await msg.ack();
          } catch (err) {
            if (!isLost(err)) throw err;
            lost.push(err); // lost with its stream: the broker delivers it again
            if (msg.settlement === 'released') t.released.add(msg.text());
            continue;
          } finally {
            settlingLast = false;
          }
          if (t.done()) break;
        }
      })();
      let failure: unknown;
      loop.catch((err: unknown) => void (failure = err));
      // 1. The last ack of a full poll waits for its proof, the next poll, on the empty queue.
      await eventually(() => expect(settlingLast).toBe(true), { timeoutMs: 20_000, intervalMs: 5 });
      await b.restart();
      // A loop that died (the settlement's error was not the lost one) fails here, with its error.
      await eventually(() => expect({ failure, lost: lost.length }).toEqual({ failure: undefined, lost: 1 }), { timeoutMs: 20_000, intervalMs: 20 });
      expect(lost[0]).toMatchObject({ code: 'CLOSED', retryable: false, operation: 'queues.message.ack', message: expect.stringContaining('before the broker confirmed the settlement') });
      // 2. A poll's messages in hand, unsettled, when the broker restarts.
      const release = gate();
      hold = release;
      await eventually(() => q.sendBatch(second.map((body) => ({ channel, body }))).then((r) => expect(r.failed).toBe(0)), { timeoutMs: 30_000, intervalMs: 250 });
      await eventually(() => expect(held).toBe(true), { timeoutMs: 20_000, intervalMs: 5 });
      await b.restart();
      release.open();
      await loop;
      // The held message and the rest of its poll: each one's ack was refused unsent, and it came back.
      expect(lost.length).toBe(1 + t.released.size);
      expect(lost.slice(1).every((e) => e.message.includes('nothing was sent'))).toBe(true);
      expect([...first, ...second].filter((x) => !t.handled.has(x))).toEqual([]);
      expect([...t.released].every((x) => second.includes(x) && (t.handled.get(x) ?? 0) >= 2)).toBe(true);
      expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
    },
    120_000,
  );
});
