import { checked, type Subscribe, validateChannel, validateGroup, validatePositiveInt } from '@kubemq/core/internal';
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
  const { channel, group, bufferSize } = checked(operation, options.channel, () => {
    const name = validateChannel(options.channel, { field: 'channel', pattern: kind.name, allowWildcards: true });
    return {
      channel: name,
      group: validateGroup(options.group, { field: 'group', pattern: kind.name, channel: name }) || undefined,
      bufferSize: options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize', { min: 1, integer: true }),
    };
  });
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
