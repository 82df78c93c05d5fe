import { Event, QueueMessage, QueuesUpstreamRequest, type Encoder, type Event as WireEvent } from '../generated/kubemq.js';
import { BinaryReader, BinaryWriter } from '../wire/binary.js';
import { SCRATCH_WRITER_LIMIT, serializer } from './serialize.js';

const event = (id: string, body: Buffer): WireEvent => ({ EventID: id, ClientID: 'c', Channel: 'ch', Metadata: '', Body: body, Store: false, Tags: { k: id } });

/** Reads back what the Event encoder wrote (core has no Event decoder: the client never receives one). */
function readEvent(bytes: Uint8Array): WireEvent {
  const r = new BinaryReader(bytes);
  const e: WireEvent = { EventID: '', ClientID: '', Channel: '', Metadata: '', Body: Buffer.alloc(0), Store: false, Tags: {} };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) e.EventID = r.string();
    else if (field === 2) e.ClientID = r.string();
    else if (field === 3) e.Channel = r.string();
    else if (field === 4) e.Metadata = r.string();
    else if (field === 5) e.Body = Buffer.from(r.bytes());
    else if (field === 6) e.Store = r.bool();
    else if (field === 7) {
      const entry = new BinaryReader(r.bytes());
      entry.uint32();
      const key = entry.string();
      entry.uint32();
      e.Tags[key] = entry.string();
    } else r.skip(tag & 7);
  }
  return e;
}

/** A codec that records the writer it was given and can fail half-way through a message. */
function recordingCodec(fail: (value: string) => boolean): Encoder<string> & { writers: BinaryWriter[] } {
  const writers: BinaryWriter[] = [];
  return {
    writers,
    encode(value: string, writer = new BinaryWriter()) {
      writers.push(writer);
      writer.uint32(10).string(value);
      if (fail(value)) {
        writer.uint32(18).fork().string('half');
        throw new Error('cannot encode');
      }
      return writer;
    },
  };
}

describe('serializer', () => {
  it('encodes exactly what the codec alone encodes, message after message', () => {
    const serialize = serializer(Event);
    const messages = [event('a', Buffer.from('x')), event('bb', Buffer.alloc(5000, 7)), event('c', Buffer.alloc(0)), event('d', Buffer.from('short'))];
    for (const m of messages) {
      const bytes = serialize(m);
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(bytes.equals(Buffer.from(Event.encode(m).finish()))).toBe(true);
      expect(readEvent(bytes)).toEqual(m);
    }
  });

  it('returns bytes that later encodes never overwrite (grpc-js may still be writing them)', () => {
    const serialize = serializer(Event);
    const kept = Array.from({ length: 50 }, (_, i) => [i, serialize(event(`id-${i}`, Buffer.alloc(100 + i * 37, i)))] as const);
    for (const [i, bytes] of kept) expect(readEvent(bytes)).toEqual(event(`id-${i}`, Buffer.alloc(100 + i * 37, i)));
  });

  it('reuses one writer across messages and codecs', () => {
    const codec = recordingCodec(() => false);
    serializer(codec)('one');
    serializer(codec)('two');
    serializer(Event)(event('e', Buffer.from('x')));
    serializer(codec)('three');
    expect(codec.writers).toHaveLength(3);
    expect(new Set(codec.writers).size).toBe(1);
  });

  it('drops the writer of an encode that threw, so its half-written bytes never reach the next message', () => {
    const codec = recordingCodec((value) => value === 'bad');
    const serialize = serializer(codec);
    serialize('before');
    expect(() => serialize('bad')).toThrow('cannot encode');
    const after = serialize('after');
    expect(codec.writers[2]).not.toBe(codec.writers[1]);
    // field 1, length 5, "after": nothing of the failed message.
    expect([...after]).toEqual([10, 5, ...Buffer.from('after')]);
  });

  it(`does not keep a writer that grew past ${SCRATCH_WRITER_LIMIT} bytes`, () => {
    const codec = recordingCodec(() => false);
    const serialize = serializer(codec);
    serialize('small');
    serialize('x'.repeat(SCRATCH_WRITER_LIMIT + 1));
    serialize('small again');
    expect(codec.writers[1]).toBe(codec.writers[0]);
    expect(codec.writers[2]).not.toBe(codec.writers[1]);
  });

  it('handles nested messages (fork/join) across reuse', () => {
    const serialize = serializer(QueuesUpstreamRequest);
    const message = (i: number): QueueMessage => ({ MessageID: `m${i}`, ClientID: '', Channel: 'q', Metadata: '', Body: Buffer.alloc(200 * i, i), Tags: {}, Attributes: undefined, Policy: undefined });
    for (let round = 0; round < 3; round++) {
      const req = { RequestID: `r${round}`, Messages: Array.from({ length: 3 + round }, (_, i) => message(i)) };
      const bytes = serialize(req);
      expect(bytes.equals(Buffer.from(QueuesUpstreamRequest.encode(req).finish()))).toBe(true);
      // field 1: the request id; field 2, repeated: the messages.
      const r = new BinaryReader(bytes);
      const read: { RequestID: string; Messages: QueueMessage[] } = { RequestID: '', Messages: [] };
      while (r.pos < r.len) {
        const field = r.uint32() >>> 3;
        if (field === 1) read.RequestID = r.string();
        else read.Messages.push(QueueMessage.decode(r.bytes()));
      }
      expect(read).toEqual(req);
    }
  });
});
