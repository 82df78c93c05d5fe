import type { KubemqBroker } from '../types.js';
import { GLOBAL_BROKER_KEY } from './global-setup.js';
import { SHARED_BROKER_ENV } from './shared-broker.js';

/** jest globalTeardown: stops the shared broker and removes its temp dir. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { [GLOBAL_BROKER_KEY]?: KubemqBroker };
  const broker = holder[GLOBAL_BROKER_KEY];
  delete holder[GLOBAL_BROKER_KEY];
  delete process.env[SHARED_BROKER_ENV];
  await broker?.[Symbol.asyncDispose]();
  // Read after disposing: a death still under way when the teardown began shows only once the
  // process has been waited for.
  const crashes = (broker as { crashReports?: readonly string[] } | undefined)?.crashReports ?? [];
  // Fail the run loudly: every test after the crash saw a dead broker.
  if (crashes.length > 0) {
    throw new Error(`@kubemq/testing: the shared broker died during the run:\n${crashes.join('\n')}`);
  }
}
