// The wire runtime against @bufbuild/protobuf's (the library it replaces in the generated codecs):
// the same calls must give the same bytes, and the same bytes must read the same, errors included.
import { BinaryReader as BufReader, BinaryWriter as BufWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { Event, QueueMessage, QueueMessagesBatchRequest, QueuesDownstreamRequest, Request, Response, Subscribe } from '../generated/kubemq.js';
import { BinaryReader, BinaryWriter } from './binary.js';

const RUNS = { numRuns: 500 };

// ── writer ─────────────────────────────────────────────────────────────────────────────────────

/** One writer call, or a nested part (fork, its calls, join). */
type WriteOp =
  | { op: 'uint32' | 'int32'; value: number }
  | { op: 'int64' | 'uint64'; value: bigint }
  | { op: 'bool'; value: boolean }
  | { op: 'string'; value: string }
  | { op: 'bytes'; value: Uint8Array }
  | { op: 'nested'; ops: WriteOp[] };

/** Text with every kind of UTF-16 unit: ASCII, multi-byte, astral pairs and lone surrogates. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 100, maxLength: 400 }),
);

const scalarOp: fc.Arbitrary<WriteOp> = fc.oneof(
  fc.record({ op: fc.constant('uint32' as const), value: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.nat({ max: 0xffffffff })) }),
  fc.record({ op: fc.constant('int32' as const), value: fc.integer({ min: -0x80000000, max: 0x7fffffff }) }),
  fc.record({ op: fc.constant('int64' as const), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
  fc.record({ op: fc.constant('uint64' as const), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({ op: fc.constant('bool' as const), value: fc.boolean() }),
  fc.record({ op: fc.constant('string' as const), value: text }),
  fc.record({ op: fc.constant('bytes' as const), value: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 120, maxLength: 20_000 })) }),
);

const { ops: writeOps } = fc.letrec<{ ops: WriteOp[]; op: WriteOp }>((tie) => ({
  op: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarOp, fc.record({ op: fc.constant('nested' as const), ops: tie('ops') })),
  ops: fc.array(tie('op'), { maxLength: 12 }),
}));

interface AnyWriter {
  uint32(v: number): unknown;
  int32(v: number): unknown;
  int64(v: bigint): unknown;
  uint64(v: bigint): unknown;
  bool(v: boolean): unknown;
  string(v: string): unknown;
  bytes(v: Uint8Array): unknown;
  fork(): unknown;
  join(): unknown;
  finish(): Uint8Array;
}

function write(writer: AnyWriter, ops: WriteOp[]): void {
  for (const o of ops) {
    switch (o.op) {
      case 'nested':
        writer.fork();
        write(writer, o.ops);
        writer.join();
        break;
      case 'int64':
      case 'uint64':
        writer[o.op](o.value);
        break;
      case 'uint32':
      case 'int32':
        writer[o.op](o.value);
        break;
      case 'bool':
        writer.bool(o.value);
        break;
      case 'string':
        writer.string(o.value);
        break;
      case 'bytes':
        writer.bytes(o.value);
        break;
    }
  }
}

const outcome = (f: () => unknown): { ok: unknown } | { threw: true } => {
  try {
    return { ok: f() };
  } catch {
    return { threw: true };
  }
};

describe('BinaryWriter: the bytes of @bufbuild/protobuf', () => {
  it('property: any sequence of calls, nested parts included, writes the same bytes', () => {
    fc.assert(
      fc.property(writeOps, (ops) => {
        const ours = new BinaryWriter();
        const theirs = new BufWriter();
        write(ours, ops);
        write(theirs, ops);
        expect(Buffer.from(ours.finish()).equals(Buffer.from(theirs.finish()))).toBe(true);
      }),
      RUNS,
    );
  });

  it('property: a reused writer (message after message) writes each one as a fresh one does', () => {
    fc.assert(
      fc.property(fc.array(writeOps, { minLength: 2, maxLength: 5 }), (messages) => {
        const reused = new BinaryWriter();
        for (const ops of messages) {
          const fresh = new BufWriter();
          write(reused, ops);
          write(fresh, ops);
          expect(Buffer.from(reused.finish()).equals(Buffer.from(fresh.finish()))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('property: finishInto() copies the same bytes into the buffer it is given, and the writer starts over', () => {
    fc.assert(
      fc.property(fc.array(writeOps, { minLength: 2, maxLength: 5 }), (messages) => {
        const reused = new BinaryWriter();
        for (const ops of messages) {
          const fresh = new BufWriter();
          write(reused, ops);
          write(fresh, ops);
          const sizes: number[] = [];
          const out = reused.finishInto((length) => {
            sizes.push(length);
            return Buffer.allocUnsafe(length);
          });
          const expected = Buffer.from(fresh.finish());
          expect(sizes).toEqual([expected.length]);
          expect(Buffer.isBuffer(out) && out.equals(expected)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('property: refuses the same numbers (out of range, fractions, NaN)', () => {
    const odd = fc.oneof(fc.double(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(NaN, Infinity, -1, 2 ** 32, 2 ** 31, -(2 ** 31) - 1));
    fc.assert(
      fc.property(odd, fc.constantFrom('uint32' as const, 'int32' as const), (value, op) => {
        const ours = outcome(() => new BinaryWriter()[op](value).finish());
        const theirs = outcome(() => new BufWriter()[op](value).finish());
        expect('threw' in ours).toBe('threw' in theirs);
        if ('ok' in ours && 'ok' in theirs) expect([...(ours.ok as Uint8Array)]).toEqual([...(theirs.ok as Uint8Array)]);
      }),
      RUNS,
    );
    for (const value of [2n ** 63n, -(2n ** 63n) - 1n]) {
      expect(() => new BinaryWriter().int64(value)).toThrow();
      expect(() => new BufWriter().int64(value)).toThrow();
    }
    for (const value of [-1n, 2n ** 64n]) {
      expect(() => new BinaryWriter().uint64(value)).toThrow();
      expect(() => new BufWriter().uint64(value)).toThrow();
    }
  });

  it('keeps a string whose text ends where the buffer has to grow (the length is written after the text)', () => {
    for (let padding = 100; padding < 140; padding++) {
      for (const value of ['\ud43d', '\u00e9', '\u{10000}', '\u00e9'.repeat(50)]) {
        const ours = new BinaryWriter().bytes(new Uint8Array(padding)).string(value).finish();
        const theirs = new BufWriter().bytes(new Uint8Array(padding)).string(value).finish();
        expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      }
    }
  });

  it('a join without a fork throws, as it does in @bufbuild/protobuf', () => {
    expect(() => new BinaryWriter().join()).toThrow('fork stack empty');
    expect(() => new BufWriter().join()).toThrow('fork stack empty');
  });
});

// ── reader ─────────────────────────────────────────────────────────────────────────────────────

type ReadOp = 'uint32' | 'int32' | 'int64' | 'uint64' | 'bool' | 'bytes' | 'string' | { skip: number };
const readOp: fc.Arbitrary<ReadOp> = fc.oneof(
  fc.constantFrom<ReadOp>('uint32', 'int32', 'int64', 'uint64', 'bool', 'bytes', 'string'),
  fc.integer({ min: 0, max: 7 }).map((skip) => ({ skip })),
);

/** Bytes that read as something: random bytes, or real fields (varints, lengths, groups) with random bytes around. */
const input = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(writeOps, fc.uint8Array({ maxLength: 8 })).map(([ops, tail]) => {
    const w = new BufWriter();
    write(w, ops);
    return Uint8Array.from([...w.finish(), ...tail]);
  }),
  // A group: start tag, fields, maybe the matching end tag.
  fc.tuple(fc.integer({ min: 1, max: 40 }), writeOps, fc.boolean()).map(([field, ops, closed]) => {
    const w = new BufWriter();
    w.uint32((field << 3) | 3);
    write(w, ops);
    if (closed) w.uint32((field << 3) | 4);
    return w.finish();
  }),
);

