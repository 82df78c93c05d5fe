import { type Subscribe, validateChannel, validateGroup, validatePositiveInt, withOperation } from '@kubemq/core/internal';
import type { CommandsSubscription } from '../types/command.js';
import type { QueriesSubscription } from '../types/query.js';
import type { RequestKind } from '../kind.js';
import { requireObject } from './invalid.js';

export interface BuiltSubscribe {
  wire: Subscribe;
  channel: string;
  group: string | undefined;
  /** How many requests a `for await` loop may fall behind; undefined: core's default. */
  bufferSize: number | undefined;
}

/** Validates a responder subscription (wildcards allowed, docs/broker-behaviour.md §2.3) and builds it. */
export function buildSubscribe(kind: RequestKind, options: CommandsSubscription | QueriesSubscription, clientId: string, operation: string): BuiltSubscribe {
  requireObject(options, 'options', operation);
  let channel: string;
  let group: string | undefined;
  let bufferSize: number | undefined;
  try {
    channel = validateChannel(options.channel, { field: 'channel', pattern: kind.name, allowWildcards: true });
    group = validateGroup(options.group, { field: 'group', pattern: kind.name, channel }) || undefined;
    bufferSize = options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize', { min: 1, integer: true });
  } catch (err) {
    throw withOperation(err, operation, options.channel);
  }
  const wire: Subscribe = {
    SubscribeTypeData: kind.subscribeType as Subscribe['SubscribeTypeData'],
    ClientID: clientId,
    Channel: channel,
    Group: group ?? '',
    EventsStoreTypeData: 0,
    EventsStoreTypeValue: 0n,
  };
  return { wire, channel, group, bufferSize };
}
