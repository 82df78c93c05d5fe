export { sharedBroker, sharedBrokerIfAny, SHARED_BROKER_ENV } from './shared-broker.js';
export { uniqueChannel, uniqueClientId } from './unique.js';
export { eventually, probeUntil, type RetryOptions } from './eventually.js';
export { itWhen, itSkipBecause, type CapabilitySource, type ConditionalIt } from './it-when.js';
export { default as globalSetup } from './global-setup.js';
export { default as globalTeardown } from './global-teardown.js';
