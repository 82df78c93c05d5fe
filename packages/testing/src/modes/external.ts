import { capabilitiesFor } from '../capabilities.js';
import { waitForPing } from '../internal/ping.js';
import type { BrokerCapabilities, KubemqBroker } from '../types.js';

/** Checks KUBEMQ_ADDRESS's shape: host:port (brackets for IPv6). */
export function parseAddress(value: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port < 65536)) {
    throw new TypeError(`KUBEMQ_ADDRESS must be host:port (got '${value}')`);
  }
  return { host: match[1] as string, port };
}

class ExternalBroker implements KubemqBroker {
  readonly kind = 'external' as const;
  constructor(
    readonly address: string,
    readonly capabilities: BrokerCapabilities,
  ) {}

  /** The broker is not ours to stop: nothing happens. */
  stop(): Promise<void> {
    return Promise.resolve();
  }

  kill(): Promise<void> {
    return Promise.reject(
      new Error(`kill() is unavailable for an external broker (KUBEMQ_ADDRESS=${this.address}); gate the test on capabilities.kill`),
    );
  }

  restart(): Promise<void> {
    return Promise.reject(
      new Error(
        `restart() is unavailable for an external broker (KUBEMQ_ADDRESS=${this.address}); gate the test on capabilities.restart`,
      ),
    );
  }

  /** Nothing to release: the broker is not ours. */
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve();
  }
}

/** A broker someone else runs. Pinged once (unless it declares TLS) so a wrong address fails early. */
export async function useExternal(address: string, timeoutMs: number): Promise<KubemqBroker> {
  parseAddress(address);
  const capabilities = capabilitiesFor('external');
  if (!capabilities.tls) {
    try {
      await waitForPing({ address: address.trim() }, { timeoutMs });
    } catch (err) {
      throw new Error(`KUBEMQ_ADDRESS=${address}: ${(err as Error).message}`);
    }
  }
  return new ExternalBroker(address.trim(), capabilities);
}
