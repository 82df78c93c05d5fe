import { readFileSync } from 'node:fs';
import { fail } from '../internal/validation/fail.js';
import type { ClientOptions, TlsOptions } from './options.js';

/** The environment variables {@link clientOptionsFromEnv} reads, and the option each one sets. */
const VARIABLES = {
  address: 'KUBEMQ_ADDRESS',
  clientId: 'KUBEMQ_CLIENT_ID',
  authToken: 'KUBEMQ_AUTH_TOKEN',
} as const;
const TLS_FILES = { ca: 'KUBEMQ_TLS_CA_FILE', cert: 'KUBEMQ_TLS_CERT_FILE', key: 'KUBEMQ_TLS_KEY_FILE' } as const;
const TLS_SERVER_NAME = 'KUBEMQ_TLS_SERVER_NAME';

/**
 * The client options the environment sets, for the twelve-factor deployments that configure
 * through it: `KUBEMQ_ADDRESS`, `KUBEMQ_CLIENT_ID`, `KUBEMQ_AUTH_TOKEN`, and TLS from
 * `KUBEMQ_TLS_CA_FILE`, `KUBEMQ_TLS_CERT_FILE`, `KUBEMQ_TLS_KEY_FILE` and `KUBEMQ_TLS_SERVER_NAME`
 * (any of them turns TLS on; the files are read now). An empty variable counts as unset. Spread
 * the result under your own options, which then win. The client reads no variable by itself: a
 * function, so an app configured in code bundles none of this.
 *
 * @throws ValidationError naming the variable whose file cannot be read.
 *
 * @example
 * ```ts
 * import { clientOptionsFromEnv, KubemqClient } from '@kubemq/core';
 *
 * // KUBEMQ_ADDRESS=broker.internal:50000 KUBEMQ_TLS_CA_FILE=/etc/kubemq/ca.pem node app.js
 * await using client = await KubemqClient.connect({ ...clientOptionsFromEnv(), clientId: 'orders' });
 * ```
 */
export function clientOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ClientOptions {
  const value = (name: string) => (env[name] === '' ? undefined : env[name]);
  const options: ClientOptions = {};
  for (const [option, name] of Object.entries(VARIABLES) as [keyof typeof VARIABLES, string][]) {
    const set = value(name);
    if (set !== undefined) options[option] = set;
  }
  const tls: TlsOptions = {};
  for (const [item, name] of Object.entries(TLS_FILES) as [keyof typeof TLS_FILES, string][]) {
    const path = value(name);
    if (path === undefined) continue;
    try {
      tls[item] = readFileSync(path);
    } catch (err) {
      fail(name, `cannot read ${path}: ${(err as Error).message}`);
    }
  }
  const serverName = value(TLS_SERVER_NAME);
  if (serverName !== undefined) tls.serverName = serverName;
  if (Object.keys(tls).length > 0) options.tls = tls;
  return options;
}
