// Public API of @kubemq/emulator.
export type { Clock, TimerHandle } from './clock.js';
export { ManualClock, systemClock } from './clock.js';
export type { EmulatorLogger, EmulatorLogLevel } from './log.js';
export { consoleLogger, silentLogger } from './log.js';
export type { BrokerKeepaliveConfig, BrokerQueueLimits, BrokerTlsConfig, EmulatorConfig, EmulatorOptions } from './config.js';
export { DEFAULT_BROKER_QUEUE_LIMITS, EMULATOR_VERSION, EmulatorConfigError, optionsFromEnv, resolveConfig } from './config.js';
export type { RecordLog, Store } from './store/index.js';
export { fileStore, memoryStore } from './store/index.js';
export type { EmulatorStartOptions } from './emulator.js';
export { KubemqEmulator } from './emulator.js';
export { PortInUseError } from './transport/grpc-server.js';
