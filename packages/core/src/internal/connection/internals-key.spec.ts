import { ValidationError } from '../errors/kubemq-error.js';
import { PACKAGE } from '../../version.js';
import type { ClientInternals } from './client-internals.js';
import { attachInternals, clientInternals, hasInternals } from './internals-key.js';

const internals = { clientId: 'c' } as unknown as ClientInternals;

function madeBy(version: string | undefined): object {
  const client = {};
  Object.defineProperty(client, Symbol.for('@kubemq/core/internals'), { value: internals });
  if (version !== undefined) Object.defineProperty(client, Symbol.for('@kubemq/core/version'), { value: version });
  return client;
}

describe('clientInternals', () => {
  it("hands a pattern the internals of a client made by core at the pattern's version", () => {
    const client = {};
    attachInternals(client, internals);
    expect(hasInternals(client)).toBe(true);
    expect(clientInternals(client, 'events', { name: '@kubemq/events', version: PACKAGE.version })).toBe(internals);
    expect(Object.keys(client)).toEqual([]); // never in logs or JSON
  });

  it('refuses a client from another version of core, naming both packages and versions', () => {
    const user = { name: '@kubemq/queues', version: '1.4.0' };
    expect(() => clientInternals(madeBy('1.3.2'), 'queues', user)).toThrow(
      new ValidationError({
        message: 'invalid client: @kubemq/queues 1.4.0 works with @kubemq/core 1.4.0, but this client comes from @kubemq/core 1.3.2; install the same version of every @kubemq package',
        operation: 'queues',
        field: 'client',
      }),
    );
    expect(() => clientInternals(madeBy(undefined), 'queues', user)).toThrow(/comes from an older @kubemq\/core;/);
    // core's own callers do not ask
    expect(clientInternals(madeBy('1.3.2'), 'channels')).toBe(internals);
  });

  it('refuses what is not a client', () => {
    for (const value of [{}, { internals }]) {
      expect(() => clientInternals(value, 'events')).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'client', operation: 'events' }));
    }
  });
});
