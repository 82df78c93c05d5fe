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
  await broker?.[Symbol.asyncDispose]();
}
