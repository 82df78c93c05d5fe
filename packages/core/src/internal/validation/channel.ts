import { fail } from './fail.js';
import { requireToken } from './text-rules.js';

/** The broker's channel kinds; each has its own name rules. */
export type ChannelPattern = 'events' | 'events_store' | 'commands' | 'queries' | 'queues';

/** How {@link validateChannel} checks a name. */
export interface ChannelRules {
  /** The caller's name for the field in errors. Default `channel`. */
  field?: string;
  pattern: ChannelPattern;
  /** A subscription to events, commands or queries: `*` and `>` allowed, empty tokens not. */
  allowWildcards?: boolean;
  /**
   * The subscription has a group. In the events store the durable name `<channel>-<group>:<group>`
   * then cannot hold another ':' (the broker's `stan: durable name …` error).
   */
  withGroup?: boolean;
  /**
   * The name of a channel that may exist already, to be deleted: a name the broker stores but
   * cannot deliver from (a queue with ':') is no reason to refuse it there.
   */
  existing?: boolean;
  /** A channel sent to (an event, a queue message, a requeue): some server revisions route those by name. */
  sending?: boolean;
}

/**
 * The events store and queues are NATS Streaming channels, stored as a directory named
 * `_EVENTS_STORE_.<ch>` / `_QUEUES_.<q>`, so the 255-byte filename limit bounds the name
 * (docs/broker-behaviour.md §3).
 */
const MAX_BYTES: Partial<Record<ChannelPattern, number>> = { events_store: 240, queues: 246 };

/**
 * Events, commands and queries travel as NATS subjects over the broker's own NATS connection,
 * whose protocol lines (`PUB <subject> …`, `SUB <subject> <group> …`) NATS limits to 4096 bytes:
 * a longer one closes that connection, which every client of the broker shares. This leaves room
 * for the broker's subject prefix, a reply inbox and the counts.
 */
export const SUBJECT_MAX_BYTES = 3840;

/**
 * Checks a channel name against the broker's rules (docs/broker-behaviour.md §3) plus the ones that keep the
 * server safe (no whitespace or control characters at all). Returns the name; throws a
 * ValidationError naming the field otherwise.
 */
export function validateChannel(value: unknown, rules: ChannelRules): string {
  const passed = passedNames(rules);
  if (typeof value === 'string' && passed.has(value)) return value;
  const channel = checkChannel(value, rules);
  if (passed.size >= PASSED_LIMIT) passed.clear();
  passed.add(channel);
  return channel;
}

/**
 * Names that passed, per rule set. The checks depend only on the name and the rules, and an app
 * sends to a handful of channels, so a repeated name skips the regular expressions and the byte
 * count (about 1–3 µs a message on every send path). The field name matters only in errors, which
 * a passed name never raises. Bounded: an app that names a new channel per call just refills it.
 */
const passedByRules: Record<ChannelPattern, Set<string>[]> = { events: [], events_store: [], commands: [], queries: [], queues: [] };
const PASSED_LIMIT = 256;

function passedNames(rules: ChannelRules): Set<string> {
  const variant = (rules.allowWildcards ? 1 : 0) | (rules.withGroup ? 2 : 0) | (rules.existing ? 4 : 0) | (rules.sending ? 8 : 0);
  return (passedByRules[rules.pattern][variant] ??= new Set());
}

