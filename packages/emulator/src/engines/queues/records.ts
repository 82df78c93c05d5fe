// What the queue engine writes to its logs. One log per queue (`queue/<channel>`) and one
// for delayed messages (`queue-delay`), the emulator's `_QUEUE_DELAY_` (§2.4).
// Records are protobuf-framed: a kind varint, then the payload. Messages use the generated
// QueueMessage codec (Attributes carry the sequence and the stored receive count).
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { QueueMessage } from '../../generated/kubemq.js';

export const RecordKind = {
  /** A stored message (queue log) or a delayed message (delay log, with its id). */
  Message: 1,
  /** Sequences (queue log) or delay ids (delay log) that are settled for good. */
  Ack: 2,
  /** Counters that survive compaction (queue log only). */
  Meta: 3,
  /**
   * Sequences a consumer took without acking them (a downstream Get or its open transaction, a
   * stream-v1 receive, a peek). Held messages that are never released are stranded at replay:
   * after a kill the broker never delivers them again.
   */
  Hold: 4,
  /**
   * Held sequences handed back unsettled with no member of the group left to take them (the last
   * one left holding them, or a graceful stop): at replay they go back to the group's shadow.
   */
  Release: 5,
  /**
   * The first consumer of the queue came: the server's stan channel and its durable queue group
   * exist from then on, even with nothing ever stored, and are listed by QueuesInfo (§2.4).
   */
  Subscribed: 6,
} as const;

export interface QueueMeta {
  firstSeq: number;
  lastSeq: number;
  lastSent: number;
  subscribed: boolean;
  /** Store time (ms) and size of every stored message firstSeq..lastSeq, acked ones included. */
  ts: number[];
  sizes: number[];
}

export type QueueRecord =
  | { kind: typeof RecordKind.Message; id: number; msg: QueueMessage }
  | { kind: typeof RecordKind.Ack | typeof RecordKind.Hold | typeof RecordKind.Release; ids: number[] }
  | { kind: typeof RecordKind.Meta; meta: QueueMeta }
  | { kind: typeof RecordKind.Subscribed };

export function encodeMessage(msg: QueueMessage, id = 0): Uint8Array {
  const w = new BinaryWriter();
  w.uint32(RecordKind.Message).uint64(id);
  QueueMessage.encode(msg, w);
  return w.finish();
}

export function encodeAck(ids: readonly number[]): Uint8Array {
  return encodeIds(RecordKind.Ack, ids);
}

export function encodeHold(seqs: readonly number[]): Uint8Array {
  return encodeIds(RecordKind.Hold, seqs);
}

export function encodeRelease(seqs: readonly number[]): Uint8Array {
  return encodeIds(RecordKind.Release, seqs);
}

function encodeIds(kind: number, ids: readonly number[]): Uint8Array {
  const w = new BinaryWriter();
  w.uint32(kind).uint32(ids.length);
  for (const id of ids) w.uint64(id);
  return w.finish();
}

export function encodeSubscribed(): Uint8Array {
  return new BinaryWriter().uint32(RecordKind.Subscribed).finish();
}

export function encodeMeta(m: QueueMeta): Uint8Array {
  const w = new BinaryWriter();
  w.uint32(RecordKind.Meta).uint64(m.firstSeq).uint64(m.lastSeq).uint64(m.lastSent).bool(m.subscribed).uint32(m.ts.length);
  for (let i = 0; i < m.ts.length; i++) w.double(m.ts[i] as number).uint32(m.sizes[i] as number);
  return w.finish();
}

/** Decodes one record; undefined for an unreadable one (a torn or foreign record is skipped). */
export function decodeRecord(bytes: Uint8Array): QueueRecord | undefined {
  try {
    const r = new BinaryReader(bytes);
    const kind = r.uint32();
    switch (kind) {
      case RecordKind.Message: {
        const id = Number(r.uint64());
        const msg = QueueMessage.decode(r, r.len - r.pos);
        return { kind, id, msg };
      }
      case RecordKind.Ack:
      case RecordKind.Hold:
      case RecordKind.Release: {
        const n = r.uint32();
        const ids: number[] = new Array(n);
        for (let i = 0; i < n; i++) ids[i] = Number(r.uint64());
        return { kind, ids };
      }
      case RecordKind.Meta: {
        const firstSeq = Number(r.uint64());
        const lastSeq = Number(r.uint64());
        const lastSent = Number(r.uint64());
        const subscribed = r.bool();
        const n = r.uint32();
        const ts: number[] = new Array(n);
        const sizes: number[] = new Array(n);
        for (let i = 0; i < n; i++) {
          ts[i] = r.double();
          sizes[i] = r.uint32();
        }
        return { kind, meta: { firstSeq, lastSeq, lastSent, subscribed, ts, sizes } };
      }
      case RecordKind.Subscribed:
        return { kind };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
