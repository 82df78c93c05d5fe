import { ValidationError } from '@kubemq/core';
import { COMMANDS, QUERIES } from '../kind.js';
import { buildSubscribe } from './subscribe.js';

describe('buildSubscribe', () => {
  it('subscribes commands with type 3 and queries with type 4', () => {
    expect(buildSubscribe(COMMANDS, { channel: 'c' }, 'me', 'op').wire).toMatchObject({ SubscribeTypeData: 3, ClientID: 'me', Channel: 'c', Group: '' });
    expect(buildSubscribe(QUERIES, { channel: 'q', group: 'g' }, 'me', 'op').wire).toMatchObject({ SubscribeTypeData: 4, Group: 'g' });
  });

  it('allows wildcards (docs/broker-behaviour.md §2.3)', () => {
    expect(buildSubscribe(COMMANDS, { channel: 'devices.*.reboot' }, 'me', 'op').channel).toBe('devices.*.reboot');
    expect(buildSubscribe(COMMANDS, { channel: 'devices.>' }, 'me', 'op').channel).toBe('devices.>');
  });

  it('keeps a bufferSize for the for-await reader, none when not given', () => {
    expect(buildSubscribe(COMMANDS, { channel: 'c', bufferSize: 8 }, 'me', 'op').bufferSize).toBe(8);
    expect(buildSubscribe(QUERIES, { channel: 'q' }, 'me', 'op').bufferSize).toBeUndefined();
  });

  it('treats an empty group as none', () => {
    expect(buildSubscribe(COMMANDS, { channel: 'c', group: '' }, 'me', 'op').group).toBeUndefined();
  });

  it.each([
    [{ channel: '' }, 'channel'],
    [{ channel: 'a b' }, 'channel'],
    [{ channel: 'a.' }, 'channel'],
    [{ channel: 'a*' }, 'channel'],
    [{ channel: 'c', group: 'g h' }, 'group'],
    [{ channel: 'c', group: 7 }, 'group'],
    [{ channel: 'c', bufferSize: 0 }, 'bufferSize'],
    [{ channel: 'c', bufferSize: 1.5 }, 'bufferSize'],
    [{ channel: 'c', bufferSize: '8' }, 'bufferSize'],
  ])('rejects %p', (options, field) => {
    expect(() => buildSubscribe(COMMANDS, options as never, 'me', 'op')).toThrow(ValidationError);
    try {
      buildSubscribe(COMMANDS, options as never, 'me', 'op');
    } catch (err) {
      expect((err as ValidationError).field).toBe(field);
    }
  });
});
