import { randomFillSync } from 'node:crypto';

/** Ids made from one fill of the random pool (Node's own randomUUID() caches 128). */
const IDS_PER_FILL = 256;
const HEX = '0123456789abcdef';

let pool: Buffer | undefined;
let next = 0;
/** The 36 characters of the id being made, turned into one string at the end. */
let text: Buffer | undefined;

/**
 * A random id (UUID v4, lower-case hex, from the same CSPRNG as `crypto.randomUUID()`) for
 * EventID, RequestID, MessageID and generated client ids. Every sent message gets one, so it is
 * written into a reused buffer and read out as one flat string: `randomUUID()` joins its text from
 * 20 pieces, about half a kilobyte of short-lived strings per id (docs/benchmarks.md, finding 13).
 */
export function newId(): string {
  if (pool === undefined || next === pool.length) {
    pool ??= Buffer.allocUnsafe(16 * IDS_PER_FILL);
    randomFillSync(pool);
    next = 0;
  }
  text ??= Buffer.allocUnsafe(36);
  const start = next;
  next += 16;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    let byte = pool[start + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    text[at++] = HEX.charCodeAt(byte >> 4);
    text[at++] = HEX.charCodeAt(byte & 0x0f);
  }
  return text.toString('latin1', 0, 36);
}
