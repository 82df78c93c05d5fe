import type { ClientInternals } from '../connection/client-internals.js';
import { ValidationError } from '../errors/kubemq-error.js';
import { unaryMethod } from '../transport/method-descriptor.js';
import { Event, Result as ResultCodec, type Result } from '../generated/kubemq.js';
import { buildWireEvent, toBuffer, validateEventId } from './build-event.js';
import { deferred } from './deferred.js';
import { sendEventOnce, validateSendMode } from './send-event.js';
import { sendPending, within } from './send-pending.js';

describe('buildWireEvent', () => {
  it('sets Store from the pattern', () => {
    const plain = buildWireEvent({ channel: 'a', body: 'x', id: 'e' }, 'c', { operation: 'events.send', pattern: 'events' });
    const stored = buildWireEvent({ channel: 'a', body: 'x', id: 'e' }, 'c', { operation: 'eventsStore.send', pattern: 'events_store' });
    expect(plain).toMatchObject({ EventID: 'e', ClientID: 'c', Channel: 'a', Store: false });
    expect(stored).toMatchObject({ EventID: 'e', ClientID: 'c', Channel: 'a', Store: true });
  });

  it("applies the pattern's channel rules and names the caller's operation", () => {
    expect(() => buildWireEvent({ channel: 'a/b', body: 'x' }, 'c', { operation: 'events.send', pattern: 'events' })).not.toThrow();
    try {
      buildWireEvent({ channel: 'a/b', body: 'x' }, 'c', { operation: 'eventsStore.send', pattern: 'events_store' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ operation: 'eventsStore.send', channel: 'a/b', field: 'channel' });
    }
  });

  it('validateEventId and toBuffer', () => {
    expect(validateEventId('id')).toBe('id');
    expect(() => validateEventId('')).toThrow(ValidationError);
    const bytes = new Uint8Array([1, 2, 3]);
    const buf = toBuffer(bytes);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf.buffer).toBe(bytes.buffer);
  });
});

describe('sendPending', () => {
  const operation = 'events.send';

  it('settles once and passes the value on', async () => {
    const result = deferred<number>();
    const p = sendPending('e', 'ch', result, { operation, timeoutMs: 60_000 });
    p.resolve(1);
    p.reject(new ValidationError({ message: 'late', operation }));
    expect(p.done).toBe(true);
    await expect(result.promise).resolves.toBe(1);
  });

  it('rejects with CANCELLED at once for an aborted signal, later for an abort', async () => {
    const ac = new AbortController();
    ac.abort();
    const early = deferred<void>();
    expect(sendPending('e', 'ch', early, { operation, timeoutMs: 60_000, signal: ac.signal }).done).toBe(true);
    await expect(early.promise).rejects.toMatchObject({ code: 'CANCELLED', channel: 'ch', operation });
    const late = new AbortController();
    const result = deferred<void>();
    sendPending('e', '', result, { operation, timeoutMs: 60_000, signal: late.signal });
    late.abort();
    const err = await result.promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect((err as { channel?: string }).channel).toBeUndefined();
  });

  it('rejects with a TimeoutError after timeoutMs', async () => {
    const result = deferred<void>();
    sendPending('e', 'ch', result, { operation, timeoutMs: 5 });
    await expect(result.promise).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 5, channel: 'ch' });
  });
});

describe('within', () => {
  it('reports done or timeout', async () => {
    await expect(within(Promise.resolve(), 1_000)).resolves.toBe('done');
    await expect(within(new Promise(() => undefined), 5)).resolves.toBe('timeout');
  });
});

describe('sendEventOnce', () => {
  const method = unaryMethod('SendEvent', Event, ResultCodec);
  const wire = buildWireEvent({ channel: 'ch', body: 'x', id: 'e1' }, 'c', { operation: 'events.send', pattern: 'events' });
  const answering = (result: Result, seen: unknown[] = []) =>
    ({ unary: (_m: unknown, req: unknown, ctx: unknown) => (seen.push(req, ctx), Promise.resolve(result)) }) as unknown as ClientInternals;

  it('sends the event with the operation, channel and deadline, and returns its id', async () => {
    const seen: unknown[] = [];
    const got = await sendEventOnce(answering({ EventID: 'e1', Sent: true, Error: '' }, seen), method, wire, { operation: 'events.send', timeoutMs: 50 });
    expect(got).toEqual({ id: 'e1', sent: true });
    expect(seen).toEqual([wire, { operation: 'events.send', channel: 'ch', timeoutMs: 50 }]);
  });

  it("turns the broker's error text (or Sent:false) into a KubemqError", async () => {
    const refused = answering({ EventID: 'e1', Sent: false, Error: 'Error 102: invalid channel value, cannot be empty' });
    await expect(sendEventOnce(refused, method, wire, { operation: 'events.send', timeoutMs: 50 })).rejects.toMatchObject({
      code: 'VALIDATION',
      brokerCode: 102,
      channel: 'ch',
    });
    const notSent = answering({ EventID: '', Sent: false, Error: '' });
    await expect(sendEventOnce(notSent, method, wire, { operation: 'events.send', timeoutMs: 50 })).rejects.toMatchObject({ code: 'BROKER' });
  });
});

describe('validateSendMode', () => {
  it("defaults to 'stream', keeps 'unary', and names the field otherwise", () => {
    expect(validateSendMode(undefined, 'events')).toBe('stream');
    expect(validateSendMode('unary', 'events')).toBe('unary');
    expect(() => validateSendMode('batch', 'eventsStore')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'sendMode', operation: 'eventsStore' }),
    );
  });
});
