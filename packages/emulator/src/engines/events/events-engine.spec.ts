import { ChannelRegistry } from '../channels/registry.js';
import { EventsEngine } from './events-engine.js';

describe('EventsEngine', () => {
  it('encodes once for all receivers and counts channel activity', () => {
    const channels = new ChannelRegistry(() => 1);
    const engine = new EventsEngine<string>(channels);
    const got: string[] = [];
    const stop = engine.subscribe('a.*', '', (m) => got.push(`w:${m}`));
    engine.subscribe('a.b', '', (m) => got.push(`x:${m}`));
    let encodes = 0;
    expect(engine.publish('a.b', 3, () => `m${++encodes}`)).toBe(2);
    expect(encodes).toBe(1);
    expect(got).toEqual(['x:m1', 'w:m1']);
    expect(engine.publish('nobody', 3, () => `m${++encodes}`)).toBe(0);
    expect(encodes).toBe(1); // nothing encoded without receivers
    expect(engine.publish('a.b', 3, undefined)).toBe(0); // over what NATS delivers: counted, not delivered
    expect(got).toEqual(['x:m1', 'w:m1']);
    stop();
    stop(); // idempotent
    expect(channels.list('events', 'a.b')[0]).toMatchObject({ incoming: { messages: 2, volume: 6 }, outgoing: { messages: 2, volume: 6 } });
    expect(channels.list('events', 'a.*')[0]!.isActive).toBe(false);
  });

  it('routes on the subject NATS read, and counts the event under its channel (broker-behaviour.md §6)', () => {
    const channels = new ChannelRegistry(() => 1);
    const engine = new EventsEngine<string>(channels);
    const got: string[] = [];
    engine.subscribe('a', '', (m) => got.push(m));
    engine.publish('a\tb', 1, () => 'tabbed', 'a');
    expect(got).toEqual(['tabbed']);
    expect(channels.list('events', 'a\tb')[0]).toMatchObject({ incoming: { messages: 1 } });
  });
});
