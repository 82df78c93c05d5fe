// What counts as lost, per workload and per signal, following how the open-source server behaves
// across a restart. A message is "missing" when its send was confirmed and the consumer never got
// it; this file splits the missing ones into what the broker's documented behaviour explains and
// what nothing explains ("lost": the burn-in fails on it, and so does the chaos test).
//
// - events: fire-and-forget. Missing events sent within an outage window are expected; any other
//   is lost.
// - events-store: the broker answers `Sent: true` before its store has written the event. Under
//   SIGKILL, an event acknowledged just before the kill (ACK_BEFORE_PERSIST_MS) or after it, and
//   that the store does not hold when read back, is "unpersisted"; any other missing event is lost
//   (one the store holds was stored and never delivered to the subscriber). Under SIGTERM every
//   missing event is lost.
// - queue-stream (consume()): under SIGKILL the broker keeps every message of an open transaction
//   for good. What the consumer had received still reaches its handler; what a cut-off poll had
//   taken, and what an open transaction captured after its poll answered, does not. The restarted
//   broker also keeps each open transaction and cut-off poll as a consumer that never settles,
//   with room for maxItems less what it holds, for about 120 days (across later restarts too): it
//   takes messages waiting at the restart and sent after it. So each kill adds
//   (transactionsOpenAtLoss + pollsInFlightAtLoss) × maxItems (the consumer's own counts) of room,
//   and missing messages sent before that kill's signal, or later, are "stranded" while room is
//   left. That room covers only what the broker deals out by its normal pick: a message any
//   consumer gives back unsettled (a transaction's close after a short batch returns what it
//   captured) is handed on with no regard to room, and may go to a dead consumer and be lost too.
//   Such a loss cannot be told from any other, so it is not stranded: a missing message beyond the
//   room, sent after a SIGKILL whose counters show it left dead consumers, is reported apart as
//   "handed-to-dead-consumers" (listed, with a warning); any other beyond the room is lost. Under
//   SIGTERM the broker returns everything: every missing message is lost.
// - queue-simple: the broker acks a receive's messages on arrival, before it answers, so a receive
//   cut off by a SIGKILL loses what it had taken: at-most-once by design. Missing messages sent
//   within an outage window are "at-most-once"; the account says how many the cut-off receives
//   could hold (their count × maxItems) and flags any beyond that. Missing messages sent outside a
//   window are lost, and under SIGTERM every missing message is lost.
// - commands, queries: a confirmed request was answered, so its responder saw it: every missing
//   one is lost, under either signal.
import { OUTAGE_WINDOW, type BrokerSignal, type Outage } from './outage-window.js';
import type { ScenarioWorkloadReport } from './scenario.js';
import type { MissingMessage } from './tracker.js';
import type { ConsumerLossCounters } from './workloads.js';

/** Why a missing message is not counted as lost. */
export type ExplainedLoss = 'fire-and-forget' | 'unpersisted' | 'stranded' | 'handed-to-dead-consumers' | 'at-most-once';

/**
 * How long before a SIGKILL an events-store acknowledgement may come and the event still be lost
 * by the broker. The server answers as soon as it has handed the event to its store's publisher,
 * and the store writes it within its next I/O batch, normally well under 10 ms; 100 ms leaves room
 * for a busy 2-core machine. An event acknowledged earlier than that and gone from the store is lost.
 */
export const ACK_BEFORE_PERSIST_MS = 100;

export interface LossAccount {
  workload: string;
  /** The signal of the run's restarts (undefined: no restarts). */
  signal: BrokerSignal | undefined;
  /** Confirmed sends the consumer never got. */
  missing: number;
  /** Of `missing`, what the broker's behaviour under this signal explains. */
  explained: Partial<Record<ExplainedLoss, number>>;
  /** Of `missing`, what nothing explains. */
  lost: number;
  /** How it was decided: a line per outage or per message worth naming. */
  details: string[];
  /** Findings that are no failure but should be looked at. */
  warnings: string[];
}

export function accountLosses(w: ScenarioWorkloadReport, outages: readonly Outage[]): LossAccount {
  const signal = outages[0]?.signal;
  const account: LossAccount = { workload: w.name, signal, missing: w.missing, explained: {}, lost: w.missing, details: [], warnings: [] };
  if (w.missing === 0 && w.name !== 'queue-stream' && w.name !== 'queue-simple') return account;
  switch (w.name) {
    case 'events':
      return explain(account, 'fire-and-forget', w.missingDuringOutages, `${w.missingDuringOutages} sent within an outage window (events are fire-and-forget)`);
    case 'events-store':
      return eventsStore(account, w, outages);
    case 'queue-stream':
      return queueStream(account, w, outages);
    case 'queue-simple':
      return queueSimple(account, w, outages);
    default:
      if (w.missing > 0) account.details.push(`${w.missing} requests were answered, yet their responder never saw them`);
      return account;
  }
}

function explain(account: LossAccount, kind: ExplainedLoss, count: number, detail: string): LossAccount {
  if (count > 0) {
    account.explained[kind] = (account.explained[kind] ?? 0) + count;
    account.lost -= count;
    account.details.push(detail);
  }
  return account;
}

