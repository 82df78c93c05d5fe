import type { Response } from '@kubemq/core/internal';

/** A complete wire response (core has no Response.create: the SDK builds complete messages). */
const wireResponse = (fields: Partial<Response>): Response =>
  ({ ClientID: '', RequestID: '', ReplyChannel: '', Metadata: '', Body: Buffer.alloc(0), CacheHit: false, Timestamp: 0n, Executed: false, Error: '', Span: Buffer.alloc(0), Tags: {}, ...fields });
import { toCommandResponse, toQueryResponse } from './response.js';

describe('responses', () => {
  it('maps a command response: executed, no error text, executedAt from Unix ns, responder id', () => {
    const at = new Date('2026-05-06T07:08:09.010Z');
    const res = toCommandResponse(
      wireResponse({ RequestID: 'r1', ClientID: 'resp', Executed: true, Timestamp: BigInt(at.getTime()) * 1_000_000n, Tags: { a: 'b' } }),
      'sent',
    );
    expect(res).toEqual({ id: 'r1', executed: true, error: undefined, executedAt: at, tags: { a: 'b' }, responderId: 'resp' });
  });

  it('maps a failed command and a missing timestamp', () => {
    const res = toCommandResponse(wireResponse({ RequestID: 'r1', ClientID: 'resp', Executed: false, Error: 'device offline' }), 'sent');
    expect(res.executed).toBe(false);
    expect(res.error).toBe('device offline');
    expect(res.executedAt).toBeUndefined();
  });

  it('falls back to the sent id when the broker omits it', () => {
    expect(toCommandResponse(wireResponse({}), 'sent').id).toBe('sent');
  });

  it('maps a query response with data and the cache flag', () => {
    const received = wireResponse({ RequestID: 'q1', ClientID: 'resp', Executed: true, Body: Buffer.from('{"stock":3}'), Metadata: 'json', CacheHit: true });
    const res = toQueryResponse(received, 'sent');
    expect(res.body).toBe(received.Body);
    expect(res.id).toBe('q1');
    expect(res.cacheHit).toBe(true);
    expect(res.metadata).toBe('json');
    expect(res.json<{ stock: number }>().stock).toBe(3);
    expect(res.text()).toBe('{"stock":3}');
    expect(res.error).toBeUndefined();
  });
});
