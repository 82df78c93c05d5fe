import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { Event, QueueMessage, QueuesUpstreamRequest } from '../generated/kubemq.js';
import type { MessageCodec } from './method-descriptor.js';
import { SCRATCH_WRITER_LIMIT, serializer } from './serialize.js';

const event = (id: string, body: Buffer) => Event.create({ EventID: id, ClientID: 'c', Channel: 'ch', Body: body, Tags: { k: id } });

/** A codec that records the writer it was given and can fail half-way through a message. */
function recordingCodec(fail: (value: string) => boolean): MessageCodec<string> & { writers: BinaryWriter[] } {
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
    decode: () => '',
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
      expect(Event.decode(bytes)).toEqual(m);
    }
  });

  it('returns bytes that later encodes never overwrite (grpc-js may still be writing them)', () => {
    const serialize = serializer(Event);
    const kept = Array.from({ length: 50 }, (_, i) => [i, serialize(event(`id-${i}`, Buffer.alloc(100 + i * 37, i)))] as const);
    for (const [i, bytes] of kept) expect(Event.decode(bytes)).toEqual(event(`id-${i}`, Buffer.alloc(100 + i * 37, i)));
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
    for (let round = 0; round < 3; round++) {
      const req = QueuesUpstreamRequest.create({
        RequestID: `r${round}`,
        Messages: Array.from({ length: 3 + round }, (_, i) => QueueMessage.create({ MessageID: `m${i}`, Channel: 'q', Body: Buffer.alloc(200 * i, i) })),
      });
      expect(QueuesUpstreamRequest.decode(serialize(req))).toEqual(req);
    }
  });
});
