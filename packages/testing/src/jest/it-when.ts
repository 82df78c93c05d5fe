import { missingCapabilityReason } from '../capabilities.js';
import type { BrokerCapabilities, BrokerCapability, BrokerKind } from '../types.js';
import { sharedBroker } from './shared-broker.js';
import { expectedKind } from '../capabilities.js';

// jest's globals, typed here so the package builds without @types/jest.
/** A test body, as jest's `it` takes it. */
export type TestFn = (...args: never[]) => unknown;
interface JestIt {
  (name: string, fn?: TestFn, timeout?: number): void;
  skip(name: string, fn?: TestFn, timeout?: number): void;
}

/** An `it` that runs, or an `it.skip` that prints why. */
export type ConditionalIt = (name: string, fn?: TestFn, timeout?: number) => void;

/** Where the capabilities come from: a broker (or BrokerInfo), or plain capabilities. */
export type CapabilitySource =
  | { readonly capabilities: BrokerCapabilities; readonly kind?: BrokerKind }
  | BrokerCapabilities;

function jestIt(): JestIt {
  return jestGlobal<JestIt>('it', 'itWhen()');
}

/** One of jest's globals (`it`, `beforeAll`, …), or an error naming the helper that needs it. */
export function jestGlobal<T>(name: string, caller: string): T {
  const value = (globalThis as Record<string, unknown>)[name];
  if (typeof value !== 'function') throw new Error(`${caller} must be called inside a jest test file`);
  return value as T;
}

const printed = new Set<string>();

function printSkip(name: string, reason: string): void {
  const line = `skipped: ${name} (${reason})`;
  if (printed.has(line)) return;
  printed.add(line);
  console.log(line);
}

/**
 * `it` when the broker has `capability`, else `it.skip` with a printed reason, decided when the
 * test file loads. The source defaults to the shared broker; suites that start their own broker
 * pass `expectedCapabilities(options)`.
 *
 * @example
 * itWhen('restart', expectedCapabilities())('§5.2 survives a restart', async () => { … });
 */
export function itWhen(capability: BrokerCapability, source?: CapabilitySource): ConditionalIt {
  const { capabilities, kind } = resolveSource(source);
  const it = jestIt();
  if (capabilities[capability]) return (name, fn, timeout) => it(name, fn, timeout);
  const reason = missingCapabilityReason(capability, kind);
  return (name, fn, timeout) => {
    printSkip(name, reason);
    it.skip(name, fn ?? noBody, timeout);
  };
}

/** `it.skip` with a printed reason: for documented facts no broker can show (e.g. the usage report). */
export function itSkipBecause(reason: string): ConditionalIt {
  const it = jestIt();
  return (name, fn, timeout) => {
    printSkip(name, reason);
    it.skip(name, fn ?? noBody, timeout);
  };
}

// jest wants a body even for a skipped test; a documented skip may have none.
const noBody: TestFn = () => undefined;

function resolveSource(source: CapabilitySource | undefined): { capabilities: BrokerCapabilities; kind: BrokerKind } {
  if (source === undefined) {
    const broker = sharedBroker();
    return { capabilities: broker.capabilities, kind: broker.kind };
  }
  if ('capabilities' in source) return { capabilities: source.capabilities, kind: source.kind ?? expectedKind() };
  return { capabilities: source, kind: expectedKind() };
}
