import {
  checked,
  closedOptions,
  Subscribe_SubscribeType,
  validateChannel,
  validateGroup,
  validatePositiveInt,
  validateSignal,
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
  signal: AbortSignal | undefined;
}

const SUBSCRIPTION_KEYS: readonly (keyof EventsStoreSubscription)[] = ['channel', 'group', 'startAt', 'bufferSize', 'signal'];
// kubemq-js's subscription request: its start position, and the ClientID whose reuse resumed a
// durable subscription (here every subscription has a ClientID of its own; a group keeps a position).
const SUBSCRIPTION_RENAMED = {
  requestType: 'startAt: StartPosition.fromFirst() (or newOnly(), fromLast(), atSequence(n), atTime(date), atTimeDelta(seconds))',
  requestTypeValue: 'startAt: StartPosition.atSequence(n), atTime(date) or atTimeDelta(seconds)',
  startPosition: 'startAt',
  clientId: 'group, for a position that outlives this subscription (each subscription has a ClientID of its own)',
};

/** Validates subscription options (nothing is sent when they are wrong); a key it does not know is refused, not ignored. */
export function planEventsStoreSubscribe(options: EventsStoreSubscription): EventsStoreSubscribePlan {
  const operation = 'eventsStore.subscribe';
  return checked(operation, options?.channel, () => {
    closedOptions(options, operation, SUBSCRIPTION_KEYS, SUBSCRIPTION_RENAMED, { required: true });
    const group = validateGroup(options.group, { pattern: 'events_store' });
    const channel = validateChannel(options.channel, { pattern: 'events_store', withGroup: group !== '' });
    const start = toWireStartPosition(options.startAt ?? StartPosition.newOnly());
    const bufferSize =
      options.bufferSize === undefined ? undefined : validatePositiveInt(options.bufferSize, 'bufferSize');
    return { channel, group, start, bufferSize, signal: validateSignal(options.signal) };
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
