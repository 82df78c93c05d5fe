import Module from 'node:module';
import type { KubemqBroker, BrokerInfo } from '../types.js';

// jest loads globalSetup with Node's own resolver (moduleNameMapper does not apply), so when it
// runs from the .ts sources (this monorepo's preset), `./x.js` imports must find `./x.ts`. The
// modules are therefore loaded dynamically, after installing that mapping for .ts parents only.
// From the built dist nothing changes.
const HOOK = Symbol.for('@kubemq/testing/jest/ts-source-resolution');

type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;

export function resolveTsSources(): void {
  if (typeof __filename !== 'string' || !__filename.endsWith('.ts')) return;
  const holder = globalThis as { [HOOK]?: boolean };
  if (holder[HOOK]) return;
  holder[HOOK] = true;
  const mod = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (this: unknown, request, parent, ...rest) {
    try {
      return original.call(this, request, parent, ...rest);
    } catch (err) {
      const fromTs = typeof parent?.filename === 'string' && parent.filename.endsWith('.ts');
      if (!fromTs || !request.startsWith('.') || !request.endsWith('.js')) throw err;
      return original.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest);
    }
  };
}

/** Where globalTeardown finds the broker (same process as globalSetup). */
export const GLOBAL_BROKER_KEY = Symbol.for('@kubemq/testing/jest/shared-broker');

/**
 * jest globalSetup: starts ONE broker with default options for the whole run and hands
 * `{ address, kind, capabilities }` to test files through KUBEMQ_TESTING_SHARED_BROKER
 * (not KUBEMQ_ADDRESS, so a test calling startKubemq() itself still gets its own broker).
 */
export default async function globalSetup(): Promise<void> {
  const holder = globalThis as { [GLOBAL_BROKER_KEY]?: KubemqBroker };
  if (holder[GLOBAL_BROKER_KEY] !== undefined) return; // several projects in one run share it
  resolveTsSources();
  const { startKubemq } = await import('../start-kubemq.js');
  const { SHARED_BROKER_ENV } = await import('./shared-broker.js');
  const broker = await startKubemq();
  holder[GLOBAL_BROKER_KEY] = broker;
  const info: BrokerInfo = { address: broker.address, kind: broker.kind, capabilities: broker.capabilities };
  process.env[SHARED_BROKER_ENV] = JSON.stringify(info);
  process.stdout.write(`\n@kubemq/testing: shared ${broker.kind} broker at ${broker.address}\n`);
}