function eventsStore(account: LossAccount, w: ScenarioWorkloadReport, outages: readonly Outage[]): LossAccount {
  const unlisted = w.missing - w.missingMessages.length;
  if (unlisted > 0) account.details.push(`${unlisted} more missing events than listed (not checked one by one)`);
  if (!w.store) return account;
  if ('error' in w.store) {
    account.details.push(`the store could not be read back (${w.store.error}): every missing event counts as lost`);
    return account;
  }
  const stored = new Set(w.store.storedMissing);
  let unpersisted = 0;
  for (const m of w.missingMessages) {
    const ack = relativeToSignal(m.confirmedAt, outages);
    const when = ack
      ? `acknowledged (Sent: true) at ${signed(ack.ms)} ms from SIG${ack.outage.signal} #${ack.index + 1}`
      : `acknowledged (Sent: true) ${Math.round(m.confirmedAt - m.sentAt)} ms after its send, away from any signal`;
    if (stored.has(m.seq)) {
      account.details.push(`#${m.seq}: ${when}; the store holds it, yet the subscriber never got it`);
    } else if (ack && ack.outage.signal === 'KILL' && ack.ms >= -ACK_BEFORE_PERSIST_MS && m.confirmedAt <= ack.outage.backAt) {
      unpersisted++;
      account.details.push(`#${m.seq}: ${when}; not in the store: acknowledged before the broker persisted it`);
    } else {
      account.details.push(`#${m.seq}: ${when}; not in the store`);
    }
  }
  return explain(account, 'unpersisted', unpersisted, `${unpersisted} acknowledged within ${ACK_BEFORE_PERSIST_MS} ms of a SIGKILL and not in the store (the broker answers before persisting)`);
}

function queueStream(account: LossAccount, w: ScenarioWorkloadReport, outages: readonly Outage[]): LossAccount {
  const batch = w.maxItems ?? 0;
  const consumer = w.consumer;
  if (consumer) {
    const end = consumer.atEnd;
    if (end.unsettledAtLoss > 0 || end.redeliveriesSkipped > 0) {
      account.details.push(
        `the consumer counted ${end.unsettledAtLoss} messages unsettled when a stream was lost (they reached the handler) and skipped ${end.redeliveriesSkipped} redeliveries of messages it had handled`,
      );
    }
  }
  let stranded = 0;
  /** Room the dead consumers of the kills so far have left: it lasts across later restarts. */
  let room = 0;
  /** The first kill whose counters show it left dead consumers: given-back messages sent after it may go to them. */
  let firstDeadKill: number | undefined;
  /** Missing beyond the room, sent after such a kill. */
  const handed: MissingMessage[] = [];
  let handedCount = 0;
  /** The listed messages of one slot beyond the room: the later ones, since room fills in send order. */
  const beyondRoom = (slot: number | undefined, n: number) => {
    handedCount += n;
    if (n > 0) handed.push(...w.missingMessages.filter((m) => m.nextOutage === slot).slice(-n));
  };
  outages.forEach((o, i) => {
    const missing = w.missingByOutage[i] ?? 0;
    const open = consumer ? openAtLoss(consumer.afterOutage, i) : { transactions: 0, polls: 0 };
    const added = o.signal === 'KILL' ? (open.transactions + open.polls) * batch : 0;
    const carried = room;
    room += added;
    const explained = Math.min(missing, room);
    room -= explained;
    stranded += explained;
    // Sent before this signal and after an earlier kill that left dead consumers.
    const afterDead = firstDeadKill !== undefined && firstDeadKill < i;
    if (afterDead) beyondRoom(i, missing - explained);
    if (added > 0 && firstDeadKill === undefined) firstDeadKill = i;
    if (missing === 0 && open.transactions + open.polls === 0) return;
    const which = describe(w.missingMessages.filter((m) => m.nextOutage === i), o);
    const bound =
      o.signal === 'KILL'
        ? `may strand ≤ (${open.transactions} + ${open.polls}) × ${batch} = ${added}${carried > 0 ? `, and ${carried} left by earlier kills` : ''}`
        : 'the broker returns their messages after a SIGTERM';
    const beyond = missing - explained;
    account.details.push(
      `SIG${o.signal} #${i + 1}: ${missing} missing${which}; the consumer counted ${open.transactions} transaction(s) open and ${open.polls} poll(s) cut off (${bound})` +
        (beyond > 0 ? (afterDead ? `: ${beyond} beyond the room, sent after SIGKILL #${(firstDeadKill as number) + 1} left dead consumers` : `: ${beyond} not explained`) : ''),
    );
  });
  if (!consumer && w.missing > 0) account.details.push('no consumer counters: nothing can be explained as stranded');
  if (w.missingAfterOutages > 0) {
    // The last kill's dead consumers (and earlier ones') take messages sent after it too.
    const explained = Math.min(w.missingAfterOutages, room);
    const beyond = w.missingAfterOutages - explained;
    stranded += explained;
    if (firstDeadKill !== undefined) beyondRoom(undefined, beyond);
    const parts = [
      ...(explained > 0 ? [`${explained} within the room the kills' dead consumers had left`] : []),
      ...(beyond > 0 && firstDeadKill !== undefined ? [`${beyond} beyond it, sent after SIGKILL #${firstDeadKill + 1} left dead consumers`] : []),
    ];
    account.details.push(`${w.missingAfterOutages} missing sent after the last signal` + (parts.length > 0 ? ` (${parts.join('; ')})` : ''));
  }
  explain(
    account,
    'stranded',
    stranded,
    `${stranded} stranded by SIGKILLs (the broker keeps for good what open transactions and cut-off polls held, and what it deals to them after the restart, up to maxItems each)`,
  );
  if (handedCount > 0) {
    const unlisted = handedCount - handed.length;
    account.warnings.push(
      `${handedCount} missing beyond the dead consumers' room, sent after a SIGKILL that left some: not counted as lost, since the broker may hand a message a consumer gives back unsettled ` +
        '(what a transaction captured after a short poll, say) to dead consumers past their room, which nothing counts; a real loss would look the same',
    );
    explain(
      account,
      'handed-to-dead-consumers',
      handedCount,
      `${handedCount} handed to dead consumers (beyond the room, sent after a SIGKILL that left some): ${seqRanges(handed.map((m) => m.seq).sort((a, b) => a - b))}${unlisted > 0 ? `, and ${unlisted} not listed` : ''}`,
    );
  }
  return account;
}

