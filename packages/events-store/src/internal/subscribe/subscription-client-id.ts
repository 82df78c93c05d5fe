import { randomBytes } from 'node:crypto';

const MAX_PREFIX = 48;

/**
 * A ClientID of its own for one events-store subscription attempt: `<clientId-sanitised>-<random>`,
 * matching the broker's `^[a-zA-Z0-9_-]+$`.
 *
 * The broker keys events-store subscriptions as durables by ClientID (docs/broker-behaviour.md §2.2): a second
 * live subscription with the same ClientID fails (`stan: clientID already registered`), and
 * re-subscribing with a known one resumes where it left off, ignoring the start position. A fresh
 * id per attempt gives every subscribe (and every re-open after a break) the start position it asks for.
 */
export function subscriptionClientId(clientId: string): string {
  const prefix = clientId.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX_PREFIX) || 'kubemq';
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}
