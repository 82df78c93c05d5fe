export { sharedBroker, sharedBrokerIfAny, SHARED_BROKER_ENV } from './shared-broker.js';
export { uniqueChannel, uniqueClientId } from './unique.js';
export { eventually, probeUntil, type RetryOptions } from './eventually.js';
export { itWhen, itSkipBecause, type CapabilitySource, type ConditionalIt, type TestFn } from './it-when.js';
export { ownBroker, type OwnBroker } from './own-broker.js';
// The types itWhen(), ownBroker() and sharedBroker() speak in (also exported by `@kubemq/testing`).
export type {
  BrokerCapabilities,
  BrokerCapability,
  BrokerInfo,
  BrokerKind,
  BrokerTlsOptions,
  KubemqBroker,
  RestartOptions,
  StartKubemqOptions,
} from '../types.js';
export { default as globalSetup } from './global-setup.js';
export { default as globalTeardown } from './global-teardown.js';
