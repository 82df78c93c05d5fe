import { Subscribe, validateChannel, validateGroup } from '@kubemq/core/internal';
import type { SubscribeOptions } from '../types/common.js';
import type { RequestKind } from '../kind.js';
import { requireObject } from './invalid.js';

export interface BuiltSubscribe {
  wire: Subscribe;
  channel: string;
  group: string | undefined;
}

/** Validates a responder subscription (wildcards allowed, docs/broker-behaviour.md §2.3) and builds it. */
export function buildSubscribe(kind: RequestKind, options: SubscribeOptions, clientId: string, operation: string): BuiltSubscribe {
  requireObject(options, 'options', operation);
  const channel = validateChannel(options.channel, { field: 'channel', pattern: kind.name, allowWildcards: true });
  const group = validateGroup(options.group, { field: 'group', pattern: kind.name }) || undefined;
  const wire = Subscribe.create({
    SubscribeTypeData: kind.subscribeType as Subscribe['SubscribeTypeData'],
    ClientID: clientId,
    Channel: channel,
    Group: group ?? '',
  });
  return { wire, channel, group };
}
