// The generated codecs keep received `bytes` fields as views of the decoded input (no copy): the
// post-processing in tools/proto/generate.mjs. test/component/received-bytes.spec.ts checks that
// views received through grpc-js stay intact while more messages arrive.
import { EventReceive, QueueMessage, QueuesDownstreamResponse, Request } from './generated/kubemq.js';

describe('generated codecs: received bytes fields', () => {
  it('decode() from a Buffer gives Buffers over the input memory, not copies', () => {
    const input = Buffer.from(EventReceive.encode(EventReceive.create({ EventID: 'e1', Channel: 'c', Body: Buffer.from('hello body') })).finish());
    const decoded = EventReceive.decode(input);
    expect(Buffer.isBuffer(decoded.Body)).toBe(true);
    expect(decoded.Body.toString()).toBe('hello body');
    expect(decoded.Body.buffer).toBe(input.buffer);
    expect(decoded.Body.byteOffset).toBeGreaterThanOrEqual(input.byteOffset);
    expect(decoded.Body.byteOffset + decoded.Body.length).toBeLessThanOrEqual(input.byteOffset + input.length);
  });

  it('decode() from a plain Uint8Array still gives a Buffer (the declared type), over the same memory', () => {
    const input = Request.encode(Request.create({ RequestID: 'r', Channel: 'c', Body: Buffer.from([1, 2, 3]), Span: Buffer.from([9]) })).finish();
    expect(Buffer.isBuffer(input)).toBe(false);
    const decoded = Request.decode(input);
    expect(Buffer.isBuffer(decoded.Body)).toBe(true);
    expect(Buffer.isBuffer(decoded.Span)).toBe(true);
    expect([...decoded.Body]).toEqual([1, 2, 3]);
    expect([...decoded.Span]).toEqual([9]);
    expect(decoded.Body.buffer).toBe(input.buffer);
  });

  it('every message of a batch gets its own region of the batch buffer', () => {
    const messages = Array.from({ length: 5 }, (_, i) => QueueMessage.create({ MessageID: `m${i}`, Channel: 'q', Body: Buffer.alloc(100, i) }));
    const input = Buffer.from(QueuesDownstreamResponse.encode(QueuesDownstreamResponse.create({ TransactionId: 't', Messages: messages })).finish());
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
    const decoded = EventReceive.decode(EventReceive.encode(EventReceive.create({ EventID: 'e' })).finish());
    expect(Buffer.isBuffer(decoded.Body)).toBe(true);
    expect(decoded.Body.length).toBe(0);
  });
});
