import { type KubemqClient } from '@kubemq/core';
import { eventsStore, StartPosition } from '@kubemq/events-store';

export function replayModes(client: KubemqClient, channel: string) {
  const store = eventsStore(client);
  return {
    newOnly: store.subscribe({ channel, startAt: StartPosition.newOnly() }), // the default
    everything: store.subscribe({ channel, startAt: StartPosition.fromFirst() }),
    lastThenNew: store.subscribe({ channel, startAt: StartPosition.fromLast() }),
    fromSequence: store.subscribe({ channel, startAt: StartPosition.atSequence(1_000) }),
    sinceMidnight: store.subscribe({ channel, startAt: StartPosition.atTime(new Date('2026-11-28T00:00:00Z')) }),
    lastHour: store.subscribe({ channel, startAt: StartPosition.atTimeDelta(60 * 60) }), // whole seconds
    // The same positions as plain objects (a discriminated union; each kind is its constructor's name):
    plain: store.subscribe({ channel, startAt: { kind: 'atSequence', sequence: 1_000 } }),
  };
}
