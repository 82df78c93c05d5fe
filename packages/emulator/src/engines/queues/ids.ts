// Identifiers the server generates: 22-character NUIDs for MessageID/RequestID (§6 "Ids and
// results") and UUIDs for downstream TransactionId.
import { randomBytes, randomUUID } from 'node:crypto';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = 62;
const PRE_LEN = 12;
const SEQ_LEN = 10;
// Kept below 2^52 so the arithmetic stays exact; 62^10 digits hold it.
const MAX_SEQ = 2 ** 52;

/** A NATS-style NUID: a random 12-character prefix and a 10-character sequence, base 62. */
class Nuid {
  private pre = '';
  private seq = 0;
  private inc = 0;

  constructor() {
    this.reset();
  }

  next(): string {
    this.seq += this.inc;
    if (this.seq >= MAX_SEQ) this.reset();
    let s = '';
    let n = this.seq;
    for (let i = 0; i < SEQ_LEN; i++) {
      s = DIGITS[n % BASE] + s;
      n = Math.floor(n / BASE);
    }
    return this.pre + s;
  }

  private reset(): void {
    const bytes = randomBytes(PRE_LEN + 8);
    let pre = '';
    for (let i = 0; i < PRE_LEN; i++) pre += DIGITS[(bytes[i] as number) % BASE];
    this.pre = pre;
    this.seq = bytes.readUInt32LE(PRE_LEN) * 1024;
    this.inc = 33 + (bytes.readUInt16LE(PRE_LEN + 4) % 300);
  }
}

const nuid = new Nuid();

export function newNuid(): string {
  return nuid.next();
}

export function newUuid(): string {
  return randomUUID();
}
