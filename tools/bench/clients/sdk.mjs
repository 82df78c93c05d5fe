// This SDK, through its built packages (`@kubemq/*` resolve to packages/*/dist via the workspace),
// used the way its READMEs show.
import { KubemqClient } from '@kubemq/core';
import { events, eventStream } from '@kubemq/events';
import { eventsStore, eventStoreStream, StartPosition } from '@kubemq/events-store';
import { queues, queueUpstream } from '@kubemq/queues';
import { commandResponder, commands, queries, queryResponder } from '@kubemq/rpc';

export async function connect(address, clientId) {
  const client = await KubemqClient.connect({ address, clientId, maxMessageBytes: 16 * 1024 * 1024 });
  const ev = events(client, { sendMode: 'unary' });
  const evDefault = events(client);
  const es = eventsStore(client);
  const q = queues(client);
  const rpc = { command: commands(client), query: queries(client) };

  return {
    close: () => client.close(),

    async publish(channel, body) {
      await ev.send({ channel, body });
    },

    // events(client).send() with its default mode (the shared stream with a confirming marker).
    async publishDefault(channel, body) {
      await evDefault.send({ channel, body });
    },

    openEventStream() {
      const handle = eventStream(client);
      return {
        send: (channel, body) => handle.send({ channel, body }),
        close: () => handle.close(),
      };
    },

    openStoreStream() {
      const handle = eventStoreStream(client);
      return {
        send: (channel, body) => handle.send({ channel, body }),
        close: () => handle.close(),
      };
    },

    subscribe(kind, channel, onBody) {
      const source = kind === 'events-store' ? es.subscribe({ channel, startAt: StartPosition.newOnly() }) : evDefault.subscribe({ channel });
      const sub = source.subscribe({
        next: (e) => onBody(e.body),
        error: (err) => console.error('sdk subscription failed', err),
      });
      return { close: () => sub.unsubscribe() };
    },

    async queueSendBatch(channel, bodies) {
      const r = await q.sendBatch(bodies.map((body) => ({ channel, body })));
      if (r.failed > 0) throw new Error(`${r.failed} messages failed`);
    },

    async queueReceive(channel, maxItems, waitMs) {
      // The broker counts this wait in whole seconds (waitMs is a multiple of 1000).
      const r = await q.receive({ channel, maxItems, waitTimeoutSeconds: waitMs / 1000 });
      return r.messages.map((m) => m.body);
    },

    openUpstream() {
      const up = queueUpstream(client);
      return {
        async send(channel, bodies) {
          const r = await up.send(bodies.map((body) => ({ channel, body })));
          if (r.failed > 0) throw new Error(`${r.failed} messages failed`);
        },
        close: () => up.close(),
      };
    },

    // The stream consumer loop (docs/queues.md, `transactions()`): one transaction per batch,
    // settled with ackAll(), and the loop writes the next Get right behind the ack. A batch counts as
    // received when it arrives (as for the other clients); its ack is awaited before the next batch
    // is taken, and after a full batch the answer to that next Get is the ack's proof.
    // BENCH_SDK_ACK_PROBE=1 passes ackAll() a timeout of its own, which keeps the ActiveOffsets proof
    // between the ack and the Get (the proof every ack paid before), to measure what it costs.
    // The loop emits only non-empty transactions, so pollAck() never returns an empty batch: the
    // consumer finishes when every message arrived (or after its idle timeout).
    openDownstream() {
      let batches;
      let acked = Promise.resolve();
      const ackOptions = process.env.BENCH_SDK_ACK_PROBE === '1' ? { timeoutMs: 30_000 } : undefined;
      return {
        async pollAck(channel, maxItems, waitMs) {
          batches ??= q.transactions({ channel, maxItems, waitTimeoutMs: waitMs })[Symbol.asyncIterator]();
          await acked;
          const { value: tx, done } = await batches.next();
          if (done) return [];
          const bodies = tx.messages.map((m) => m.body);
          acked = tx.ackAll(ackOptions);
          acked.catch(() => undefined); // awaited by the next pollAck() or close()
          return bodies;
        },
        close: async () => {
          await acked;
          await batches?.return?.();
        },
      };
    },

    serve(kind, channel) {
      const responder = kind === 'command' ? commandResponder(rpc.command, { channel, concurrency: 256 }, () => undefined) : queryResponder(rpc.query, { channel, concurrency: 256 }, (req) => ({ body: req.body }));
      return { close: () => responder.stop() };
    },

    async request(kind, channel, body, timeoutMs) {
      const r = await rpc[kind].send({ channel, body, timeoutMs });
      if (!r.executed) throw new Error(r.error || 'not executed');
    },
  };
}
