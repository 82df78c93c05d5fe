import { ValidationError } from '@kubemq/core';
import { buildEventStore } from './build-event.js';
import { toEventStoreReceive } from './receive.js';
import { planEventsStoreSubscribe, subscribeRequest } from './subscribe-request.js';
import { subscriptionClientId } from './subscription-client-id.js';
import type { EventStore } from './types.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

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
    expect(fieldOf(() => buildEventStore(event as EventStore, 'c'))).toBe(field);
  });
});

describe('subscriptions', () => {
  it('plans a subscription with newOnly by default and builds one request per attempt', () => {
    const plan = planEventsStoreSubscribe({ channel: 'audit' });
    expect(plan.start).toEqual({ type: 1, value: 0n });
    const req = subscribeRequest(plan, 'c-1', { type: 4, value: 9n });
    expect(req).toEqual({
      SubscribeTypeData: 2,
      ClientID: 'c-1',
      Channel: 'audit',
      Group: '',
      EventsStoreTypeData: 4,
      EventsStoreTypeValue: 9n,
    });
  });

  it.each<[string, unknown, string]>([
    ['a wildcard', { channel: 'a.*' }, 'channel'],
    ['a bad start', { channel: 'a', startAt: { kind: 'sequence', sequence: 0 } }, 'startAt.sequence'],
    ['a colon with a group', { channel: 'a:b', group: 'g' }, 'channel'],
    ['a colon in the group', { channel: 'a', group: 'g:1' }, 'group'],
  ])('rejects %s', (_name, options, field) => {
    expect(fieldOf(() => planEventsStoreSubscribe(options as never))).toBe(field);
  });

  it('derives a fresh, broker-safe ClientID per subscription', () => {
    const a = subscriptionClientId('orders service/v2');
    const b = subscriptionClientId('orders service/v2');
    expect(a).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(a.startsWith('orders_service_v2-')).toBe(true);
    expect(a).not.toBe(b);
    expect(subscriptionClientId('日本')).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(subscriptionClientId('x'.repeat(500)).length).toBeLessThan(80);
  });
});

describe('toEventStoreReceive', () => {
  it('keeps the sequence as a number and the timestamp as Date and ns', () => {
    const ns = 1_795_000_000_123_456_789n;
    const ev = toEventStoreReceive({
      EventID: 'e',
      Channel: 'audit',
      Metadata: '',
      Body: Buffer.from('hi'),
      Timestamp: ns,
      Sequence: 12n,
      Tags: {},
    });
    expect(ev.sequence).toBe(12);
    expect(ev.timestampNanos).toBe(ns);
    expect(ev.timestamp.getTime()).toBe(1_795_000_000_123);
    expect(ev.text()).toBe('hi');
  });
});
