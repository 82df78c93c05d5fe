import { containerRequest, expectedKind } from './capabilities.js';
import { validateOptions } from './modes/launch-config.js';
import { startBinary } from './modes/binary.js';
import { ContainerUnavailableError, startContainer } from './modes/container.js';
import { startEmulator } from './modes/emulator.js';
import { useExternal } from './modes/external.js';
import type { KubemqBroker, StartKubemqOptions } from './types.js';

const DEFAULT_START_TIMEOUT_MS = 60_000;

/**
 * A KubeMQ broker for tests. Chooses, in order:
 * 1. `KUBEMQ_ADDRESS` → an external broker (restart/kill unavailable);
 * 2. `KUBEMQ_BINARY` → a real kubemq-community binary, started as docs/broker-behaviour.md §1.7 says;
 * 3. `KUBEMQ_TESTCONTAINERS=1` (or `true`) → a kubemq/kubemq-community container; without a Docker
 *    engine (or the testcontainers package) it throws {@link ContainerUnavailableError}, unless
 *    `KUBEMQ_TESTCONTAINERS=prefer`, which then warns and uses the emulator;
 * 4. else `@kubemq/emulator` in a child process with a data directory.
 *
 * Options a broker cannot provide show as `false` in `capabilities`; they never fail the start.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { startKubemq } from '@kubemq/testing';
 *
 * await using broker = await startKubemq();
 * await using client = await KubemqClient.connect({ address: broker.address });
 * ```
 */
export async function startKubemq(options: StartKubemqOptions = {}): Promise<KubemqBroker> {
  validateOptions(options);
  const timeout = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  switch (expectedKind()) {
    case 'external':
      return useExternal(process.env['KUBEMQ_ADDRESS'] as string, timeout);
    case 'binary':
      return startBinary(process.env['KUBEMQ_BINARY'] as string, options, timeout);
    case 'container':
      try {
        return await startContainer(options, timeout);
      } catch (err) {
        if (!(err instanceof ContainerUnavailableError)) throw err;
        const asked = `KUBEMQ_TESTCONTAINERS=${String(process.env['KUBEMQ_TESTCONTAINERS'])}`;
        if (containerRequest() !== 'preferred') {
          throw new ContainerUnavailableError(`${asked} asks for a container, but ${err.message}. Set KUBEMQ_TESTCONTAINERS=prefer to fall back to the emulator.`, { cause: err });
        }
        console.warn(`@kubemq/testing: ${asked} but ${err.message}; using the emulator instead.`);
        return startEmulator(options, timeout);
      }
    case 'emulator':
      return startEmulator(options, timeout);
  }
}