function read(reader: BufReader | BinaryReader, op: ReadOp): unknown {
  if (typeof op === 'object') {
    reader.skip(op.skip);
    return 'skipped';
  }
  const value = reader[op]();
  return value instanceof Uint8Array ? [...value] : value;
}

describe('BinaryReader: reads what @bufbuild/protobuf reads', () => {
  it('property: any sequence of reads over any bytes gives the same values, positions and failures', () => {
    fc.assert(
      fc.property(input, fc.array(readOp, { minLength: 1, maxLength: 10 }), (bytes, ops) => {
        const ours = new BinaryReader(bytes);
        const theirs = new BufReader(bytes);
        for (const op of ops) {
          const a = outcome(() => read(ours, op));
          const b = outcome(() => read(theirs, op));
          expect(a).toEqual(b);
          if ('threw' in a) return; // after a failure the position means nothing
          expect(ours.pos).toBe(theirs.pos);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: reads back every value the writer wrote', () => {
    fc.assert(
      fc.property(fc.array(scalarOp, { maxLength: 20 }), (ops) => {
        const w = new BinaryWriter();
        write(w, ops);
        const r = new BinaryReader(w.finish());
        for (const o of ops) {
          if (o.op === 'nested') continue;
          if (o.op === 'string') expect(r.string()).toBe(new TextDecoder().decode(new TextEncoder().encode(o.value)));
          else if (o.op === 'bytes') expect([...r.bytes()]).toEqual([...o.value]);
          else expect(r[o.op]()).toBe(o.value);
        }
        expect(r.pos).toBe(r.len);
      }),
      RUNS,
    );
  });

  it('property: string() decodes any bytes as TextDecoder does (U+FFFD for invalid UTF-8), from a Buffer or a plain Uint8Array', () => {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    // Bytes with many multi-byte lead and continuation bytes, so broken sequences are common.
    const textBytes = fc.uint8Array({ maxLength: 48 }).chain((plain) =>
      fc.constantFrom(plain, plain.map((b) => 0x80 | (b & 0x3f)), plain.map((b, i) => (i % 2 ? 0x80 | (b & 0x3f) : 0xc0 | (b & 0x3f)))),
    );
    fc.assert(
      fc.property(textBytes, fc.uint8Array({ maxLength: 4 }), (text, before) => {
        const field = new BufWriter().bytes(before).bytes(text).finish();
        for (const bytes of [field, Buffer.from(field)]) {
          const reader = new BinaryReader(bytes);
          reader.bytes();
          expect(reader.string()).toBe(decoder.decode(text));
          expect(reader.pos).toBe(bytes.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('string() keeps a leading U+FEFF: in a protobuf string it is text, not a byte order mark', () => {
    const field = new BufWriter().bytes(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41])).finish();
    expect(new BinaryReader(field).string()).toBe('\uFEFFA');
  });

  it('bytes() is a view of the input, not a copy', () => {
    const input = Buffer.from([3, 7, 8, 9]);
    const view = new BinaryReader(input).bytes();
    expect(view.buffer).toBe(input.buffer);
    expect([...view]).toEqual([7, 8, 9]);
  });
});

// ── the generated codecs on this runtime ───────────────────────────────────────────────────────

const str = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 40 }));
const body = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
const tags = fc.dictionary(fc.string({ maxLength: 8 }), str, { maxKeys: 4 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });

const event = fc.record({ EventID: str, ClientID: str, Channel: str, Metadata: str, Body: body, Store: fc.boolean(), Tags: tags });
const subscribe = fc.record({
  SubscribeTypeData: fc.constantFrom(0, 1, 2, 3, 4),
  ClientID: str,
  Channel: str,
  Group: str,
  EventsStoreTypeData: fc.integer({ min: 0, max: 6 }),
  EventsStoreTypeValue: int64,
}) as fc.Arbitrary<Subscribe>;
const request = fc.record({
  RequestID: str,
  RequestTypeData: fc.constantFrom(0, 1, 2),
  ClientID: str,
  Channel: str,
  Metadata: str,
  Body: body,
  ReplyChannel: str,
  Timeout: int32,
  CacheKey: str,
  CacheTTL: int32,
  Span: body,
  Tags: tags,
}) as fc.Arbitrary<Request>;
const response = fc.record({
  ClientID: str,
  RequestID: str,
  ReplyChannel: str,
  Metadata: str,
  Body: body,
  CacheHit: fc.boolean(),
  Timestamp: int64,
  Executed: fc.boolean(),
  Error: str,
  Span: body,
  Tags: tags,
}) as fc.Arbitrary<Response>;
const queueMessage = fc.record({
  MessageID: str,
  ClientID: str,
  Channel: str,
  Metadata: str,
  Body: body,
  Tags: tags,
  Attributes: fc.option(
    fc.record({
      Timestamp: int64,
      Sequence: uint64,
      MD5OfBody: str,
      ReceiveCount: int32,
      ReRouted: fc.boolean(),
      ReRoutedFromQueue: str,
      ExpirationAt: int64,
      DelayedTo: int64,
    }),
    { nil: undefined },
  ),
  Policy: fc.option(
    fc.record({ ExpirationSeconds: int32, DelaySeconds: int32, MaxReceiveCount: int32, MaxReceiveQueue: str }),
    { nil: undefined },
  ),
}) as fc.Arbitrary<QueueMessage>;
const batch = fc.record({ BatchID: str, Messages: fc.array(queueMessage, { maxLength: 4 }) }) as fc.Arbitrary<QueueMessagesBatchRequest>;
const downstream = fc.record({
  RequestID: str,
  ClientID: str,
  RequestTypeData: fc.integer({ min: 0, max: 11 }),
  Channel: str,
  MaxItems: int32,
  WaitTimeout: int32,
  AutoAck: fc.boolean(),
  ReQueueChannel: str,
  SequenceRange: fc.array(int64, { maxLength: 6 }),
  RefTransactionId: str,
  Metadata: tags,
}) as fc.Arbitrary<QueuesDownstreamRequest>;

/** A codec with an encode that takes the writer to use (ts-proto's signature). */
interface Encodes<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

const encodeCases: [string, Encodes<never>, fc.Arbitrary<unknown>][] = [
  ['Event', Event, event],
  ['Subscribe', Subscribe, subscribe],
  ['Request', Request, request],
  ['Response', Response, response],
  ['QueueMessagesBatchRequest', QueueMessagesBatchRequest, batch],
  ['QueuesDownstreamRequest', QueuesDownstreamRequest, downstream],
];

describe('generated codecs on this runtime', () => {
  it.each(encodeCases)('property: %s encodes to the bytes it encodes to on @bufbuild/protobuf', (_name, codec, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (message) => {
        const ours = codec.encode(message as never).finish();
        // The generated encode writes through whatever writer it is given: here @bufbuild's.
        const theirs = (codec.encode(message as never, new BufWriter() as unknown as BinaryWriter) as unknown as BufWriter).finish();
        expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['Request', Request, request],
    ['Response', Response, response],
  ] as const)('property: %s decodes what it encodes', (_name, codec, arbitrary) => {
    fc.assert(
      fc.property(arbitrary as fc.Arbitrary<never>, (message) => {
        expect(codec.decode(codec.encode(message).finish())).toEqual(message);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a QueueMessage decodes what it encodes, absent nested messages included', () => {
    fc.assert(
      fc.property(queueMessage, (message) => {
        expect(QueueMessage.decode(QueueMessage.encode(message).finish())).toEqual(message);
      }),
      { numRuns: 300 },
    );
  });
});
