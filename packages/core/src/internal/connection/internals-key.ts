import { ValidationError } from '../errors/kubemq-error.js';
import type { ClientInternals } from './client-internals.js';

/** Global symbol: a client made by one copy of core is usable by patterns bound to another. */
const INTERNALS = /* @__PURE__ */ Symbol.for('@kubemq/core/internals');

/** Binds the internals to their client (non-enumerable, so they never show in logs or JSON). */
export function attachInternals(client: object, internals: ClientInternals): void {
  Object.defineProperty(client, INTERNALS, { value: internals });
}

/** Whether `value` is a KubemqClient, from any copy of core. */
export function hasInternals(value: unknown): boolean {
  return typeof value === 'object' && value !== null && INTERNALS in value;
}

/** The internals of a client, per instance (no module globals); `operation` names the call a wrong client fails. */
export function clientInternals(client: object, operation = 'clientInternals'): ClientInternals {
  const internals = hasInternals(client) ? (client as Record<symbol, ClientInternals>)[INTERNALS] : undefined;
  if (!internals) {
    throw new ValidationError({ message: 'invalid client: expected a KubemqClient from KubemqClient.connect()', operation, field: 'client' });
  }
  return internals;
}
