export { startKubemq } from './start-kubemq.js';
export { capabilitiesFor, expectedCapabilities, expectedKind, missingCapabilityReason } from './capabilities.js';
export { CAPABILITY_NAMES } from './types.js';
export type {
  BrokerCapabilities,
  BrokerCapability,
  BrokerInfo,
  BrokerKind,
  BrokerTlsOptions,
  KubemqBroker,
  RestartOptions,
  StartKubemqOptions,
} from './types.js';
export { findFreePort } from './internal/ports.js';
export { ping, type PingInfo, type PingOptions, type PingTarget } from './internal/ping.js';
export { BrokerStartError } from './internal/child-broker.js';
export { ContainerUnavailableError } from './modes/container.js';
export { createTestPki, type TestPki, type TestPkiFiles, type TestPkiOptions } from './test-pki.js';
