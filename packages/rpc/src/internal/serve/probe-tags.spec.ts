import { PROBE_GROUP_TAG, RPC_READINESS_PROBE_TAG, isRpcReadinessProbe, probeChannel, shouldAnswerProbe } from './probe-tags.js';

describe('readiness probe rules', () => {
  it('probes a plain channel itself and a wildcard pattern through a channel it matches', () => {
    expect(probeChannel('devices.reboot', 'T')).toBe('devices.reboot');
    expect(probeChannel('devices.*', 'T')).toBe('devices._probe_T');
    expect(probeChannel('devices.>', 'T')).toBe('devices._probe_T');
    expect(probeChannel('*.status.>', 'T')).toBe('_probe_T.status._probe_T');
  });

  it('recognises probes by their tag', () => {
    expect(isRpcReadinessProbe({ tags: { [RPC_READINESS_PROBE_TAG]: 'x' } })).toBe(true);
    expect(isRpcReadinessProbe({ tags: { other: 'x' } })).toBe(false);
  });

  it('answers its own probe, a group peer\'s probe, and nobody else\'s', () => {
    const self = { token: 'me', group: 'g' };
    expect(shouldAnswerProbe({ [RPC_READINESS_PROBE_TAG]: 'me', [PROBE_GROUP_TAG]: 'g' }, self)).toBe(true);
    expect(shouldAnswerProbe({ [RPC_READINESS_PROBE_TAG]: 'peer', [PROBE_GROUP_TAG]: 'g' }, self)).toBe(true);
    expect(shouldAnswerProbe({ [RPC_READINESS_PROBE_TAG]: 'other', [PROBE_GROUP_TAG]: 'h' }, self)).toBe(false);
    expect(shouldAnswerProbe({ [RPC_READINESS_PROBE_TAG]: 'other' }, self)).toBe(false);
    expect(shouldAnswerProbe({ [RPC_READINESS_PROBE_TAG]: 'other' }, { token: 'me', group: undefined })).toBe(false);
    expect(shouldAnswerProbe({ [RPC_READINESS_PROBE_TAG]: 'me' }, { token: 'me', group: undefined })).toBe(true);
  });
});
