import { capabilitiesFor, containerRequest, expectedCapabilities, expectedKind, missingCapabilityReason, parseDeclaredCapabilities } from './capabilities.js';

describe('capabilities', () => {
  it('an external broker cannot restart or kill, and has only what KUBEMQ_CAPABILITIES declares', () => {
    expect(capabilitiesFor('external', { queryCache: true }, {})).toEqual({
      restart: false,
      kill: false,
      cleanRestart: false,
      auth: false,
      queryCache: false,
      channelManagement: false,
      tls: false,
      clientCertificates: false,
    });
    const caps = capabilitiesFor('external', {}, { KUBEMQ_CAPABILITIES: 'auth, queryCache,channelManagement' });
    expect(caps).toMatchObject({ restart: false, kill: false, auth: true, queryCache: true, channelManagement: true, tls: false });
  });

  it("an external broker never has auth or TLS for a test's own token or certificates", () => {
    const env = { KUBEMQ_CAPABILITIES: 'auth,tls,clientCertificates,queryCache' };
    for (const options of [{ auth: { token: 't' } }, { tls: { certPem: 'c', keyPem: 'k' } }]) {
      expect(capabilitiesFor('external', options, env)).toMatchObject({ auth: false, tls: false, clientCertificates: false, queryCache: true });
    }
    expect(capabilitiesFor('external', {}, env)).toMatchObject({ auth: true, tls: true, clientCertificates: true });
  });

  it('rejects an unknown name in KUBEMQ_CAPABILITIES, naming it', () => {
    expect(() => parseDeclaredCapabilities('auth,cache')).toThrow(/KUBEMQ_CAPABILITIES: unknown capability 'cache'/);
    expect([...parseDeclaredCapabilities(' ,tls,')]).toEqual(['tls']);
  });

  it('a real binary or container never has auth, cache, channel management or client-cert checks (broker-behaviour.md §0)', () => {
    const everything = {
      auth: { token: 't' },
      queryCache: true,
      channelManagement: true,
      tls: { certPem: 'c', keyPem: 'k', caPem: 'a', requireClientCert: true },
    };
    for (const kind of ['binary', 'container'] as const) {
      expect(capabilitiesFor(kind, everything, {})).toEqual({
        restart: true,
        kill: true,
        cleanRestart: kind === 'binary', // a container keeps its store inside
        auth: false,
        queryCache: false,
        channelManagement: false,
        tls: true,
        clientCertificates: false,
      });
      expect(capabilitiesFor(kind, {}, {}).tls).toBe(false);
    }
  });

  it('the emulator has what was asked for', () => {
    expect(capabilitiesFor('emulator', {}, {})).toEqual({
      restart: true,
      kill: true,
      cleanRestart: true,
      auth: false,
      queryCache: false,
      channelManagement: false,
      tls: false,
      clientCertificates: false,
    });
    expect(
      capabilitiesFor('emulator', {
        auth: { token: 't' },
        queryCache: true,
        channelManagement: true,
        tls: { certPem: 'c', keyPem: 'k', caPem: 'a', requireClientCert: true },
      }),
    ).toEqual({ restart: true, kill: true, cleanRestart: true, auth: true, queryCache: true, channelManagement: true, tls: true, clientCertificates: true });
    expect(capabilitiesFor('emulator', { tls: { certPem: 'c', keyPem: 'k' } }).clientCertificates).toBe(false);
  });

  it('expectedKind follows the resolution order', () => {
    expect(expectedKind({ KUBEMQ_ADDRESS: 'h:1', KUBEMQ_BINARY: '/b', KUBEMQ_TESTCONTAINERS: '1' })).toBe('external');
    expect(expectedKind({ KUBEMQ_ADDRESS: '  ', KUBEMQ_BINARY: '/b', KUBEMQ_TESTCONTAINERS: '1' })).toBe('binary');
    expect(expectedKind({ KUBEMQ_TESTCONTAINERS: '1' })).toBe('container');
    expect(expectedKind({ KUBEMQ_TESTCONTAINERS: 'true' })).toBe('container');
    expect(expectedKind({ KUBEMQ_TESTCONTAINERS: 'prefer' })).toBe('container');
    expect(expectedKind({ KUBEMQ_TESTCONTAINERS: '0' })).toBe('emulator');
    expect(expectedKind({})).toBe('emulator');
  });

  it('KUBEMQ_TESTCONTAINERS: 1 or true requires a container, prefer allows the emulator, an unknown value throws', () => {
    expect(containerRequest({ KUBEMQ_TESTCONTAINERS: '1' })).toBe('required');
    expect(containerRequest({ KUBEMQ_TESTCONTAINERS: ' TRUE ' })).toBe('required');
    expect(containerRequest({ KUBEMQ_TESTCONTAINERS: 'prefer' })).toBe('preferred');
    for (const none of [undefined, '', '0', 'false']) expect(containerRequest({ KUBEMQ_TESTCONTAINERS: none })).toBeUndefined();
    expect(() => containerRequest({ KUBEMQ_TESTCONTAINERS: 'yes' })).toThrow(TypeError);
    expect(() => expectedKind({ KUBEMQ_TESTCONTAINERS: 'docker' })).toThrow(/KUBEMQ_TESTCONTAINERS must be 1 or true .* got 'docker'/);
  });

  it('expectedCapabilities answers for the broker startKubemq will choose', () => {
    expect(expectedCapabilities({ queryCache: true }, {}).queryCache).toBe(true);
    expect(expectedCapabilities({ queryCache: true }, { KUBEMQ_BINARY: '/b' }).queryCache).toBe(false);
    expect(expectedCapabilities({}, { KUBEMQ_ADDRESS: 'h:1' }).restart).toBe(false);
  });

  it('explains a missing capability', () => {
    expect(missingCapabilityReason('auth', 'binary')).toMatch(/does not enforce token auth \(broker-behaviour.md §0.2\)/);
    expect(missingCapabilityReason('restart', 'external')).toMatch(/cannot be restarted/);
    expect(missingCapabilityReason('kill', 'external')).toMatch(/cannot be killed/);
    expect(missingCapabilityReason('queryCache', 'external')).toMatch(/KUBEMQ_CAPABILITIES/);
    expect(missingCapabilityReason('queryCache', 'emulator')).toMatch(/not started with 'queryCache'/);
  });
});
