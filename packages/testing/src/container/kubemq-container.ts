// Loaded only on demand (KUBEMQ_TESTCONTAINERS=1 or a direct import of @kubemq/testing/container):
// testcontainers is an optional peer dependency.
import { AbstractStartedContainer, GenericContainer, getContainerPort, type StartedTestContainer, Wait } from 'testcontainers';
import { waitForPing } from '../internal/ping.js';
import type { BrokerTlsOptions } from '../types.js';

// The TLS settings withTls() takes (also exported by `@kubemq/testing`).
export type { BrokerTlsOptions } from '../types.js';

/** The image studied by docs/broker-behaviour.md (kubemq-community v2.4.0). Override with KUBEMQ_IMAGE. */
export const KUBEMQ_IMAGE = 'kubemq/kubemq-community:v2.4.0';
/** gRPC port inside the image. */
export const KUBEMQ_GRPC_PORT = 50000;

/**
 * A kubemq-community container for testcontainers. Readiness is a gRPC Ping on the mapped port
 * (GET /ready on 8080 answers before gRPC listens: broker-behaviour.md §1.6).
 *
 * @example
 * const started = await new KubemqContainer().start();
 * const address = started.getGrpcAddress();
 */
export class KubemqContainer extends GenericContainer {
  private tls = false;
  private readinessTimeoutMs = 60_000;

  constructor(image: string = process.env['KUBEMQ_IMAGE'] ?? KUBEMQ_IMAGE) {
    super(image);
    this.withExposedPorts(KUBEMQ_GRPC_PORT)
      .withEnvironment({
        LOG_LEVEL: 'warn',
        HOST: 'kubemq-test',
        // The usage report (broker-behaviour.md §1.5) fails fast instead of leaving the test network.
        HTTPS_PROXY: 'http://127.0.0.1:9',
        HTTP_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '',
      })
      .withWaitStrategy(Wait.forListeningPorts());
  }

  /** Binds the gRPC port to a fixed host port, so a restart keeps the address. */
  withGrpcHostPort(hostPort: number): this {
    // Replace the random mapping, or Docker would bind the port twice and getMappedPort could pick either.
    this.exposedPorts = this.exposedPorts.filter((p) => getContainerPort(p) !== KUBEMQ_GRPC_PORT);
    return this.withExposedPorts({ container: KUBEMQ_GRPC_PORT, host: hostPort });
  }

  /** TLS through SECURITY_*_DATA (broker-behaviour.md §1.2); client certificates are never verified (§0.3). */
  withTls(tls: BrokerTlsOptions): this {
    this.tls = true;
    return this.withEnvironment({
      SECURITY_CERT_DATA: tls.certPem,
      SECURITY_KEY_DATA: tls.keyPem,
      ...(tls.caPem !== undefined ? { SECURITY_CA_DATA: tls.caPem } : {}),
    });
  }

  /** How long `start()` waits for the broker to answer Ping (default 60 000 ms). */
  withPingTimeout(ms: number): this {
    this.readinessTimeoutMs = ms;
    return this;
  }

  /** Starts the container and resolves once the broker answers Ping on the mapped port. */
  override async start(): Promise<StartedKubemqContainer> {
    const started = await super.start();
    const container = new StartedKubemqContainer(started, this.tls, this.readinessTimeoutMs);
    await container.waitForPing();
    return container;
  }
}

/** A started KubemqContainer: the gRPC address, and restart/stop that keep it. */
export class StartedKubemqContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    private readonly tls: boolean,
    private readonly readinessTimeoutMs: number,
  ) {
    super(started);
  }

  /** `host:port` of the broker's gRPC port, as mapped on the Docker host. */
  getGrpcAddress(): string {
    return `${this.getHost()}:${String(this.getMappedPort(KUBEMQ_GRPC_PORT))}`;
  }

  /** Restarts (graceful stop first) and resolves when Ping answers again. */
  override async restart(options?: { timeout?: number }): Promise<void> {
    await super.restart(options);
    await this.waitForPing();
  }

  /**
   * Resolves once the broker answers Ping (over TLS when `withTls()` was used, without verifying
   * the certificate: a liveness check); rejects after the ping timeout.
   */
  async waitForPing(): Promise<void> {
    await waitForPing({ address: this.getGrpcAddress(), tls: this.tls }, { timeoutMs: this.readinessTimeoutMs });
  }
}
