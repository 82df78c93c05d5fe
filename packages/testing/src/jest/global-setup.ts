import { startKubemq } from '../start-kubemq.js';
import type { BrokerInfo, KubemqBroker } from '../types.js';
import { SHARED_BROKER_ENV } from './shared-broker.js';

/** Where globalTeardown finds the broker (jest runs both in the same process). */
export const GLOBAL_BROKER_KEY = Symbol.for('@kubemq/testing/jest/shared-broker');

/**
 * jest globalSetup: starts ONE broker with default options for the whole run and hands
 * `{ address, kind, capabilities }` to test files through KUBEMQ_TESTING_SHARED_BROKER
 * (not KUBEMQ_ADDRESS, so a test calling startKubemq() itself still gets its own broker).
 */
export default async function globalSetup(): Promise<void> {
  const holder = globalThis as { [GLOBAL_BROKER_KEY]?: KubemqBroker };
  if (holder[GLOBAL_BROKER_KEY] !== undefined) return; // several projects in one run share it
  const broker = await startKubemq();
  holder[GLOBAL_BROKER_KEY] = broker;
  const info: BrokerInfo = { address: broker.address, kind: broker.kind, capabilities: broker.capabilities };
  process.env[SHARED_BROKER_ENV] = JSON.stringify(info);
  process.stdout.write(`\n@kubemq/testing: shared ${broker.kind} broker at ${broker.address}\n`);
}
