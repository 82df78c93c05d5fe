// The six workloads the chaos suite and the burn-in drive: a producer and a consumer each, built
// only on the SDK's public API. A message's body carries `<tag>|<seq>|<sentAt>|` plus padding, so
// the consumer can count it without any side channel.
import type { KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';
import { eventsStore, StartPosition } from '@kubemq/events-store';
import { queueConsumer, queues, queueUpstream, type QueueConsumer, type QueueUpstreamHandle } from '@kubemq/queues';
import { commandResponder, commands, queries, queryResponder, type Responder } from '@kubemq/rpc';
import type { Subscription } from 'rxjs';

export const WORKLOAD_NAMES = ['events', 'events-store', 'queue-stream', 'queue-simple', 'commands', 'queries'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** What a consumer reports: message `seq` arrived now (its send time is in the body). */
export type Deliver = (seq: number, sentAt: number) => void;

/** What a `consume()` consumer's own counters say a lost stream may have stranded (QueueConsumerStats). */
export interface ConsumerLossCounters {
  /** Gets cut off by a lost stream: each may have taken up to `maxItems` messages no one sees after a crash. */
  pollsInFlightAtLoss: number;
  /** Transactions open when a stream was lost: each may keep up to `maxItems` messages after a crash. */
  transactionsOpenAtLoss: number;
  /** Messages received and not yet settled when a stream was lost (they did reach the handler). */
  unsettledAtLoss: number;
  /** Redeliveries of messages this client had already handled, acked without handling them again. */
  redeliveriesSkipped: number;
}

/** A simple receive that failed: the broker acks on arrival, so one cut off by a crash loses what it had taken. */
export interface FailedReceive {
  startedAt: number;
  endedAt: number;
}

/** Failed receives kept per workload (a run with a broker outage a second has a few thousand). */
const MAX_FAILED_RECEIVES = 10_000;

export interface Workload {
  readonly name: WorkloadName;
  readonly channel: string;
  /** Where latency is measured: at delivery (one way) or when the send resolves (round trip). */
  readonly latencyAt: 'delivery' | 'confirm';
  /** Starts the consumer and resolves once it receives (probing where the broker gives no signal). */
  start(deliver: Deliver, onError: (err: unknown) => void): Promise<void>;
  /** One send; resolves when the SDK confirmed it (rejects with its error otherwise). */
  send(body: Buffer, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
  /** Queue workloads: messages per poll or receive. */
  readonly maxItems?: number;
  /** queue-stream: the consumer's loss counters now. */
  consumerCounters?(): ConsumerLossCounters;
  /** queue-simple: the receives that failed so far. */
  failedReceives?(): readonly FailedReceive[];
  /**
   * events-store: which of `seqs` the broker still stores, read back by a fresh subscription from
   * the first event up to an end marker sent now. Rejects when the marker does not arrive in time.
   */
  storedOf?(seqs: readonly number[], timeoutMs: number): Promise<Set<number>>;
}

export interface Clients {
  producer: KubemqClient;
  consumer: KubemqClient;
}

/** `<tag>|<seq>|<sentAt>|` padded with '.' to `size` bytes. */
export function encodeBody(tag: string, seq: number, sentAt: number, size: number): Buffer {
  const head = `${tag}|${seq}|${sentAt}|`;
  return Buffer.from(head.length >= size ? head : head + '.'.repeat(size - head.length));
}

export function decodeBody(tag: string, body: Uint8Array): { seq: number; sentAt: number } | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 64)).toString('latin1');
  const [t, seq, sentAt] = text.split('|', 3);
  if (t !== tag || seq === undefined || sentAt === undefined) return undefined;
  return { seq: Number(seq), sentAt: Number(sentAt) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `probe` every interval until `done()` (the broker says nothing when a subscription is live). */
async function probeUntil(probe: () => Promise<unknown>, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms`);
    await probe().catch(() => undefined);
    await sleep(100);
  }
}

/**
 * Messages per queue poll for a rate: the broker answers a poll when it has `maxItems` messages or
 * its wait ends, so a batch must fill in about 50 ms or the batch time becomes the latency.
 */
export function queueBatchFor(ratePerSecond: number): number {
  return Math.min(50, Math.max(1, Math.ceil(ratePerSecond / 20)));
}

export function createWorkload(name: WorkloadName, clients: Clients, channel: string, tag: string, ratePerSecond = 20): Workload {
  const batch = queueBatchFor(ratePerSecond);
  switch (name) {
    case 'events':
      return eventsWorkload(clients, channel, tag);
    case 'events-store':
      return eventsStoreWorkload(clients, channel, tag);
    case 'queue-stream':
      return queueStreamWorkload(clients, channel, tag, batch);
    case 'queue-simple':
      return queueSimpleWorkload(clients, channel, tag, batch);
    case 'commands':
      return rpcWorkload('commands', clients, channel, tag);
    case 'queries':
      return rpcWorkload('queries', clients, channel, tag);
  }
}

function eventsWorkload(clients: Clients, channel: string, tag: string): Workload {
  let sub: Subscription | undefined;
  let probed = false;
  const producer = events(clients.producer);
  return {
    name: 'events',
    channel,
    latencyAt: 'delivery',
    async start(deliver, onError) {
      sub = events(clients.consumer)
        .subscribe({ channel })
        .subscribe({
          next: (e) => {
            if (e.metadata === 'probe') probed = true;
            const m = decodeBody(tag, e.body);
            if (m) deliver(m.seq, m.sentAt);
          },
          error: onError,
          complete: () => onError(new Error('events subscription completed')),
        });
      await probeUntil(() => producer.send({ channel, metadata: 'probe' }), () => probed);
    },
    async send(body, timeoutMs) {
      await producer.send({ channel, body }, { timeoutMs });
    },
    async stop() {
      sub?.unsubscribe();
    },
  };
}

function eventsStoreWorkload(clients: Clients, channel: string, tag: string): Workload {
  let sub: Subscription | undefined;
  let probed = false;
  const producer = eventsStore(clients.producer);
  const consumer = eventsStore(clients.consumer);
  return {
    name: 'events-store',
    channel,
    latencyAt: 'delivery',
    async start(deliver, onError) {
      // From the first stored event: nothing sent before the subscription is live can be missed.
      sub = consumer
        .subscribe({ channel, startAt: StartPosition.fromFirst() })
        .subscribe({
          next: (e) => {
            if (e.metadata === 'probe') probed = true;
            const m = decodeBody(tag, e.body);
            if (m) deliver(m.seq, m.sentAt);
          },
          error: onError,
          complete: () => onError(new Error('events-store subscription completed')),
        });
      await producer.send({ channel, metadata: 'probe' });
      await probeUntil(async () => undefined, () => probed);
    },
    async send(body, timeoutMs) {
      await producer.send({ channel, body }, { timeoutMs });
    },
    async stop() {
      sub?.unsubscribe();
    },
    async storedOf(seqs, timeoutMs) {
      const wanted = new Set(seqs);
      const stored = new Set<number>();
      const marker = `replay-end-${Math.random().toString(36).slice(2)}`;
      // Stored after every event of the run: once the replay reaches it, it has read them all.
      await producer.send({ channel, metadata: marker }, { timeoutMs });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          replay.unsubscribe();
          reject(new Error(`the replay of ${channel} did not reach its end marker within ${timeoutMs} ms`));
        }, timeoutMs);
        const replay = consumer.subscribe({ channel, startAt: StartPosition.fromFirst() }).subscribe({
          next: (e) => {
            const m = decodeBody(tag, e.body);
            if (m && wanted.has(m.seq)) stored.add(m.seq);
            if (e.metadata !== marker) return;
            clearTimeout(timer);
            replay.unsubscribe();
            resolve();
          },
          error: (err: unknown) => {
            clearTimeout(timer);
            reject(err);
          },
        });
      });
      return stored;
    },
  };
}

function queueStreamWorkload(clients: Clients, channel: string, tag: string, batch: number): Workload {
  let consumer: QueueConsumer | undefined;
  let upstream: QueueUpstreamHandle | undefined;
  return {
    name: 'queue-stream',
    channel,
    latencyAt: 'delivery',
    maxItems: batch,
    consumerCounters() {
      const s = consumer?.stats;
      return {
        pollsInFlightAtLoss: s?.pollsInFlightAtLoss ?? 0,
        transactionsOpenAtLoss: s?.transactionsOpenAtLoss ?? 0,
        unsettledAtLoss: s?.unsettledAtLoss ?? 0,
        redeliveriesSkipped: s?.redeliveriesSkipped ?? 0,
      };
    },
    async start(deliver, onError) {
      upstream = queueUpstream(clients.producer);
      consumer = queueConsumer(clients.consumer, { channel, maxItems: batch, waitTimeoutMs: 1000, onError }, (msg) => {
        const m = decodeBody(tag, msg.body);
        if (m) deliver(m.seq, m.sentAt);
      });
      // A queue is durable: what is sent before the first poll waits for it.
    },
    async send(body, timeoutMs) {
      const up = upstream as QueueUpstreamHandle;
      const { results } = await up.send([{ channel, body }], { timeoutMs });
      const result = results[0];
      if (result && 'error' in result) throw result.error;
    },
    async stop() {
      await consumer?.stop();
      await upstream?.close();
    },
  };
}

function queueSimpleWorkload(clients: Clients, channel: string, tag: string, batch: number): Workload {
  let running = true;
  let loop: Promise<void> | undefined;
  const failed: FailedReceive[] = [];
  const q = queues(clients.producer);
  const waitTimeoutSeconds = 1;
  return {
    name: 'queue-simple',
    channel,
    latencyAt: 'delivery',
    maxItems: batch,
    failedReceives: () => failed,
    async start(deliver, onError) {
      const c = queues(clients.consumer);
      loop = (async () => {
        while (running) {
          const startedAt = Date.now();
          try {
            // The broker acks what it takes on arrival: a receive whose deadline passes while the
            // broker still waits for it loses those messages. So the deadline outlasts an outage
            // spent in the client's send buffer plus the broker's wait.
            const { messages } = await c.receive({ channel, maxItems: batch, waitTimeoutSeconds }, { timeoutMs: waitTimeoutSeconds * 1000 + 10_000 });
            for (const msg of messages) {
              const m = decodeBody(tag, msg.body);
              if (m) deliver(m.seq, m.sentAt);
            }
          } catch (err) {
            if (failed.length < MAX_FAILED_RECEIVES) failed.push({ startedAt, endedAt: Date.now() });
            onError(err);
            await sleep(100);
          }
        }
      })();
    },
    async send(body, timeoutMs) {
      await q.send({ channel, body }, { timeoutMs });
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

function rpcWorkload(kind: 'commands' | 'queries', clients: Clients, channel: string, tag: string): Workload {
  let responder: Responder | undefined;
  const requestTimeoutMs = 2000;
  const cmds = commands(clients.producer);
  const qs = queries(clients.producer);
  return {
    name: kind,
    channel,
    latencyAt: 'confirm',
    async start(deliver, onError) {
      const seen = (body: Uint8Array) => {
        const m = decodeBody(tag, body);
        if (m) deliver(m.seq, m.sentAt);
      };
      responder =
        kind === 'commands'
          ? commandResponder(clients.consumer, { channel, onError }, (cmd) => seen(cmd.body))
          : queryResponder(clients.consumer, { channel, onError }, (q) => {
              seen(q.body);
              return { body: 'ok' };
            });
      await responder.ready({ timeoutMs: 20_000 });
    },
    async send(body, timeoutMs) {
      // The request's own timeout (the broker's wait for a responder) bounds the call (plus the SDK's margin).
      const t = Math.min(requestTimeoutMs, timeoutMs);
      if (kind === 'commands') {
        const res = await cmds.send({ channel, body, timeoutMs: t });
        if (!res.executed) throw new Error(`command not executed: ${res.error ?? ''}`);
      } else {
        await qs.send({ channel, body, timeoutMs: t });
      }
    },
    async stop() {
      await responder?.stop();
    },
  };
}
