import { ValidationError } from '@kubemq/core';
import {
  checked,
  Subscribe_EventsStoreType,
  Subscribe_SubscribeType,
  validateChannel,
  validateGroup,
  validatePositiveInt,
  type Subscribe,
} from '@kubemq/core/internal';
import type { EventsSubscription } from '../types.js';

/** A validated events subscription. */
export interface EventsSubscribePlan {
  request: Subscribe;
  bufferSize: number | undefined;
}

/**
 * Validates subscription options and builds the `Subscribe` request. Wildcards are allowed here
 * (and only here); a group is a plain token.
 */
export function buildEventsSubscribe(options: EventsSubscription, clientId: string, operation = 'events.subscribe'): EventsSubscribePlan {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({ message: 'invalid subscription: must be an object', operation, field: 'options' });
  }
  return checked(operation, options.channel, () => {
    const channel = validateChannel(options.channel, { pattern: 'events', allowWildcards: true });
    const group = validateGroup(options.group, { pattern: 'events', channel });
    const bufferSize =
      options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize');
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
    };
  });
}
