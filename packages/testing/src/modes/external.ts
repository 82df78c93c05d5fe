import { capabilitiesFor } from '../capabilities.js';
import { BrokerStartError } from '../internal/child-broker.js';
import { ping, tcpConnect } from '../internal/ping.js';
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

/** How long the one check of an external broker may take (it is running already, or not at all). */
const EXTERNAL_CHECK_MS = 5000;

/**
 * A broker someone else runs, checked once so a wrong address fails at once: one Ping (a TCP
 * connect when it declares TLS: its certificates are not ours to know) with a deadline of 5 s
 * (or `timeoutMs` if shorter). Nothing listening fails at once, nothing answering at the deadline;
 * any gRPC answer, even a refusal, is a live broker.
 */
export async function useExternal(address: string, timeoutMs: number): Promise<KubemqBroker> {
  parseAddress(address);
  const capabilities = capabilitiesFor('external');
  const target = address.trim();
  const deadline = Math.min(timeoutMs, EXTERNAL_CHECK_MS);
  try {
    if (capabilities.tls) await tcpConnect(target, deadline);
    else await ping({ address: target }, { timeoutMs: deadline });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (capabilities.tls || code === 14 || code === 4) {
      throw new BrokerStartError(`KUBEMQ_ADDRESS=${address}: no broker answers there (${(err as Error).message})`, '', false);
    }
  }
  return new ExternalBroker(target, capabilities);
}
