// Interop: the official kubemq-js (npm, 1.2.3) and this SDK talk to each other through one broker
// (the shared broker of @kubemq/testing: the emulator unless KUBEMQ_ADDRESS / KUBEMQ_BINARY say
// otherwise), for every pattern and both directions. A third-party client passing here is also
// evidence that the emulator speaks the same protocol as the server.
//
// kubemq-js bodies are always Buffers here: kubemq-js decodes a *string* body as base64
// (docs/migration-from-kubemq-js.md), so `body: 'hello world'` would arrive as 7 other bytes. One test pins that
// behaviour so the reason for the Buffers stays visible.
//
// The broker gives no "subscribed" signal. This SDK's listeners and responders prove their own
// readiness (listener.ready(), responder.ready()); a kubemq-js subscriber's readiness is proven
// with probes (probeUntil), never with sleeps.
import { KubemqClient } from '@kubemq/core';
import { eventListener, events, eventStream, EVENTS_READINESS_PROBE_TAG, type EventReceive } from '@kubemq/events';
import { eventsStore, eventStoreStream, StartPosition, type EventStoreReceive } from '@kubemq/events-store';
import { queues, queueUpstream } from '@kubemq/queues';
import { commandResponder, commands, queries, queryResponder } from '@kubemq/rpc';
import { probeUntil, eventually, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import type { Observable, Subscription } from 'rxjs';
// kubemq-js is CommonJS with its own typings.
import * as kubemq from 'kubemq-js';

type KjsSubscription = { unsubscribe(): void };

const text = (b: Uint8Array | string): string => (typeof b === 'string' ? Buffer.from(b, 'base64').toString() : Buffer.from(b).toString());

describe('interop with kubemq-js (official SDK from npm)', () => {
  let address: string;
  let sdk: KubemqClient;
  const config = () => ({ address, clientId: uniqueClientId('kjs'), reconnectInterval: 0 });
  const kjsClients: { close(): void }[] = [];
  const kjsSubs: KjsSubscription[] = [];
  const rxSubs: Subscription[] = [];

  /** A kubemq-js client of the given class, closed after the suite. */
  function kjs<T extends { close(): void }>(ctor: new (c: ReturnType<typeof config>) => T): T {
    const c = new ctor(config());
    kjsClients.push(c);
    return c;
  }
  function collect<T>(source: Observable<T>): { items: T[]; errors: unknown[] } {
    const items: T[] = [];
    const errors: unknown[] = [];
    rxSubs.push(source.subscribe({ next: (v) => items.push(v), error: (e) => errors.push(e) }));
    return { items, errors };
  }

  beforeAll(async () => {
    address = sharedBroker().address;
    sdk = await KubemqClient.connect({ address, clientId: uniqueClientId('interop-sdk') });
  });

  afterAll(async () => {
    rxSubs.forEach((s) => s.unsubscribe());
    kjsSubs.forEach((s) => s.unsubscribe());
    kjsClients.forEach((c) => c.close());
    await sdk.close();
    // kubemq-js subscription loops poll their unsubscribe flag once a second
    await new Promise((r) => setTimeout(r, 1200));
  });

  describe('events', () => {
    it('kubemq-js sends (unary and stream), this SDK receives', async () => {
      const channel = uniqueChannel('interop.ev.k2s');
      const got: EventReceive[] = [];
      await using listener = eventListener(sdk, { channel }, (e) => void got.push(e));
      await listener.ready();
      const sender = kjs(kubemq.EventsClient);
      await sender.send({ channel, id: 'k-1', body: Buffer.from('from kubemq-js'), metadata: 'unary' });
      const stream = await sender.stream(() => undefined);
      stream.write({ channel, id: 'k-2', body: Buffer.from([0, 1, 2, 255]), metadata: 'stream' });
      await eventually(() => expect(got).toHaveLength(2));
      stream.end();
      const [unary, streamed] = got as [EventReceive, EventReceive];
      expect(unary).toMatchObject({ id: 'k-1', channel, metadata: 'unary' });
      expect(unary.text()).toBe('from kubemq-js');
      expect(streamed.id).toBe('k-2');
      expect(Array.from(streamed.body)).toEqual([0, 1, 2, 255]);
      expect(listener.stats.handlerErrors).toBe(0);
    });

    it('this SDK sends, kubemq-js receives (body, metadata, tags, id)', async () => {
      const channel = uniqueChannel('interop.ev.s2k');
      const received: kubemq.EventsReceiveMessage[] = [];
      const sub = await kjs(kubemq.EventsClient).subscribe({ channel }, (err, msg) => msg && received.push(msg));
      kjsSubs.push(sub);
      await probeUntil(
        () => events(sdk).send({ channel, metadata: 'probe' }),
        () => received.some((m) => m.metadata === 'probe'),
      );
      await events(sdk).send({ channel, id: 's-1', body: 'from the SDK', metadata: 'send', tags: { k: 'v' } });
      const handle = eventStream(sdk);
      await handle.send({ channel, id: 's-2', body: new Uint8Array([9, 8, 7]), metadata: 'stream' });
      await handle.close();
      await eventually(() => expect(received.filter((m) => m.metadata !== 'probe')).toHaveLength(2));
      const [one, two] = received.filter((m) => m.metadata !== 'probe') as [kubemq.EventsReceiveMessage, kubemq.EventsReceiveMessage];
      expect(one).toMatchObject({ id: 's-1', channel, metadata: 'send' });
      expect(text(one.body)).toBe('from the SDK');
      expect(one.tags.get('k')).toBe('v');
      expect(two.id).toBe('s-2');
      expect(Array.from(two.body as Uint8Array)).toEqual([9, 8, 7]);
    });

    it('kubemq-js decodes a string body as base64 (why every kubemq-js body here is a Buffer)', async () => {
      const channel = uniqueChannel('interop.ev.base64');
      const got: EventReceive[] = [];
      await using listener = eventListener(sdk, { channel }, (e) => void got.push(e));
      await listener.ready();
      await kjs(kubemq.EventsClient).send({ channel, body: 'aGVsbG8=', metadata: 'string body' });
      await eventually(() => expect(got.some((e) => e.metadata === 'string body')).toBe(true));
      expect(got.find((e) => e.metadata === 'string body')?.text()).toBe('hello');
    });

    it("a kubemq-js subscriber sees this SDK's readiness probes as ordinary events, tagged", async () => {
      const channel = uniqueChannel('interop.ev.probe');
      const received: kubemq.EventsReceiveMessage[] = [];
      const sub = await kjs(kubemq.EventsClient).subscribe({ channel }, (err, msg) => msg && received.push(msg));
      kjsSubs.push(sub);
      await probeUntil(
        () => events(sdk).send({ channel, metadata: 'probe' }),
        () => received.some((m) => m.metadata === 'probe'),
      );
      await using listener = eventListener(sdk, { channel }, () => undefined);
      await listener.ready();
      await eventually(() => expect(received.some((m) => m.tags.has(EVENTS_READINESS_PROBE_TAG))).toBe(true));
    });

    it('kubemq-js cannot send tags: its send fails before reaching the broker (peer bug, so no tags flow that way)', async () => {
      // events.js: `pbMessage.getTagsMap().set(msg.tags)` passes the whole map as a key.
      const sender = kjs(kubemq.EventsClient);
      const channel = uniqueChannel('interop.ev.tags');
      await expect(sender.send({ channel, body: Buffer.from('x'), tags: new Map([['k', 'v']]) })).rejects.toThrow(/serialization failure/);
    });
  });

  describe('events store', () => {
    it('kubemq-js stores, this SDK replays from the first with sequences in order', async () => {
      const channel = uniqueChannel('interop.es.k2s');
      const sender = kjs(kubemq.EventsStoreClient);
      for (let i = 1; i <= 3; i++) {
        const r = await sender.send({ channel, id: `k-${i}`, body: Buffer.from(`stored ${i}`), metadata: 'unary' });
        expect(r.sent).toBe(true);
      }
      const answers: kubemq.EventsStoreSendResult[] = [];
      const stream = await sender.stream((err, result) => result && answers.push(result));
      stream.write({ channel, id: 'k-4', body: Buffer.from('stored 4'), metadata: 'stream' });
      await eventually(() => expect(answers).toHaveLength(1));
      stream.end();
      expect(answers[0]).toMatchObject({ id: 'k-4', sent: true });
      const got = collect(eventsStore(sdk).subscribe({ channel, startAt: StartPosition.fromFirst() }));
      await eventually(() => expect(got.items).toHaveLength(4));
      expect(got.items.map((e) => [e.id, e.sequence, e.text()])).toEqual([
        ['k-1', 1, 'stored 1'],
        ['k-2', 2, 'stored 2'],
        ['k-3', 3, 'stored 3'],
        ['k-4', 4, 'stored 4'],
      ]);
      const first = got.items[0] as EventStoreReceive;
      // The broker's clock against this machine's: within minutes (a shared broker's clock may be
      // off by seconds); a unit mistake would be off by decades.
      expect(Math.abs(first.timestamp.getTime() - Date.now())).toBeLessThan(300_000);
    });

    it('this SDK stores, kubemq-js replays from the first (sequence, timestamp in ns)', async () => {
      const channel = uniqueChannel('interop.es.s2k');
      await eventsStore(sdk).send({ channel, id: 's-1', body: 'one', metadata: 'm1' });
      const handle = eventStoreStream(sdk);
      await handle.send({ channel, id: 's-2', body: new Uint8Array([2]), metadata: 'm2' });
      await handle.close();
      const received: kubemq.EventsStoreReceiveMessage[] = [];
      const sub = await kjs(kubemq.EventsStoreClient).subscribe(
        { channel, clientId: uniqueClientId('kjs-es'), requestType: kubemq.EventStoreType.StartFromFirst },
        (err, msg) => msg && received.push(msg),
      );
      kjsSubs.push(sub);
      await eventually(() => expect(received).toHaveLength(2));
      expect(received.map((m) => [m.id, m.sequence, m.metadata])).toEqual([
        ['s-1', 1, 'm1'],
        ['s-2', 2, 'm2'],
      ]);
      const [first] = received as [kubemq.EventsStoreReceiveMessage];
      expect(text(first.body)).toBe('one');
      // The wire carries Unix nanoseconds (docs/broker-behaviour.md §0); kubemq-js passes them
      // through. Checked against the broker's own stamp on the same event, as this SDK reads it
      // (never against this machine's clock: a shared broker's may be off by seconds).
      const ours = collect(eventsStore(sdk).subscribe({ channel, startAt: StartPosition.fromFirst() }));
      await eventually(() => expect(ours.items.map((e) => e.id)).toEqual(['s-1', 's-2']));
      const stamped = (ours.items[0] as EventStoreReceive).timestamp.getTime();
      expect(Math.abs(first.timestamp / 1e6 - stamped)).toBeLessThan(2); // ms: a Date's whole ms, a double's rounding of ns
    });
  });

  describe('queues', () => {
    it('kubemq-js sends (single and batch), this SDK receives (simple) and polls + acks (stream)', async () => {
      const channel = uniqueChannel('interop.q.k2s');
      const sender = kjs(kubemq.QueuesClient);
      const one = await sender.send({ channel, id: 'k-1', body: Buffer.from('job 1'), metadata: 'single' });
      expect(one.isError).toBe(false);
      const batch = await sender.batch([2, 3, 4].map((i) => ({ channel, id: `k-${i}`, body: Buffer.from(`job ${i}`), metadata: 'batch' })));
      expect(batch.map((r) => r.isError)).toEqual([false, false, false]);
      const simple = await queues(sdk).receive({ channel, maxItems: 2, waitTimeoutSeconds: 2 });
      expect(simple.messages.map((m) => [m.id, m.text(), m.metadata])).toEqual([
        ['k-1', 'job 1', 'single'],
        ['k-2', 'job 2', 'batch'],
      ]);
      const tx = await queues(sdk).poll({ channel, maxItems: 10, waitTimeoutMs: 2000 });
      expect(tx.messages.map((m) => m.text())).toEqual(['job 3', 'job 4']);
      await tx.ackAll();
      const left = await sender.peek({ channel, maxNumberOfMessages: 10, waitTimeoutSeconds: 1 });
      expect(left.messages).toHaveLength(0);
    });

    it('this SDK sends (send, sendBatch, queueUpstream), kubemq-js pulls them in order', async () => {
      const channel = uniqueChannel('interop.q.s2k');
      await queues(sdk).send({ channel, id: 's-1', body: 'a', tags: { k: 'v' } });
      const batch = await queues(sdk).sendBatch([{ channel, id: 's-2', body: 'b' }]);
      expect(batch.failed).toBe(0);
      const up = queueUpstream(sdk);
      const streamed = await up.send([{ channel, id: 's-3', body: new Uint8Array([3]) }]);
      expect(streamed.failed).toBe(0);
      await up.close();
      const pulled = await kjs(kubemq.QueuesClient).pull({ channel, maxNumberOfMessages: 10, waitTimeoutSeconds: 2 });
      expect(pulled.isError).toBe(false);
      expect(pulled.messages.map((m) => m.id)).toEqual(['s-1', 's-2', 's-3']);
      const [a, , c] = pulled.messages as [kubemq.QueueMessage, kubemq.QueueMessage, kubemq.QueueMessage];
      expect(text(a.body as Uint8Array)).toBe('a');
      expect(a.tags?.get('k')).toBe('v');
      expect(Array.from(c.body as Uint8Array)).toEqual([3]);
      expect(a.attributes?.sequence).toBe(1);
    });
    it("kubemq-js's one-message stream transactions (StreamQueueMessage, its only queue stream) ack and reject this SDK's messages", async () => {
      const channel = uniqueChannel('interop.q.v1');
      const batch = await queues(sdk).sendBatch([
        { channel, id: 's-1', body: 'first' },
        { channel, id: 's-2', body: 'second' },
      ]);
      expect(batch.failed).toBe(0);
      const receiver = kjs(kubemq.QueuesClient);
      // Resolves when the broker ends the stream, which it does right after the settlement (docs/broker-behaviour.md §2.4).
      const take = async (settle: 'ack' | 'reject'): Promise<kubemq.QueueTransactionMessage | undefined> => {
        let first: kubemq.QueueTransactionMessage | undefined;
        const errors: Error[] = [];
        await receiver.transaction({ channel, waitTimeoutSeconds: 2, visibilitySeconds: 10 }, (err, msg) => {
          if (err) errors.push(err);
          if (msg && !first) {
            first = msg;
            void (settle === 'ack' ? msg.ack() : msg.reject());
          }
        });
        expect(errors).toEqual([]);
        return first;
      };
      const acked = await take('ack');
      expect(acked?.message.id).toBe('s-1');
      expect(text(acked?.message.body as Uint8Array)).toBe('first');
      const rejected = await take('reject');
      expect(rejected?.message.id).toBe('s-2');
      const back = await queues(sdk).receive({ channel, maxItems: 10, waitTimeoutSeconds: 1 });
      expect(back.messages.map((m) => [m.id, m.text(), m.receiveCount])).toEqual([['s-2', 'second', 2]]);
    });
  });

  describe('commands and queries', () => {
    it("this SDK's responders answer kubemq-js's command and query", async () => {
      const channel = uniqueChannel('interop.rpc.k2s');
      const seen: string[] = [];
      await using cmd = commandResponder(sdk, { channel }, (c) => {
        seen.push(c.text());
        if (c.metadata === 'fail') throw new Error('refused by the SDK');
      });
      await using qry = queryResponder(sdk, { channel }, (q) => ({ body: `answer to ${q.text()}`, metadata: 'from the SDK' }));
      await Promise.all([cmd.ready(), qry.ready()]);
      const commandsClient = kjs(kubemq.CommandsClient);
      const ok = await commandsClient.send({ channel, body: Buffer.from('do it'), timeout: 5000 });
      expect(ok).toMatchObject({ executed: true, error: '' });
      const failed = await commandsClient.send({ channel, body: Buffer.from('no'), metadata: 'fail', timeout: 5000 });
      expect(failed.executed).toBe(false);
      expect(failed.error).toContain('refused by the SDK');
      const answer = await kjs(kubemq.QueriesClient).send({ channel, body: Buffer.from('q1'), timeout: 5000 });
      expect(answer.executed).toBe(true);
      expect(text(answer.body as Uint8Array)).toBe('answer to q1');
      expect(answer.metadata).toBe('from the SDK');
      expect(seen).toEqual(expect.arrayContaining(['do it', 'no']));
    });

    it("kubemq-js's responders answer this SDK's command and query", async () => {
      const channel = uniqueChannel('interop.rpc.s2k');
      const commandsClient = kjs(kubemq.CommandsClient);
      const cmdSub = await commandsClient.subscribe({ channel }, (err, req) => {
        if (!req) return;
        void commandsClient.response({ id: req.id, replyChannel: req.replyChannel, clientId: 'kjs-responder', timestamp: 0, executed: text(req.body) !== 'fail', error: text(req.body) === 'fail' ? 'refused by kubemq-js' : '' }).catch(() => undefined);
      });
      kjsSubs.push(cmdSub);
      const queriesClient = kjs(kubemq.QueriesClient);
      const qSub = await queriesClient.subscribe({ channel }, (err, req) => {
        if (!req) return;
        void queriesClient.response({ id: req.id, replyChannel: req.replyChannel, clientId: 'kjs-responder', timestamp: 0, executed: true, error: '', body: Buffer.from(`echo ${text(req.body)}`), metadata: 'from kubemq-js' }).catch(() => undefined);
      });
      kjsSubs.push(qSub);
      // the broker gives no "subscribed" signal: send until a request is answered
      await probeUntil(
        () => commands(sdk).send({ channel, body: 'probe', timeoutMs: 500 }).then(() => (cmdReady = true), () => undefined),
        () => cmdReady,
      );
      await probeUntil(
        () => queries(sdk).send({ channel, body: 'probe', timeoutMs: 500 }).then(() => (qReady = true), () => undefined),
        () => qReady,
      );
      const done = await commands(sdk).send({ channel, body: 'reboot', timeoutMs: 5000 });
      expect(done.executed).toBe(true);
      const refused = await commands(sdk).send({ channel, body: 'fail', timeoutMs: 5000 });
      expect(refused).toMatchObject({ executed: false, error: 'refused by kubemq-js' });
      const answer = await queries(sdk).send({ channel, body: 'ping', timeoutMs: 5000 });
      expect(answer.executed).toBe(true);
      expect(answer.text()).toBe('echo ping');
      expect(answer.metadata).toBe('from kubemq-js');
    });
    let cmdReady = false;
    let qReady = false;
  });
});
