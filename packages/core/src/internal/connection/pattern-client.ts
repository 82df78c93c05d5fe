import type { KubemqClient } from '../../client/kubemq-client.js';
import { ValidationError } from '../errors/kubemq-error.js';
import { hasInternals } from './internals-key.js';

/**
 * The pattern client a function works through (a typed channel, a listener, a responder, a
 * consumer): the one given, or a default one made for a KubemqClient. Anything else is a
 * ValidationError naming `client`.
 */
export function patternClientFor<P>(
  client: unknown,
  isPatternClient: (value: unknown) => value is P,
  create: (client: KubemqClient) => P,
  operation: string,
): P {
  if (isPatternClient(client)) return client;
  if (hasInternals(client)) return create(client as KubemqClient);
  throw new ValidationError({ operation, field: 'client', message: 'invalid client: must be a KubemqClient or a client of this pattern' });
}
