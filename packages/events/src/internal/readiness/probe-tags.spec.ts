import { isProbeTags, isEventsReadinessProbe, probeChannel, EVENTS_READINESS_PROBE_TAG } from './probe-tags.js';

describe('readiness probe tags', () => {
  it('a probe is an event with the reserved tag, whatever its value', () => {
    expect(EVENTS_READINESS_PROBE_TAG).toBe('x-kubemq-events-probe');
    expect(isEventsReadinessProbe({ tags: { [EVENTS_READINESS_PROBE_TAG]: 'token' } })).toBe(true);
    expect(isEventsReadinessProbe({ tags: { [EVENTS_READINESS_PROBE_TAG]: '' } })).toBe(true);
    expect(isEventsReadinessProbe({ tags: {} })).toBe(false);
    expect(isEventsReadinessProbe({ tags: { 'x-kubemq-events-probex': 't', probe: 't' } })).toBe(false);
    // an inherited property is not a tag
    expect(isProbeTags(Object.create({ [EVENTS_READINESS_PROBE_TAG]: 't' }) as Record<string, string>)).toBe(false);
  });

  it('a plain channel probes itself; a pattern probes a concrete channel it matches', () => {
    expect(probeChannel('orders', 'tk')).toBe('orders');
    expect(probeChannel('orders.eu', 'tk')).toBe('orders.eu');
    expect(probeChannel('orders.*', 'tk')).toBe('orders._probe_tk');
    expect(probeChannel('orders.>', 'tk')).toBe('orders._probe_tk');
    expect(probeChannel('*.created.>', 'tk')).toBe('_probe_tk.created._probe_tk');
    expect(probeChannel('>', 'tk')).toBe('_probe_tk');
  });
});
