import { ValidationError } from '../errors/kubemq-error.js';
import { PACKAGE } from '../../version.js';
import type { ClientInternals } from './client-internals.js';

/** Global symbols: a client made by one copy of core is usable by patterns bound to another. */
const INTERNALS = /* @__PURE__ */ Symbol.for('@kubemq/core/internals');
const CORE_VERSION = /* @__PURE__ */ Symbol.for('@kubemq/core/version');

/** A pattern package, as it was built: the internals it uses are those of core at the same version. */
export interface PackageId {
  readonly name: string;
  readonly version: string;
}

/** Binds the internals to their client (non-enumerable, so they never show in logs or JSON). */
export function attachInternals(client: object, internals: ClientInternals): void {
  Object.defineProperty(client, INTERNALS, { value: internals });
  Object.defineProperty(client, CORE_VERSION, { value: PACKAGE.version });
}

/** Whether `value` is a KubemqClient, from any copy of core. */
export function hasInternals(value: unknown): boolean {
  return typeof value === 'object' && value !== null && INTERNALS in value;
}

/**
 * The internals of a client, per instance (no module globals); `operation` names the call a wrong
 * client fails. `user`: the pattern package asking. The internals are private to one version of
 * core, so a client from another version (a package manager that let the exact peer range slip)
 * is refused here, by name, rather than failing later on a method that moved.
 */
export function clientInternals(client: object, operation = 'clientInternals', user?: PackageId): ClientInternals {
  const internals = hasInternals(client) ? (client as Record<symbol, ClientInternals>)[INTERNALS] : undefined;
  if (!internals) {
    throw new ValidationError({ message: 'invalid client: expected a KubemqClient from KubemqClient.connect()', operation, field: 'client' });
  }
  const coreVersion = (client as Record<symbol, string | undefined>)[CORE_VERSION];
  if (user !== undefined && coreVersion !== user.version) {
    throw new ValidationError({
      message:
        `invalid client: ${user.name} ${user.version} works with @kubemq/core ${user.version}, but this client comes from ` +
        `${coreVersion === undefined ? 'an older @kubemq/core' : `@kubemq/core ${coreVersion}`}; install the same version of every @kubemq package`,
      operation,
      field: 'client',
    });
  }
  return internals;
}
