// The official kubemq-js 1.2.3 from npm, used the way its README shows. Bodies are Buffers: a
// string body is decoded as base64 by it (docs/migration-from-kubemq-js.md). Every client class opens its own grpc-js
// client, but inside one process they share one HTTP/2 connection (its config takes no channel
// options); the bench runs the consumer side in a process of its own, which spares it that.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const kubemq = require('kubemq-js');

const toBuffer = (b) => (typeof b === 'string' ? Buffer.from(b, 'base64') : b);
const tick = () => new Promise((r) => setImmediate(r));

export async function connect(address, clientId) {
  const config = { address, clientId, reconnectInterval: 1000 };
  const ev = new kubemq.EventsClient(config);
  const es = new kubemq.EventsStoreClient(config);
  const q = new kubemq.QueuesClient(config);
  const rpc = { command: new kubemq.CommandsClient(config), query: new kubemq.QueriesClient(config) };
  await ev.ping();
  const all = [ev, es, q, rpc.command, rpc.query];
  let seq = 0;

  return {
    close: async () => all.forEach((c) => c.close()),

    async publish(channel, body) {
      await ev.send({ channel, body });
    },

    // Its stream gives no backpressure (`sent: false` only says the local buffer is full): the
    // loop yields to the event loop whenever grpc-js reports a full buffer, so writes can flush.
    async openEventStream() {
      let full = false;
      const stream = await ev.stream((err, result) => {
        if (result && result.sent === false) full = true;
      });
      return {
        send(channel, body) {
          stream.write({ channel, body });
          if (full) {
            full = false;
            return tick();
          }
          return undefined;
        },
        close: async () => stream.end(),
      };
    },

    async openStoreStream() {
      const waiting = new Map();
      const stream = await es.stream((err, result) => {
        if (!result) return; // the write callback: no server answer
        const done = waiting.get(result.id);
        waiting.delete(result.id);
        if (done) done(result);
      });
      return {
        send(channel, body) {
          const id = `${clientId}-${++seq}`;
          return new Promise((resolve, reject) => {
            waiting.set(id, (r) => (r.sent ? resolve() : reject(new Error(r.error))));
            stream.write({ id, channel, body });
          });
        },
        close: async () => stream.end(),
      };
    },

    async subscribe(kind, channel, onBody) {
      const cb = (err, msg) => {
        if (!err && msg) onBody(toBuffer(msg.body));
      };
      const sub =
        kind === 'events-store'
          ? await es.subscribe({ channel, clientId: `${clientId}-sub`, requestType: kubemq.EventStoreType.StartNewOnly }, cb)
          : await ev.subscribe({ channel }, cb);
      return { close: () => sub.unsubscribe() };
    },

    async queueSendBatch(channel, bodies) {
      const results = await q.batch(bodies.map((body) => ({ channel, body })));
      if (results.some((r) => r.isError)) throw new Error('batch has errors');
    },

    async queueReceive(channel, maxItems, waitMs) {
      const r = await q.pull({ channel, maxNumberOfMessages: maxItems, waitTimeoutSeconds: Math.ceil(waitMs / 1000) });
      if (r.isError && !/timeout|no new message/i.test(r.error)) throw new Error(r.error);
      return r.messages.map((m) => toBuffer(m.body));
    },

    async serve(kind, channel) {
      const client = rpc[kind];
      const sub = await client.subscribe({ channel }, (err, req) => {
        if (err || !req) return;
        const reply = { id: req.id, replyChannel: req.replyChannel, executed: true, error: '' };
        if (kind === 'query') reply.body = toBuffer(req.body);
        client.response(reply).catch(() => undefined);
      });
      return { close: () => sub.unsubscribe() };
    },

    async request(kind, channel, body, timeoutMs) {
      const r = await rpc[kind].send({ channel, body, timeout: timeoutMs });
      if (!r.executed) throw new Error(r.error || 'not executed');
    },
  };
}
