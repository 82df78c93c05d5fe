import { ValidationError } from '@kubemq/core';
import {
  checked,
  requireKnownKeys,
  Subscribe_SubscribeType,
  validateChannel,
  validateGroup,
  validatePositiveInt,
  type Subscribe,
} from '@kubemq/core/internal';
import { StartPosition } from './start-position.js';
import { toWireStartPosition, type WireStartPosition } from './wire-start-position.js';
import type { EventsStoreSubscription } from './events-store-subscription.js';

/** A validated events-store subscription. */
export interface EventsStoreSubscribePlan {
  channel: string;
  group: string;
  start: WireStartPosition;
  bufferSize: number | undefined;
}

const SUBSCRIPTION_KEYS: readonly (keyof EventsStoreSubscription)[] = ['channel', 'group', 'startAt', 'bufferSize'];

/** Validates subscription options (nothing is sent when they are wrong); a key it does not know is refused, not ignored. */
export function planEventsStoreSubscribe(options: EventsStoreSubscription): EventsStoreSubscribePlan {
  const operation = 'eventsStore.subscribe';
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({ message: 'invalid subscription: must be an object', operation, field: 'options' });
  }
  return checked(operation, options.channel, () => {
    requireKnownKeys(options, SUBSCRIPTION_KEYS, '');
    const group = validateGroup(options.group, { pattern: 'events_store' });
    const channel = validateChannel(options.channel, { pattern: 'events_store', withGroup: group !== '' });
    const start = toWireStartPosition(options.startAt ?? StartPosition.newOnly());
    const bufferSize =
      options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize');
    return { channel, group, start, bufferSize };
  });
}

/** The `Subscribe` request for one attempt. */
export function subscribeRequest(plan: EventsStoreSubscribePlan, clientId: string, start: WireStartPosition): Subscribe {
  return {
    SubscribeTypeData: Subscribe_SubscribeType.EventsStore,
    ClientID: clientId,
    Channel: plan.channel,
    Group: plan.group,
    EventsStoreTypeData: start.type,
    EventsStoreTypeValue: start.value,
  };
}
