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
   * stream-v1 receive, a peek), and the subscription that holds them (0: none recorded, as for a
   * peek or a stream-v1 receive). Held messages that are never released are stranded at replay:
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
  /**
   * A downstream Get's subscription joined the group (its id, its MaxInflight = MaxItems). One
   * that never left (no Left record) is rebuilt at replay as the server recovers it: a member
   * that takes messages up to its room and never acks them.
   */
  Joined: 7,
  /** That subscription left the group (its Get or transaction ended). */
  Left: 8,
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
  | { kind: typeof RecordKind.Ack | typeof RecordKind.Release; ids: number[] }
  | { kind: typeof RecordKind.Hold; ids: number[]; sub: number }
  | { kind: typeof RecordKind.Joined; sub: number; maxInflight: number }
  | { kind: typeof RecordKind.Left; sub: number }
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

/** `sub` 0 writes the record without it, as records before subscriptions were kept. */
export function encodeHold(seqs: readonly number[], sub = 0): Uint8Array {
  const w = idsWriter(RecordKind.Hold, seqs);
  if (sub > 0) w.uint64(sub);
  return w.finish();
}

export function encodeJoined(sub: number, maxInflight: number): Uint8Array {
  return new BinaryWriter().uint32(RecordKind.Joined).uint64(sub).uint32(maxInflight).finish();
}

export function encodeLeft(sub: number): Uint8Array {
  return new BinaryWriter().uint32(RecordKind.Left).uint64(sub).finish();
}

export function encodeRelease(seqs: readonly number[]): Uint8Array {
  return encodeIds(RecordKind.Release, seqs);
}

function encodeIds(kind: number, ids: readonly number[]): Uint8Array {
  return idsWriter(kind, ids).finish();
}

function idsWriter(kind: number, ids: readonly number[]): BinaryWriter {
  const w = new BinaryWriter();
  w.uint32(kind).uint32(ids.length);
  for (const id of ids) w.uint64(id);
  return w;
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
        if (kind !== RecordKind.Hold) return { kind, ids };
        return { kind, ids, sub: r.pos < r.len ? Number(r.uint64()) : 0 };
      }
      case RecordKind.Joined: {
        const sub = Number(r.uint64());
        return { kind, sub, maxInflight: r.uint32() };
      }
      case RecordKind.Left:
        return { kind, sub: Number(r.uint64()) };
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
