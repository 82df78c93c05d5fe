import type { ClientInternals } from '../connection/client-internals.js';
import { ValidationError } from '../errors/kubemq-error.js';
import { unaryMethod } from '../transport/method-descriptor.js';
import { Event, Result as ResultCodec, type Result } from '../generated/kubemq.js';
import { buildWireEvent, requireBuiltEventFits, toBuffer, validateEventId } from './build-event.js';
import { sendEventOnce, validateSendMode } from './send-event.js';
import { DEFAULT_MAX_QUEUED, readEventStreamOptions } from './stream-options.js';

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

  it('refuses a plain event the broker could not deliver (over 64 MiB), and keeps the client limit for stored ones', () => {
    const body = new Uint8Array(64 * 1024 * 1024);
    const options = { operation: 'events.send', maxBodyBytes: 100 * 1024 * 1024 };
    expect(() => buildWireEvent({ channel: 'a', body }, 'c', { ...options, pattern: 'events' })).toThrow(/broker can deliver/);
    expect(buildWireEvent({ channel: 'a', body }, 'c', { ...options, pattern: 'events_store' }).Body.byteLength).toBe(body.byteLength);
    // A client limit below it is named as the client's.
    expect(() => buildWireEvent({ channel: 'a', body: 'xx' }, 'c', { ...options, maxBodyBytes: 1, pattern: 'events' })).toThrow(/maxMessageBytes/);
  });

  it('requireBuiltEventFits checks a built event again, its grown tags included, naming the operation and the channel', () => {
    for (const pattern of ['events', 'events_store'] as const) {
      const options = { operation: 'events.send', pattern, maxBodyBytes: 200 };
      const wire = buildWireEvent({ channel: 'a', body: new Uint8Array(100) }, 'c', options);
      expect(() => requireBuiltEventFits(wire, options)).not.toThrow();
      wire.Tags['traceparent'] = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
      expect(() => requireBuiltEventFits(wire, options)).toThrow(
        expect.objectContaining({ name: 'ValidationError', field: 'event', operation: 'events.send', channel: 'a', message: expect.stringMatching(/over the client's maxMessageBytes \(200\)/) }),
      );
    }
  });

  it('validateEventId and toBuffer', () => {
    expect(validateEventId('id')).toBe('id');
    expect(() => validateEventId('')).toThrow(ValidationError);
    expect(() => validateEventId('ev-\uD800')).toThrow(/invalid id: contains the lone surrogate U\+D800/);
    expect(() => validateEventId('a\tb', 'events[2].id')).toThrow(/invalid events\[2\]\.id: contains the control character U\+0009/);
    const bytes = new Uint8Array([1, 2, 3]);
    const buf = toBuffer(bytes);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf.buffer).toBe(bytes.buffer);
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

describe('readEventStreamOptions', () => {
  it('takes maxQueued as given, or DEFAULT_MAX_QUEUED when absent', () => {
    expect(readEventStreamOptions(undefined, 'events.stream')).toEqual({ maxQueued: DEFAULT_MAX_QUEUED });
    expect(readEventStreamOptions({ maxQueued: undefined }, 'events.stream')).toEqual({ maxQueued: DEFAULT_MAX_QUEUED });
    expect(readEventStreamOptions({ maxQueued: 5 }, 'eventsStore.stream')).toEqual({ maxQueued: 5 });
  });

  it('refuses options that are no object, an unknown key and a maxQueued below 1, naming the call', () => {
    expect(() => readEventStreamOptions(null as never, 'events.stream')).toThrow(expect.objectContaining({ operation: 'events.stream', field: 'options' }));
    expect(() => readEventStreamOptions({ maxQueue: 5 } as never, 'eventsStore.stream')).toThrow(
      expect.objectContaining({ operation: 'eventsStore.stream', field: 'maxQueue', message: 'invalid maxQueue: is not an option here (the options are maxQueued)' }),
    );
    expect(() => readEventStreamOptions({ maxQueued: 0 }, 'events.stream')).toThrow(expect.objectContaining({ operation: 'events.stream', field: 'maxQueued' }));
  });
});
