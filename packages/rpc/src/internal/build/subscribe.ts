import { checked, closedOptions, type Subscribe, validateChannel, validateGroup, validatePositiveInt, validateSignal } from '@kubemq/core/internal';
import type { CommandsSubscription } from '../types/command.js';
import type { QueriesSubscription } from '../types/query.js';
import type { RequestKind } from '../kind.js';

const SUBSCRIPTION_KEYS: readonly (keyof CommandsSubscription)[] = ['channel', 'group', 'bufferSize', 'signal'];
/** What `commandResponder()` and `queryResponder()` take: the channel and group, and how the handler runs. */
export const HANDLE_KEYS: readonly string[] = ['channel', 'group', 'concurrency', 'signal', 'onError'];
// kubemq-js's subscription request took a clientId; here every subscription is its client's.
export const SUBSCRIPTION_RENAMED = { clientId: "KubemqClient.connect({ clientId }): a subscription is its client's" };

export interface BuiltSubscribe {
  wire: Subscribe;
  channel: string;
  group: string | undefined;
  /** How many requests a `for await` loop may fall behind; undefined: core's default. */
  bufferSize: number | undefined;
  /** Ends the subscription when it aborts. */
  signal: AbortSignal | undefined;
}

/** Validates a responder subscription (wildcards allowed, docs/broker-behaviour.md §2.3) and builds it. */
export function buildSubscribe(kind: RequestKind, options: CommandsSubscription | QueriesSubscription, clientId: string, operation: string): BuiltSubscribe {
  const { channel, group, bufferSize, signal } = checked(operation, options?.channel, () => {
    closedOptions(options, operation, SUBSCRIPTION_KEYS, SUBSCRIPTION_RENAMED, { required: true });
    const name = validateChannel(options.channel, { field: 'channel', pattern: kind.name, allowWildcards: true });
    return {
      channel: name,
      group: validateGroup(options.group, { field: 'group', pattern: kind.name, channel: name }) || undefined,
      bufferSize: options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize', { min: 1, integer: true }),
      signal: validateSignal(options.signal),
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
  return { wire, channel, group, bufferSize, signal };
}
