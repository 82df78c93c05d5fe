// Ids the server generates: 22-character NUIDs from [0-9A-Za-z] for EventID, MessageID,
// RequestID and inbox prefixes (§6 "Ids and results"), and UUIDs for the downstream
// TransactionId. A NUID is a random 12-character prefix and a 10-character sequence, base 62,
// so generating one is a counter step.
import { randomBytes, randomUUID } from 'node:crypto';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = 62;
const PRE_LEN = 12;
const SEQ_LEN = 10;
/** NATS wraps the sequence at 62^10; we wrap below 2^53, so the arithmetic stays exact. */
const MAX_SEQ = 2 ** 52;
const MIN_INC = 33;
const MAX_INC = 333;

/** A NATS-style NUID generator. */
export class Nuid {
  private prefix = '';
  private seq = 0;
  private inc = 0;

  constructor() {
    this.reset();
  }

  next(): string {
    this.seq += this.inc;
    if (this.seq >= MAX_SEQ) this.reset();
    let n = this.seq;
    let s = '';
    for (let i = 0; i < SEQ_LEN; i++) {
      s = DIGITS[n % BASE] + s;
      n = Math.floor(n / BASE);
    }
    return this.prefix + s;
  }

  /** A new random prefix, and a random start and step for the sequence. */
  private reset(): void {
    const bytes = randomBytes(PRE_LEN + 10);
    let prefix = '';
    for (let i = 0; i < PRE_LEN; i++) prefix += DIGITS[(bytes[i] as number) % BASE];
    this.prefix = prefix;
    this.seq = Number(bytes.readBigUInt64LE(PRE_LEN) % BigInt(MAX_SEQ / 2));
    this.inc = MIN_INC + (bytes.readUInt16LE(PRE_LEN + 8) % (MAX_INC - MIN_INC));
  }
}

const shared = new Nuid();

/** A new 22-character NUID. */
export function nuid(): string {
  return shared.next();
}

/**
 * `n` random characters from [0-9A-Za-z]: the token nats.go appends to its connection's inbox
 * prefix for each request (`newRespInbox`, 8 characters).
 */
export function base62(n: number): string {
  const bytes = randomBytes(n * 2);
  let s = '';
  for (let i = 0; i < n; i++) s += DIGITS[bytes.readUInt16LE(i * 2) % BASE];
  return s;
}

/** A new UUID (the downstream TransactionId is one, §6). */
export function uuid(): string {
  return randomUUID();
}
