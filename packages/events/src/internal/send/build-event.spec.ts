import { validationField } from '@kubemq/test-fakes';
import { buildEvent } from './build-event.js';
import type { Event } from '../types.js';

describe('buildEvent', () => {
  it('builds the wire event with Store=false, UTF-8 body, tags and the client id', () => {
    const wire = buildEvent({ channel: 'a.b', body: 'héllo', metadata: 'm', tags: { k: 'v' }, id: 'e1' }, 'cid');
    expect(wire).toMatchObject({ EventID: 'e1', ClientID: 'cid', Channel: 'a.b', Metadata: 'm', Store: false, Tags: { k: 'v' } });
    expect(Buffer.from(wire.Body).toString('utf8')).toBe('héllo');
  });

  it('keeps bytes as they are and generates an id when absent', () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const a = buildEvent({ channel: 'x', body: bytes }, 'c');
    const b = buildEvent({ channel: 'x', body: bytes }, 'c');
    expect([...a.Body]).toEqual([0, 1, 2, 255]);
    expect(a.EventID).toMatch(/\S+/);
    expect(a.EventID).not.toBe(b.EventID);
  });

  it('accepts metadata alone', () => {
    expect(buildEvent({ channel: 'x', metadata: 'only' }, 'c').Metadata).toBe('only');
  });

  it.each<[string, unknown, string]>([
    ['empty channel', { channel: '', body: 'x' }, 'channel'],
    ['missing channel', { body: 'x' }, 'channel'],
    ['channel with a space', { channel: 'a b', body: 'x' }, 'channel'],
    ['channel with a tab', { channel: 'a\tb', body: 'x' }, 'channel'],
    ['channel with a newline', { channel: 'a\nb', body: 'x' }, 'channel'],
    ['channel ending with a dot', { channel: 'a.', body: 'x' }, 'channel'],
    ['wildcard * when sending', { channel: 'orders.*', body: 'x' }, 'channel'],
    ['wildcard > when sending', { channel: 'orders.>', body: 'x' }, 'channel'],
    ['empty message', { channel: 'a' }, 'body'],
    ['tags alone', { channel: 'a', tags: { k: 'v' } }, 'body'],
    ['empty string body and no metadata', { channel: 'a', body: '' }, 'body'],
    ['number body', { channel: 'a', body: 42 }, 'body'],
    ['object body', { channel: 'a', body: { x: 1 } }, 'body'],
    ['array body', { channel: 'a', body: [1, 2] }, 'body'],
    ['non-string metadata', { channel: 'a', metadata: 7 }, 'metadata'],
    ['non-string tag value', { channel: 'a', body: 'x', tags: { n: 1 } }, 'tags.n'],
    ['empty id', { channel: 'a', body: 'x', id: '' }, 'id'],
    ['non-string id', { channel: 'a', body: 'x', id: 5 }, 'id'],
    ['a reserved probe tag', { channel: 'a', body: 'x', tags: { 'x-kubemq-events-probe': 't' } }, 'tags.x-kubemq-events-probe'],
    ['any tag with the reserved prefix', { channel: 'a', body: 'x', tags: { ok: '1', 'x-kubemq-events-other': '' } }, 'tags.x-kubemq-events-other'],
  ])('rejects %s naming the field', (_name, event, field) => {
    expect(validationField(() => buildEvent(event as Event, 'c'))).toBe(field);
  });

  it('refuses an event over maxMessageBytes once encoded, though its body fits', () => {
    const event = { channel: 'c', body: new Uint8Array(1000), metadata: 'm'.repeat(100) };
    expect(buildEvent(event, 'client', 'events.send', 1200).Body.byteLength).toBe(1000);
    expect(() => buildEvent(event, 'client', 'events.send', 1100)).toThrow(/is 11\d\d bytes encoded .* over the client's maxMessageBytes \(1100\)/);
    expect(() => buildEvent(event, 'client', 'events.send', 1100)).toThrow(expect.objectContaining({ field: 'event', operation: 'events.send' }));
  });

  it('rejects a non-object event', () => {
    expect(validationField(() => buildEvent(null as unknown as Event, 'c'))).toBe('event');
    expect(validationField(() => buildEvent('x' as unknown as Event, 'c'))).toBe('event');
  });

  it('names the operation and the channel in the error', () => {
    try {
      buildEvent({ channel: 'a.*', body: 'x' }, 'c');
      throw new Error('no error');
    } catch (err) {
      expect(err).toMatchObject({ operation: 'events.send', channel: 'a.*', field: 'channel', code: 'VALIDATION' });
    }
  });

  it('generates, keeps, or rejects the event id', () => {
    expect(buildEvent({ channel: 'a', body: 'x' }, 'c').EventID).toMatch(/\S+/);
    expect(buildEvent({ channel: 'a', body: 'x', id: 'abc' }, 'c').EventID).toBe('abc');
    expect(validationField(() => buildEvent({ channel: 'a', body: 'x', id: 'a\u0001' }, 'c'))).toBe('id');
  });
});
