import { versionFileProblem, versionFileText, versionProblems, withLockstepRanges } from './versions.mjs';

const pkg = (name, version, fields = {}) => ({ name, manifest: { name, version, ...fields } });

describe('versionProblems', () => {
  it('accepts packages at one version whose @kubemq/* ranges are that version', () => {
    const r = versionProblems([
      pkg('@kubemq/core', '0.2.0', { dependencies: { '@grpc/grpc-js': '^1.14.0' } }),
      pkg('@kubemq/events', '0.2.0', { peerDependencies: { '@kubemq/core': '0.2.0', rxjs: '^7.8.0' }, devDependencies: { '@kubemq/core': '0.2.0' } }),
    ]);
    expect(r).toEqual({ version: '0.2.0', problems: [] });
  });

  it('names a peer range that nx release left behind, even when it still matches', () => {
    const r = versionProblems([
      pkg('@kubemq/core', '0.2.1'),
      pkg('@kubemq/events', '0.2.1', { peerDependencies: { '@kubemq/core': '^0.2.0' } }),
      pkg('@kubemq/testing', '0.2.1', { dependencies: { '@kubemq/emulator': '0.2.0' } }),
    ]);
    expect(r.problems).toEqual([
      '@kubemq/events: peerDependencies["@kubemq/core"] is "^0.2.0", must be the lockstep version "0.2.1"',
      '@kubemq/testing: dependencies["@kubemq/emulator"] is "0.2.0", must be the lockstep version "0.2.1"',
    ]);
  });

  it('names the package whose version is out of step', () => {
    const r = versionProblems([pkg('@kubemq/core', '0.3.0'), pkg('@kubemq/events', '0.3.0'), pkg('@kubemq/rpc', '0.2.0')]);
    expect(r.version).toBe('0.3.0');
    expect(r.problems).toEqual(['@kubemq/rpc: version 0.2.0, the others are at 0.3.0']);
  });
});

describe('withLockstepRanges', () => {
  it('rewrites only @kubemq/* ranges', () => {
    const m = { name: '@kubemq/testing', dependencies: { '@kubemq/emulator': '0.1.0', '@grpc/grpc-js': '^1.14.3' } };
    expect(withLockstepRanges(m, '0.2.0').dependencies).toEqual({ '@kubemq/emulator': '0.2.0', '@grpc/grpc-js': '^1.14.3' });
    expect(m.dependencies['@kubemq/emulator']).toBe('0.1.0');
  });
});

describe('versionFileProblem', () => {
  it('accepts the file that versionFileText writes, and names a stale or missing one', () => {
    expect(versionFileProblem('@kubemq/events', '0.2.0', versionFileText('@kubemq/events', '0.2.0'))).toBeUndefined();
    expect(versionFileProblem('@kubemq/events', '0.2.0', versionFileText('@kubemq/events', '0.1.0'))).toBe('@kubemq/events: src/version.ts does not say @kubemq/events 0.2.0');
    expect(versionFileProblem('@kubemq/events', '0.2.0', undefined)).toBe('@kubemq/events: src/version.ts is missing');
  });
});
