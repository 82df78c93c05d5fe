import type { KubemqBroker } from '../types.js';

// No relative runtime imports here (see global-setup.ts): the key and the env name are repeated,
// and a unit test checks they match.
export const GLOBAL_BROKER_KEY = Symbol.for('@kubemq/testing/jest/shared-broker');
export const SHARED_BROKER_ENV_NAME = 'KUBEMQ_TESTING_SHARED_BROKER';

/** jest globalTeardown: stops the shared broker and removes its temp dir. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { [GLOBAL_BROKER_KEY]?: KubemqBroker };
  const broker = holder[GLOBAL_BROKER_KEY];
  delete holder[GLOBAL_BROKER_KEY];
  delete process.env[SHARED_BROKER_ENV_NAME];
  const crashes = (broker as { crashReports?: readonly string[] } | undefined)?.crashReports ?? [];
  await broker?.[Symbol.asyncDispose]();
  // Fail the run loudly: every test after the crash saw a dead broker.
  if (crashes.length > 0) {
    throw new Error(`@kubemq/testing: the shared broker died during the run:\n${crashes.join('\n')}`);
  }
}