/** Transactions open and polls cut off that the consumer counted at outage `i` (its counters right after each restart). */
function openAtLoss(afterOutage: readonly ConsumerLossCounters[], i: number): { transactions: number; polls: number } {
  const now = afterOutage[i];
  const before = i === 0 ? undefined : afterOutage[i - 1];
  return {
    transactions: (now?.transactionsOpenAtLoss ?? 0) - (before?.transactionsOpenAtLoss ?? 0),
    polls: (now?.pollsInFlightAtLoss ?? 0) - (before?.pollsInFlightAtLoss ?? 0),
  };
}

function queueSimple(account: LossAccount, w: ScenarioWorkloadReport, outages: readonly Outage[]): LossAccount {
  const batch = w.maxItems ?? 0;
  const failed = w.failedReceives ?? [];
  let capacity = 0;
  outages.forEach((o, i) => {
    const cutOff = failed.filter((r) => r.startedAt <= o.signalAt && r.endedAt >= o.signalAt).length;
    capacity += cutOff * batch;
    const missing = w.missingByOutage[i] ?? 0;
    if (missing === 0 && cutOff === 0) return;
    const which = describe(w.missingMessages.filter((m) => m.nextOutage === i), o);
    account.details.push(`SIG${o.signal} #${i + 1}: ${missing} missing${which}; ${cutOff} receive(s) cut off by the signal (they could hold ${cutOff * batch})`);
  });
  if (outages[0]?.signal !== 'KILL') return account;
  const atMostOnce = w.missingDuringOutages;
  if (atMostOnce > capacity) {
    account.warnings.push(`${atMostOnce} missing around SIGKILLs, more than the ${capacity} the receives cut off could hold: the broker kept messages beyond the receive in hand`);
  }
  return explain(account, 'at-most-once', atMostOnce, `${atMostOnce} sent within an outage window: a simple receive is acked on arrival, so one cut off by a SIGKILL loses what it had taken`);
}

/** The outage whose signal is nearest to `at`, and how far (ms, negative: before the signal). */
function relativeToSignal(at: number, outages: readonly Outage[]): { outage: Outage; index: number; ms: number } | undefined {
  let best: { outage: Outage; index: number; ms: number } | undefined;
  outages.forEach((outage, index) => {
    const ms = at - outage.signalAt;
    if (at <= outage.backAt + OUTAGE_WINDOW.graceMs && (best === undefined || Math.abs(ms) < Math.abs(best.ms))) best = { outage, index, ms };
  });
  return best;
}

/** ` (#12–#14, #20, sent 840–20 ms before the signal)` for the listed messages of one outage. */
export function describe(messages: readonly MissingMessage[], outage: Outage): string {
  if (messages.length === 0) return '';
  const before = messages.map((m) => outage.signalAt - m.sentAt);
  return ` (${seqRanges(messages.map((m) => m.seq))}, sent ${Math.max(...before)}–${Math.min(...before)} ms before the signal)`;
}

/** `#1–#3, #7` for ascending sequences; past `max` ranges, `…`. */
export function seqRanges(seqs: readonly number[], max = 6): string {
  const ranges: string[] = [];
  for (let i = 0; i < seqs.length; ) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === (seqs[j] as number) + 1) j++;
    ranges.push(i === j ? `#${seqs[i]}` : `#${seqs[i]}–#${seqs[j]}`);
    i = j + 1;
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')}, …` : ranges.join(', ');
}

const signed = (ms: number) => {
  const r = Math.round(ms);
  return r >= 0 ? `+${r}` : String(r);
};
