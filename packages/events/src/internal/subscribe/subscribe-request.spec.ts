import { validationField } from '@kubemq/test-fakes';
import { buildEventsSubscribe } from './subscribe-request.js';
import { toEventReceive } from './receive.js';

describe('buildEventsSubscribe', () => {
  it('allows wildcards and groups for subscriptions', () => {
    for (const channel of ['orders.*', 'orders.>', '*.created', 'a.*.c', '>']) {
      const plan = buildEventsSubscribe({ channel, group: 'g1' }, 'cid');
      expect(plan.request).toMatchObject({ SubscribeTypeData: 1, Channel: channel, Group: 'g1', ClientID: 'cid', EventsStoreTypeData: 0 });
      expect(plan.request.EventsStoreTypeValue).toBe(0n);
    }
  });

  it.each<[string, unknown, string]>([
    ['empty channel', { channel: '' }, 'channel'],
    ['misplaced >', { channel: 'a.>.b' }, 'channel'],
    ['partial-token *', { channel: 'a.b*' }, 'channel'],
    ['control character', { channel: 'a\u0007' }, 'channel'],
    ['group with a space', { channel: 'a', group: 'g 1' }, 'group'],
    ['zero bufferSize', { channel: 'a', bufferSize: 0 }, 'bufferSize'],
    ['fractional bufferSize', { channel: 'a', bufferSize: 1.5 }, 'bufferSize'],
  ])('rejects %s', (_name, options, field) => {
    expect(validationField(() => buildEventsSubscribe(options as never, 'c'))).toBe(field);
  });

  it('treats an empty group as none', () => {
    expect(buildEventsSubscribe({ channel: 'a', group: '' }, 'c').request.Group).toBe('');
  });
});

describe('toEventReceive', () => {
  it('maps the wire fields and decodes text and JSON', () => {
    const ev = toEventReceive({
      EventID: 'id1',
      Channel: 'orders.eu',
      Metadata: 'meta',
      Body: Buffer.from('{"n":1}'),
      Timestamp: 0n,
      Sequence: 0n,
      Tags: { a: 'b' },
    });
    expect(ev).toMatchObject({ id: 'id1', channel: 'orders.eu', metadata: 'meta', tags: { a: 'b' } });
    expect(ev.body).toBeInstanceOf(Uint8Array);
    expect(ev.text()).toBe('{"n":1}');
    expect(ev.json<{ n: number }>().n).toBe(1);
  });
});
