import { CAPABILITY_NAMES, type BrokerCapabilities, type BrokerCapability, type BrokerKind, type StartKubemqOptions } from './types.js';

/** Parses KUBEMQ_CAPABILITIES (`auth,queryCache,…`) into a set, rejecting unknown names. */
export function parseDeclaredCapabilities(value: string | undefined): Set<BrokerCapability> {
  const declared = new Set<BrokerCapability>();
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(
        `KUBEMQ_CAPABILITIES: unknown capability '${name}' (known: ${CAPABILITY_NAMES.join(', ')})`,
      );
    }
    declared.add(name as BrokerCapability);
  }
  return declared;
}

/**
 * What a broker of `kind`, started with `options`, can do.
 * - external: restart/kill never; the rest only as declared by KUBEMQ_CAPABILITIES, and auth, tls and
 *   client certificates never for options that bring a token or certificates of the test's own.
 * - a container restarts with its store kept only (cleanRestart false).
 * - binary/container (the open-source server): no auth, no query cache, no channel management,
 *   no client-certificate verification (broker-behaviour.md §0); TLS when asked.
 * - emulator: whatever was asked.
 */
export function capabilitiesFor(
  kind: BrokerKind,
  options: StartKubemqOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): BrokerCapabilities {
  switch (kind) {
    case 'external': {
      const declared = parseDeclaredCapabilities(env['KUBEMQ_CAPABILITIES']);
      // A test's own token or certificates are not the external broker's: what it would check with them is not there.
      const ownCredentials = options.auth !== undefined || options.tls !== undefined;
      return {
        restart: false,
        kill: false,
        cleanRestart: false,
        auth: declared.has('auth') && !ownCredentials,
        queryCache: declared.has('queryCache'),
        channelManagement: declared.has('channelManagement'),
        tls: declared.has('tls') && !ownCredentials,
        clientCertificates: declared.has('clientCertificates') && !ownCredentials,
      };
    }
    case 'binary':
    case 'container':
      return {
        restart: true,
        kill: true,
        cleanRestart: kind === 'binary',
        auth: false,
        queryCache: false,
        channelManagement: false,
        tls: options.tls !== undefined,
        clientCertificates: false,
      };
    case 'emulator':
      return {
        restart: true,
        kill: true,
        cleanRestart: true,
        auth: options.auth !== undefined,
        queryCache: options.queryCache === true,
        channelManagement: options.channelManagement === true,
        tls: options.tls !== undefined,
        clientCertificates: options.tls !== undefined && options.tls.requireClientCert === true,
      };
  }
}

/**
 * What KUBEMQ_TESTCONTAINERS asks for: `1` or `true` a container (without Docker startKubemq
 * fails), `prefer` a container when Docker answers and the emulator otherwise, unset, empty, `0`
 * or `false` none. Any other value throws a TypeError rather than silently meaning none.
 */
export function containerRequest(env: NodeJS.ProcessEnv = process.env): 'required' | 'preferred' | undefined {
  const raw = env['KUBEMQ_TESTCONTAINERS'];
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === '0' || value === 'false') return undefined;
  if (value === '1' || value === 'true') return 'required';
  if (value === 'prefer') return 'preferred';
  throw new TypeError(
    `KUBEMQ_TESTCONTAINERS must be 1 or true (a container; fail without Docker), prefer (a container when Docker answers, else the emulator) or 0; got '${String(raw)}'`,
  );
}

/** The kind startKubemq() will choose from the environment (with KUBEMQ_TESTCONTAINERS=prefer a container may still fall back to the emulator). */
export function expectedKind(env: NodeJS.ProcessEnv = process.env): BrokerKind {
  if (nonEmpty(env['KUBEMQ_ADDRESS'])) return 'external';
  if (nonEmpty(env['KUBEMQ_BINARY'])) return 'binary';
  if (containerRequest(env) !== undefined) return 'container';
  return 'emulator';
}

/**
 * What startKubemq(options) will be able to give in this environment, decided without starting
 * anything (for itWhen in suites that start their own broker). A container that falls back to the
 * emulator only gains capabilities, so the container's answer is the safe one.
 */
export function expectedCapabilities(
  options: StartKubemqOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): BrokerCapabilities {
  return capabilitiesFor(expectedKind(env), options, env);
}

/** Why a broker of `kind` lacks `capability`, for skip messages. */
export function missingCapabilityReason(capability: BrokerCapability, kind: BrokerKind): string {
  if (kind === 'external') {
    return capability === 'restart' || capability === 'kill' || capability === 'cleanRestart'
      ? `an external broker (KUBEMQ_ADDRESS) cannot be ${capability === 'kill' ? 'killed' : 'restarted'} by tests`
      : `the external broker does not declare '${capability}' in KUBEMQ_CAPABILITIES`;
  }
  const openSource: Partial<Record<BrokerCapability, string>> = {
    auth: 'the open-source KubeMQ server does not enforce token auth (broker-behaviour.md §0.2)',
    queryCache: 'the open-source KubeMQ server has no query cache (broker-behaviour.md §0.5)',
    channelManagement: 'the open-source KubeMQ server has no kubemq.cluster.internal.requests responder (broker-behaviour.md §0.4)',
    clientCertificates: 'the open-source KubeMQ server does not verify client certificates (broker-behaviour.md §0.3)',
  };
  if ((kind === 'binary' || kind === 'container') && openSource[capability]) return openSource[capability];
  if (kind === 'container' && capability === 'cleanRestart') return 'a container broker restarts with its store kept';
  return `the ${kind} broker was not started with '${capability}'`;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
