import type { BrokerInfo } from '../types.js';

/**
 * The environment variable through which globalSetup hands the shared broker to test files.
 * Deliberately not KUBEMQ_ADDRESS: a test that calls startKubemq() itself still gets its own broker.
 */
export const SHARED_BROKER_ENV = 'KUBEMQ_TESTING_SHARED_BROKER';

/** The broker this jest run's globalSetup started: `{ address, kind, capabilities }`. */
export function sharedBroker(): BrokerInfo {
  const raw = process.env[SHARED_BROKER_ENV];
  if (raw === undefined || raw === '') {
    throw new Error(
      '@kubemq/testing: no shared broker. Add to your jest config:\n' +
        "  globalSetup: require.resolve('@kubemq/testing/jest/global-setup'),\n" +
        "  globalTeardown: require.resolve('@kubemq/testing/jest/global-teardown'),\n" +
        'or start your own with startKubemq().',
    );
  }
  return JSON.parse(raw) as BrokerInfo;
}

/** The shared broker, or undefined outside a run with the globalSetup. */
export function sharedBrokerIfAny(): BrokerInfo | undefined {
  return process.env[SHARED_BROKER_ENV] ? sharedBroker() : undefined;
}