function checkChannel(value: unknown, rules: ChannelRules): string {
  const field = rules.field ?? 'channel';
  const channel = requireToken(value, field);
  if (channel.endsWith('.')) fail(field, "cannot end with '.'", channel);

  const stanBacked = rules.pattern in MAX_BYTES;
  const hasWildcard = /[*>]/.test(channel);
  if (hasWildcard && (!rules.allowWildcards || stanBacked)) {
    fail(field, `wildcards ('*', '>') are not allowed for ${describePattern(rules)}`, channel);
  }
  const tokens = channel.split('.');
  if (hasWildcard) checkWildcardTokens(tokens, field, channel);

  // A stored channel is a file name; a subscription is a NATS subject, which the broker's NATS
  // client refuses with an empty token. (A send to such a name goes through: only a wildcard
  // subscriber could receive it.)
  if ((stanBacked || rules.allowWildcards) && tokens.includes('')) fail(field, "cannot contain an empty token (a leading '.' or '..')", channel);
  if (stanBacked && channel.includes('/')) fail(field, "cannot contain '/'", channel);
  const max = MAX_BYTES[rules.pattern] ?? SUBJECT_MAX_BYTES;
  const bytes = Buffer.byteLength(channel, 'utf8');
  if (bytes > max) fail(field, `is ${bytes} bytes long; the maximum for ${rules.pattern} is ${max}`, channel);
  if (rules.sending && ROUTED_PATTERNS.includes(rules.pattern)) checkNotARoute(channel, field);
  // A queue's consumers, and a grouped events-store subscription, are stan durable queue groups
  // whose durable name holds the channel, and stan refuses a ':' there: every receive would fail.
  if (channel.includes(':') && !rules.existing) {
    if (rules.pattern === 'queues') fail(field, "cannot contain ':' (the broker cannot deliver from a queue named with one)", channel);
    if (rules.withGroup && rules.pattern === 'events_store') fail(field, "cannot contain ':' in an events-store subscription with a group", channel);
  }
  return channel;
}

/** The kinds whose sends some server revisions route by name (docs/broker-behaviour.md §5.4). */
const ROUTED_PATTERNS: readonly ChannelPattern[] = ['events', 'events_store', 'queues'];
const ROUTE_PREFIX = /^(events|events_store|queues|route):/;

/**
 * Some server revisions split a send's channel on ';' and move one that starts with a kind's
 * prefix to that kind; others take both as part of the name. Such a send cannot mean the same on
 * both, so it is refused rather than sent to a place that depends on the server. Receiving from
 * such a name routes nowhere, so it stays allowed (a queue another client filled can be drained).
 */
function checkNotARoute(channel: string, field: string): void {
  if (channel.includes(';')) fail(field, "cannot contain ';' (some KubeMQ servers split a send's channel on it)", channel);
  const prefix = ROUTE_PREFIX.exec(channel);
  if (prefix) fail(field, `cannot start with '${prefix[0]}' (some KubeMQ servers route a send named so elsewhere)`, channel);
}

/** How {@link validateGroup} checks a group. */
export interface GroupRules {
  /** The caller's name for the field in errors. Default `group`. */
  field?: string;
  pattern: ChannelPattern;
  /** The subscription's channel: for events, commands and queries both go in one NATS line. */
  channel?: string;
}

/**
 * A subscription group: empty or absent means none (returns ''). Otherwise a token like a channel;
 * in the events store the durable name `<channel>-<group>:<group>` cannot hold another ':'.
 */
export function validateGroup(value: unknown, rules: GroupRules): string {
  const field = rules.field ?? 'group';
  if (value === undefined || value === '') return '';
  const group = requireToken(value, field);
  if (rules.pattern === 'events_store' && group.includes(':')) fail(field, "cannot contain ':' in the events store");
  if (!(rules.pattern in MAX_BYTES)) {
    const bytes = Buffer.byteLength(group, 'utf8') + Buffer.byteLength(rules.channel ?? '', 'utf8');
    if (bytes > SUBJECT_MAX_BYTES) fail(field, `and its channel are ${bytes} bytes long together; the maximum for ${rules.pattern} is ${SUBJECT_MAX_BYTES}`);
  }
  return group;
}

/** NATS wildcards are whole tokens: `*` for one token, `>` for the rest (last token only). */
function checkWildcardTokens(tokens: readonly string[], field: string, channel: string): void {
  tokens.forEach((token, i) => {
    if (token === '*' || (token === '>' && i === tokens.length - 1)) return;
    if (token.includes('>')) fail(field, "'>' must be the whole last token (e.g. 'orders.>')", channel);
    if (token.includes('*')) fail(field, "'*' must be a whole token (e.g. 'orders.*.created')", channel);
  });
}

function describePattern(rules: ChannelRules): string {
  return rules.allowWildcards ? `${rules.pattern} channels` : `this operation on ${rules.pattern} channels`;
}
