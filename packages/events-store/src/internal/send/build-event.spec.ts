import { validationField } from '@kubemq/test-fakes';
import type { EventStore } from '../messages.js';
import { buildEventStore } from './build-event.js';

describe('buildEventStore', () => {
  it('builds the wire event with Store=true', () => {
    const wire = buildEventStore({ channel: 'audit.log', body: 'x', metadata: 'm', tags: { a: 'b' }, id: 'i' }, 'cid');
    expect(wire).toMatchObject({ EventID: 'i', ClientID: 'cid', Channel: 'audit.log', Metadata: 'm', Store: true, Tags: { a: 'b' } });
    expect(Buffer.from(wire.Body).toString()).toBe('x');
  });

  it.each<[string, unknown, string]>([
    ['empty channel', { channel: '', body: 'x' }, 'channel'],
    ['wildcard *', { channel: 'a.*', body: 'x' }, 'channel'],
    ['wildcard >', { channel: 'a.>', body: 'x' }, 'channel'],
    ['a slash (stan would drop it after Sent:true)', { channel: 'a/b', body: 'x' }, 'channel'],
    ['an empty token', { channel: 'a..b', body: 'x' }, 'channel'],
    ['a tab (breaks the broker)', { channel: 'a\tb', body: 'x' }, 'channel'],
    ['a CR', { channel: 'a\rb', body: 'x' }, 'channel'],
    ['over 240 bytes', { channel: 'a'.repeat(241), body: 'x' }, 'channel'],
    ['empty message', { channel: 'a' }, 'body'],
    ['tags alone', { channel: 'a', tags: { t: 'v' } }, 'body'],
    ['a boolean body', { channel: 'a', body: true }, 'body'],
    ['a non-string tag', { channel: 'a', body: 'x', tags: { t: 2 } }, 'tags.t'],
  ])('rejects %s naming the field', (_name, event, field) => {
    expect(validationField(() => buildEventStore(event as EventStore, 'c'))).toBe(field);
  });
});
