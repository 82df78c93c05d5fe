import {
  checked,
  closedOptions,
  Subscribe_EventsStoreType,
  Subscribe_SubscribeType,
  validateChannel,
  validateGroup,
  validatePositiveInt,
  validateSignal,
  type Subscribe,
} from '@kubemq/core/internal';
import type { EventsSubscription } from '../types.js';

/** A validated events subscription. */
export interface EventsSubscribePlan {
  request: Subscribe;
  bufferSize: number | undefined;
  signal: AbortSignal | undefined;
}

const SUBSCRIPTION_KEYS: readonly (keyof EventsSubscription)[] = ['channel', 'group', 'bufferSize', 'signal'];
/** What `eventListener()` takes: a subscription, and how its handler runs. */
export const LISTEN_KEYS: readonly string[] = ['channel', 'group', 'bufferSize', 'concurrency', 'signal', 'onError'];
// kubemq-js's subscription request took a clientId; here every subscription is its client's.
const SUBSCRIPTION_RENAMED = { clientId: "KubemqClient.connect({ clientId }): a subscription is its client's" };

/**
 * Validates subscription options and builds the `Subscribe` request. Wildcards are allowed here
 * (and only here); a group is a plain token. A key that is not one of `keys` is refused, not ignored.
 */
export function buildEventsSubscribe(
  options: EventsSubscription,
  clientId: string,
  operation = 'events.subscribe',
  keys: readonly string[] = SUBSCRIPTION_KEYS,
): EventsSubscribePlan {
  return checked(operation, options?.channel, () => {
    closedOptions(options, operation, keys, SUBSCRIPTION_RENAMED, { required: true });
    const channel = validateChannel(options.channel, { pattern: 'events', allowWildcards: true });
    const group = validateGroup(options.group, { pattern: 'events', channel });
    const bufferSize =
      options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize');
    const signal = validateSignal(options.signal);
    return {
      request: {
        SubscribeTypeData: Subscribe_SubscribeType.Events,
        ClientID: clientId,
        Channel: channel,
        Group: group,
        EventsStoreTypeData: Subscribe_EventsStoreType.EventsStoreTypeUndefined,
        EventsStoreTypeValue: 0n,
      },
      bufferSize,
      signal,
    };
  });
}
