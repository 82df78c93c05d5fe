// One measurement of one consume() setting: its throughput without kills, or the messages one
// SIGKILL of the broker costs it. Every figure comes from the SDK's public API and the messages'
// own bodies (a sequence number each), so the same code measures the emulator or a real server.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubemqClient } from '@kubemq/core';
import { queueConsumer, queues, queueUpstream, type QueueConsumer } from '@kubemq/queues';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a script beside the reliability project, whose broker control and message bodies it shares (not a package)
import type { BrokerControl } from '../../reliability/src/scenario.js';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { decodeBody, encodeBody } from '../../reliability/src/workloads.js';

export interface ConsumeSetting {
  maxItems: number;
  concurrency: number;
}

/** What one kill cost a consumer, and what its own counters said about it. */
export interface KillSample {
  /** Confirmed messages that never reached the handler. */
  missing: number;
  /** Messages the handler got more than once. */
  duplicates: number;
  /** The consumer's count of polls the kill cut off (each may strand up to maxItems messages). */
  pollsInFlightAtLoss: number;
  /** The consumer's count of transactions open at the kill (each may strand up to maxItems messages). */
  transactionsOpenAtLoss: number;
  /** Messages that reached the handler and could not be settled (the broker keeps them; they are not missing). */
  unsettledAtLoss: number;
}

export interface MeasureContext {
  /** Sends and preloads. */
  producer: KubemqClient;
  consumer: KubemqClient;
  broker: Pick<BrokerControl, 'kill' | 'restart'>;
  /** Prefix of this run's channels and bodies. */
  runId: string;
  handlerMs: number;
}

/** Each empty poll waits this long; a queue is drained after two empty polls in a row. */
const POLL_WAIT_MS = 1000;
const BODY_BYTES = 256;
/** The longest any one phase may take before the measurement fails with an error naming it. */
const PHASE_TIMEOUT_MS = 120_000;
/** A kill comes at a random moment within this long after the consumer got its first message. */
export const KILL_WITHIN_MS = 1000;

let channels = 0;
const newChannel = (ctx: MeasureContext, what: string) => `lpk.${ctx.runId}.${what}.${++channels}`;

/** The handler's record of which messages it got. */
class Handled {
  readonly seqs = new Set<number>();
  duplicates = 0;
  lastAt = 0;
  constructor(private readonly tag: string) {}

  record(body: Uint8Array): void {
    const m = decodeBody(this.tag, body);
    if (!m) return;
    if (this.seqs.has(m.seq)) this.duplicates++;
    this.seqs.add(m.seq);
    this.lastAt = performance.now();
  }
}

function consume(ctx: MeasureContext, channel: string, setting: ConsumeSetting, handled: Handled): QueueConsumer {
  return queueConsumer(ctx.consumer, { channel, maxItems: setting.maxItems, concurrency: setting.concurrency, waitTimeoutMs: POLL_WAIT_MS }, async (msg) => {
    handled.record(msg.body);
    // Simulated I/O (a database write, an HTTP call): what makes concurrency matter.
    if (ctx.handlerMs > 0) await sleep(ctx.handlerMs);
  });
}

/** Stores `count` messages (sequences 0..count-1) in batches; fails if the broker refused any. */
async function preload(ctx: MeasureContext, channel: string, count: number): Promise<void> {
  const q = queues(ctx.producer);
  for (let from = 0; from < count; from += 500) {
    const now = Date.now();
    const batch = Array.from({ length: Math.min(500, count - from) }, (_, i) => ({ channel, body: encodeBody(ctx.runId, from + i, now, BODY_BYTES) }));
    const { failed } = await q.sendBatch(batch);
    if (failed > 0) throw new Error(`the broker refused ${failed} of ${batch.length} preloaded messages on ${channel}`);
  }
}

