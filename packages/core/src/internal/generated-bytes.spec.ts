// The generated codecs keep received `bytes` fields as views of the decoded input (no copy): the
// post-processing in tools/proto/generate.mjs. test/component/received-bytes.spec.ts checks that
// views received through grpc-js stay intact while more messages arrive.
import { EventReceive, QueueMessage, QueuesDownstreamResponse, Request } from './generated/kubemq.js';
import { BinaryWriter } from './wire/binary.js';

// Core has no encoder for what only the broker sends (EventReceive, QueuesDownstreamResponse):
// their bytes are written field by field here (field numbers from proto/kubemq.proto).
function eventReceiveBytes(id: string, channel: string, body?: Buffer): Uint8Array {
  const w = new BinaryWriter().uint32(10).string(id);
  if (channel) w.uint32(18).string(channel);
  if (body) w.uint32(34).bytes(body);
  return w.finish();
}

const queueMessage = (id: string, body: Buffer): QueueMessage => ({ MessageID: id, ClientID: '', Channel: 'q', Metadata: '', Body: body, Tags: {}, Attributes: undefined, Policy: undefined });
const requestOf = (fields: Partial<Request>): Request => ({
  RequestID: '', RequestTypeData: 0, ClientID: '', Channel: '', Metadata: '', Body: Buffer.alloc(0), ReplyChannel: '', Timeout: 0, CacheKey: '', CacheTTL: 0, Span: Buffer.alloc(0), Tags: {}, ...fields,
});

describe('generated codecs: received bytes fields', () => {
  it('decode() from a Buffer gives Buffers over the input memory, not copies', () => {
    const input = Buffer.from(eventReceiveBytes('e1', 'c', Buffer.from('hello body')));
    const decoded = EventReceive.decode(input);
    expect(Buffer.isBuffer(decoded.Body)).toBe(true);
    expect(decoded.Body.toString()).toBe('hello body');
    expect(decoded.Body.buffer).toBe(input.buffer);
    expect(decoded.Body.byteOffset).toBeGreaterThanOrEqual(input.byteOffset);
    expect(decoded.Body.byteOffset + decoded.Body.length).toBeLessThanOrEqual(input.byteOffset + input.length);
  });

  it('decode() from a plain Uint8Array still gives a Buffer (the declared type), over the same memory', () => {
    const input = Request.encode(requestOf({ RequestID: 'r', Channel: 'c', Body: Buffer.from([1, 2, 3]), Span: Buffer.from([9]) })).finish();
    expect(Buffer.isBuffer(input)).toBe(false);
    const decoded = Request.decode(input);
    expect(Buffer.isBuffer(decoded.Body)).toBe(true);
    expect(Buffer.isBuffer(decoded.Span)).toBe(true);
    expect([...decoded.Body]).toEqual([1, 2, 3]);
    expect([...decoded.Span]).toEqual([9]);
    expect(decoded.Body.buffer).toBe(input.buffer);
  });

  it('every message of a batch gets its own region of the batch buffer', () => {
    const w = new BinaryWriter().uint32(10).string('t');
    for (let i = 0; i < 5; i++) QueueMessage.encode(queueMessage(`m${i}`, Buffer.alloc(100, i)), w.uint32(34).fork()).join();
    const input = Buffer.from(w.finish());
    const decoded = QueuesDownstreamResponse.decode(input);
    expect(decoded.Messages.map((m) => m.Body.every((b) => b === Number(m.MessageID.slice(1))))).toEqual([true, true, true, true, true]);
    const regions = decoded.Messages.map((m) => [m.Body.byteOffset, m.Body.byteOffset + m.Body.length] as const).sort((a, b) => a[0] - b[0]);
    let end = -1;
    for (const [start, stop] of regions) {
      expect(start).toBeGreaterThanOrEqual(end);
      end = stop;
    }
  });

  it('an absent bytes field is an empty Buffer', () => {
    const decoded = EventReceive.decode(eventReceiveBytes('e', ''));
    expect(Buffer.isBuffer(decoded.Body)).toBe(true);
    expect(decoded.Body.length).toBe(0);
  });
});
