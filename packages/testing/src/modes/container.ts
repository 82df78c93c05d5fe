import { capabilitiesFor } from '../capabilities.js';
import { findFreePort } from '../internal/ports.js';
import type { BrokerCapabilities, KubemqBroker, RestartOptions, StartKubemqOptions } from '../types.js';

import type * as ContainerModuleNs from '../container/kubemq-container.js';
import type * as Testcontainers from 'testcontainers';

type ContainerModule = typeof ContainerModuleNs;
type StartedKubemqContainer = ContainerModuleNs.StartedKubemqContainer;

/**
 * Thrown by startKubemq when KUBEMQ_TESTCONTAINERS asks for a container and none can run here (no
 * Docker engine answers, or the optional `testcontainers` package is missing). With
 * KUBEMQ_TESTCONTAINERS=prefer startKubemq prints why and uses the emulator instead.
 */
export class ContainerUnavailableError extends Error {
  /** Always `'ContainerUnavailableError'`. */
  override readonly name = 'ContainerUnavailableError';
}

/** Loads testcontainers and checks that a Docker engine answers. */
async function loadContainerSupport(): Promise<ContainerModule> {
  let testcontainers: typeof Testcontainers;
  try {
    testcontainers = await import('testcontainers');
  } catch (err) {
    throw new ContainerUnavailableError(
      `the optional peer dependency 'testcontainers' is not installed (${(err as Error).message})`,
    );
  }
  try {
    await testcontainers.getContainerRuntimeClient();
  } catch (err) {
    throw new ContainerUnavailableError(`no Docker engine answers (${(err as Error).message.split('\n')[0] ?? ''})`);
  }
  return import('../container/kubemq-container.js');
}

class ContainerBroker implements KubemqBroker {
  readonly kind = 'container' as const;
  private disposed = false;

  constructor(
    private readonly started: StartedKubemqContainer,
    readonly capabilities: BrokerCapabilities,
  ) {}

  get address(): string {
    return this.started.getGrpcAddress();
  }

  async stop(): Promise<void> {
    await this.started.stop({ remove: false, timeout: 20_000 });
  }

  /** `docker stop -t 0`: SIGTERM then SIGKILL at once. */
  async kill(): Promise<void> {
    await this.started.stop({ remove: false, timeout: 0 });
  }

  async restart(options: RestartOptions = {}): Promise<void> {
    if (this.disposed) throw new Error('the container broker was disposed; start a new one');
    if (options.cleanStore === true) throw new Error('restart({ cleanStore: true }) is unavailable for a container broker (its store lives in the container); gate the test on capabilities.cleanRestart');
    await this.started.restart({ timeout: 20_000 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.started.stop({ remove: true, timeout: 20_000 });
  }
}

/** A kubemq/kubemq-community container; throws ContainerUnavailableError when Docker is missing. */
export async function startContainer(options: StartKubemqOptions, startTimeoutMs: number): Promise<KubemqBroker> {
  const { KubemqContainer } = await loadContainerSupport();
  const container = new KubemqContainer()
    .withGrpcHostPort(await findFreePort())
    .withPingTimeout(startTimeoutMs)
    .withStartupTimeout(startTimeoutMs);
  if (options.env) container.withEnvironment(options.env);
  if (options.tls) container.withTls(options.tls);
  return new ContainerBroker(await container.start(), capabilitiesFor('container', options));
}
