import { fail } from './fail.js';
import { requireToken } from './text-rules.js';

const STRICT_CLIENT_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * A client id: non-empty, no whitespace or control characters. `strict` adds the rule of the
 * events store, whose durable subscriptions are keyed by client id: `^[a-zA-Z0-9_-]+$`.
 */
export function validateClientId(value: unknown, opts: { field?: string; strict?: boolean } = {}): string {
  const field = opts.field ?? 'clientId';
  const id = requireToken(value, field);
  if (opts.strict && !STRICT_CLIENT_ID.test(id)) {
    fail(field, 'may only contain letters, digits, - and _ (required by the events store)');
  }
  return id;
}
