// The ceiling for a Node client: plain @grpc/grpc-js with the emulator's generated ts-proto codecs
// and service client (same proto as the SDK). No validation, no ids beyond a counter, no recovery:
// the least work a client can do per message.
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeUpstream } from '../lib/close-upstream.mjs';
import { repoRoot } from '../lib/paths.mjs';

const generated = join(repoRoot, 'packages', 'emulator', 'dist', 'esm', 'generated', 'kubemq.js');
const { kubemqClient } = await import(pathToFileURL(generated).href);

const EMPTY = Buffer.alloc(0);
const unary = (c, method, req, options = {}) =>
  new Promise((resolve, reject) => c[method](req, options, (e, r) => (e ? reject(e) : resolve(r))));
const drained = (stream) => new Promise((r) => stream.once('drain', r));

export async function connect(address, clientId) {
  // A connection of its own (grpc-js would otherwise share one per address inside a process).
  const c = new kubemqClient(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.use_local_subchannel_pool': 1,
  });
  await new Promise((resolve, reject) => c.waitForReady(Date.now() + 30_000, (e) => (e ? reject(e) : resolve())));
  let seq = 0;
  const id = () => `${clientId}-${++seq}`;
  const event = (channel, body, store) => ({ EventID: id(), ClientID: clientId, Channel: channel, Metadata: '', Body: body, Store: store, Tags: {} });
  const qmsg = (channel, body) => ({ MessageID: id(), ClientID: clientId, Channel: channel, Metadata: '', Body: body, Tags: {}, Attributes: undefined, Policy: undefined });
  const request = (type, channel, body, timeoutMs) => ({ RequestID: id(), RequestTypeData: type, ClientID: clientId, Channel: channel, Metadata: '', Body: body, ReplyChannel: '', Timeout: timeoutMs, CacheKey: '', CacheTTL: 0, Span: EMPTY, Tags: {} });

  return {
    close: () => c.close(),

    async publish(channel, body) {
      const r = await unary(c, 'sendEvent', event(channel, body, false));
      if (!r.Sent) throw new Error(r.Error);
    },

    openEventStream() {
      const stream = c.sendEventsStream();
      stream.on('data', (r) => r.Sent || console.error('raw: event rejected', r.Error));
      stream.on('error', () => undefined);
      return {
        send: (channel, body) => (stream.write(event(channel, body, false)) ? undefined : drained(stream)),
        close: async () => stream.end(),
      };
    },

    openStoreStream() {
      const stream = c.sendEventsStream();
      const waiting = new Map();
      stream.on('data', (r) => {
        const done = waiting.get(r.EventID);
        waiting.delete(r.EventID);
        if (done) done(r);
      });
      stream.on('error', () => undefined);
      return {
        send(channel, body) {
          const ev = event(channel, body, true);
          return new Promise((resolve, reject) => {
            waiting.set(ev.EventID, (r) => (r.Sent ? resolve() : reject(new Error(r.Error))));
            stream.write(ev);
          });
        },
        close: async () => stream.end(),
      };
    },

    subscribe(kind, channel, onBody) {
      const store = kind === 'events-store';
      const sub = c.subscribeToEvents({ SubscribeTypeData: store ? 2 : 1, ClientID: `${clientId}-sub${++seq}`, Channel: channel, Group: '', EventsStoreTypeData: store ? 1 : 0, EventsStoreTypeValue: 0n });
      sub.on('data', (e) => onBody(e.Body));
      sub.on('error', () => undefined);
      return { close: () => sub.cancel() };
    },

    async queueSendBatch(channel, bodies) {
      const r = await unary(c, 'sendQueueMessagesBatch', { BatchID: id(), Messages: bodies.map((b) => qmsg(channel, b)) });
      if (r.HaveErrors) throw new Error('batch has errors');
    },

    async queueReceive(channel, maxItems, waitMs) {
      const r = await unary(c, 'receiveQueueMessages', { RequestID: id(), ClientID: clientId, Channel: channel, MaxNumberOfMessages: maxItems, WaitTimeSeconds: Math.ceil(waitMs / 1000), IsPeak: false });
      if (r.IsError && !/timeout|no new message/i.test(r.Error)) throw new Error(r.Error);
      return r.Messages.map((m) => m.Body);
    },

    openUpstream() {
      const up = c.queuesUpstream();
      const waiting = new Map();
      up.on('data', (r) => {
        const done = waiting.get(r.RefRequestID);
        waiting.delete(r.RefRequestID);
        if (done) done(r);
      });
      up.on('error', () => undefined);
      return {
        send(channel, bodies) {
          const req = { RequestID: id(), Messages: bodies.map((b) => qmsg(channel, b)) };
          return new Promise((resolve, reject) => {
            waiting.set(req.RequestID, (r) => (r.IsError ? reject(new Error(r.Error)) : resolve()));
            up.write(req);
          });
        },
        close: () => closeUpstream(c, up),
      };
    },

    // Get (manual ack) then AckAll on the same downstream stream: the broker answers AckAll only on
    // error, so the next Get follows right away.
    openDownstream() {
      const down = c.queuesDownstream();
      const waiting = new Map();
      down.on('data', (r) => {
        const done = waiting.get(r.RefRequestId);
        waiting.delete(r.RefRequestId);
        if (done) done(r);
      });
      down.on('error', () => undefined);
      const req = (type, channel, extra = {}) => ({ RequestID: id(), ClientID: clientId, RequestTypeData: type, Channel: channel, MaxItems: 0, WaitTimeout: 0, AutoAck: false, ReQueueChannel: '', SequenceRange: [], RefTransactionId: '', Metadata: {}, ...extra });
      return {
        async pollAck(channel, maxItems, waitMs) {
          const get = req(1, channel, { MaxItems: maxItems, WaitTimeout: waitMs });
          const r = await new Promise((resolve) => {
            waiting.set(get.RequestID, resolve);
            down.write(get);
          });
          if (r.IsError) {
            if (/timeout|no new message/i.test(r.Error)) return [];
            throw new Error(r.Error);
          }
          if (r.Messages.length > 0) down.write(req(2, channel, { RefTransactionId: r.TransactionId }));
          return r.Messages.map((m) => m.Body);
        },
        close: async () => down.end(),
      };
    },

    serve(kind, channel) {
      const sub = c.subscribeToRequests({ SubscribeTypeData: kind === 'command' ? 3 : 4, ClientID: clientId, Channel: channel, Group: '', EventsStoreTypeData: 0, EventsStoreTypeValue: 0n });
      sub.on('error', () => undefined);
      sub.on('data', (r) =>
        c.sendResponse(
          { ClientID: clientId, RequestID: r.RequestID, ReplyChannel: r.ReplyChannel, Metadata: '', Body: kind === 'query' ? r.Body : EMPTY, CacheHit: false, Timestamp: 0n, Executed: true, Error: '', Span: EMPTY, Tags: {} },
          () => undefined,
        ),
      );
      return { close: () => sub.cancel() };
    },

    async request(kind, channel, body, timeoutMs) {
      const r = await unary(c, 'sendRequest', request(kind === 'command' ? 1 : 2, channel, body, timeoutMs), { deadline: Date.now() + timeoutMs + 1000 });
      if (!r.Executed) throw new Error(r.Error || 'not executed');
    },
  };
}
