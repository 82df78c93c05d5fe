// 22-character ids from [0-9A-Za-z], shaped like NATS NUIDs (broker-behaviour.md §6): a random
// 12-character prefix and a 10-character sequence, so generating one is a counter step.
import { randomBytes, randomUUID } from 'node:crypto';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = 62;
const PRE_LEN = 12;
const SEQ_LEN = 10;
const MAX_SEQ = 839299365868340224; // 62^10
const MIN_INC = 33;
const MAX_INC = 333;

export class Nuid {
  private prefix = '';
  private seq = 0;
  private inc = 0;

  constructor() {
    this.randomizePrefix();
    this.resetSequential();
  }

  next(): string {
    this.seq += this.inc;
    if (this.seq >= MAX_SEQ) {
      this.randomizePrefix();
      this.resetSequential();
    }
    let n = this.seq;
    const out = new Array<string>(SEQ_LEN);
    for (let i = SEQ_LEN - 1; i >= 0; i--) {
      out[i] = DIGITS[n % BASE]!;
      n = Math.floor(n / BASE);
    }
    return this.prefix + out.join('');
  }

  private randomizePrefix(): void {
    const bytes = randomBytes(PRE_LEN);
    let p = '';
    for (let i = 0; i < PRE_LEN; i++) p += DIGITS[bytes[i]! % BASE];
    this.prefix = p;
  }

  private resetSequential(): void {
    const b = randomBytes(8);
    this.seq = Number(b.readBigUInt64LE() % BigInt(MAX_SEQ / 1024));
    this.inc = MIN_INC + (b[0]! % (MAX_INC - MIN_INC));
  }
}

const shared = new Nuid();

/** A new 22-character NUID-like id. */
export function nuid(): string {
  return shared.next();
}

/** A UUID (the downstream TransactionId is one, §6). */
export function uuid(): string {
  return randomUUID();
}
