import { validationField } from '@kubemq/test-fakes';
import { toEventStoreReceive } from './receive.js';
import { planEventsStoreSubscribe, subscribeRequest } from './subscribe-request.js';
import { subscriptionClientId } from './subscription-client-id.js';

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
    ['a bad start', { channel: 'a', startAt: { kind: 'atSequence', sequence: 0 } }, 'startAt.sequence'],
    ['a colon with a group', { channel: 'a:b', group: 'g' }, 'channel'],
    ['a colon in the group', { channel: 'a', group: 'g:1' }, 'group'],
    // Ignored, it would leave the default (new events only) and skip the history asked for.
    ['another name for the start', { channel: 'a', startPosition: { kind: 'fromFirst' } }, 'startPosition'],
  ])('rejects %s', (_name, options, field) => {
    expect(validationField(() => planEventsStoreSubscribe(options as never))).toBe(field);
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