/** Polls `condition` (the consumer gives no event for what is awaited here) until it holds. */
async function until(condition: () => boolean, what: string, timeoutMs = PHASE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`loss-per-kill: gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Waits until the consumer has recovered from the kill and then seen two empty polls in a row with
 * nothing handled in between: everything the broker still hands out has been handled.
 */
async function drained(consumer: QueueConsumer, handled: Handled): Promise<void> {
  await until(() => consumer.stats.recoveries >= 1, 'the consumer to recover after the restart');
  const empty = () => consumer.stats.polls - consumer.stats.batches;
  let mark = empty();
  let seen = handled.seqs.size;
  await until(() => {
    if (handled.seqs.size !== seen) {
      seen = handled.seqs.size;
      mark = empty();
    }
    return empty() - mark >= 2;
  }, 'the queue to drain after the restart');
}

async function killAndRestart(ctx: MeasureContext): Promise<void> {
  await ctx.broker.kill();
  await ctx.broker.restart();
}

function sampleOf(consumer: QueueConsumer, missing: number, handled: Handled): KillSample {
  const s = consumer.stats;
  return { missing, duplicates: handled.duplicates, pollsInFlightAtLoss: s.pollsInFlightAtLoss, transactionsOpenAtLoss: s.transactionsOpenAtLoss, unsettledAtLoss: s.unsettledAtLoss };
}

/** Messages per second a consumer with `setting` drains a backlog of `messages` at, without kills. */
export async function measureThroughput(ctx: MeasureContext, setting: ConsumeSetting, messages: number): Promise<number> {
  const channel = newChannel(ctx, 'throughput');
  await preload(ctx, channel, messages);
  const handled = new Handled(ctx.runId);
  const started = performance.now();
  const consumer = consume(ctx, channel, setting, handled);
  try {
    await until(() => handled.seqs.size >= messages, `the throughput backlog of ${messages} to drain`);
    return (messages * 1000) / (handled.lastAt - started);
  } finally {
    await consumer.stop();
  }
}

/**
 * One kill while a consumer drains a backlog (the consumer always busy, every poll full): a
 * backlog of `backlog` messages, the broker SIGKILLed at a random moment within KILL_WITHIN_MS of
 * the first message, restarted; the missing messages are those the handler never got.
 */
export async function killUnderBacklog(ctx: MeasureContext, setting: ConsumeSetting, backlog: number): Promise<KillSample> {
  const channel = newChannel(ctx, 'backlog');
  await preload(ctx, channel, backlog);
  const handled = new Handled(ctx.runId);
  const consumer = consume(ctx, channel, setting, handled);
  try {
    await until(() => handled.seqs.size > 0, 'the first message');
    await sleep(Math.random() * KILL_WITHIN_MS);
    if (handled.seqs.size >= backlog) throw new Error(`loss-per-kill: the backlog of ${backlog} was drained before the kill; it must outlast ${KILL_WITHIN_MS} ms`);
    await killAndRestart(ctx);
    await drained(consumer, handled);
    return sampleOf(consumer, backlog - handled.seqs.size, handled);
  } finally {
    await consumer.stop();
  }
}

/**
 * One kill under a steady load below the consumer's capacity (its poll mostly waiting for
 * messages): a producer at `ratePerS`, the broker SIGKILLed at a random moment, restarted, the
 * producer kept on for a second after the consumer recovered; the missing messages are the
 * confirmed ones the handler never got.
 */
export async function killUnderLoad(ctx: MeasureContext, setting: ConsumeSetting, ratePerS: number): Promise<KillSample> {
  const channel = newChannel(ctx, 'steady');
  const handled = new Handled(ctx.runId);
  const confirmed = new Set<number>();
  const upstream = queueUpstream(ctx.producer);
  const consumer = consume(ctx, channel, setting, handled);
  let producing = true;
  let issued = 0;
  const pending = new Set<Promise<void>>();
  const produce = async () => {
    const started = performance.now();
    while (producing) {
      const due = Math.floor(((performance.now() - started) * ratePerS) / 1000);
      for (; issued < due; issued++) {
        const seq = issued;
        const send = upstream.send([{ channel, body: encodeBody(ctx.runId, seq, Date.now(), BODY_BYTES) }], { timeoutMs: 2000 }).then(
          ({ results }) => {
            const result = results[0];
            if (result && !('error' in result)) confirmed.add(seq);
          },
          () => undefined, // a send cut off by the kill is not confirmed: it cannot be missed
        );
        pending.add(send);
        void send.finally(() => pending.delete(send));
      }
      await sleep(10);
    }
  };
  const producer = produce();
  try {
    await until(() => handled.seqs.size > 0, 'the first message');
    await sleep(KILL_WITHIN_MS / 2 + Math.random() * KILL_WITHIN_MS);
    await killAndRestart(ctx);
    const afterRestart = issued;
    await until(() => [...handled.seqs].some((s) => s >= afterRestart), 'the consumer to handle a message sent after the restart');
    await sleep(1000);
    producing = false;
    await producer;
    await Promise.all(pending);
    await drained(consumer, handled);
    const missing = [...confirmed].filter((seq) => !handled.seqs.has(seq)).length;
    return sampleOf(consumer, missing, handled);
  } finally {
    producing = false;
    await producer;
    await consumer.stop();
    await upstream.close();
  }
}
