// The server's validation checks (broker-behaviour.md §3, §6), one ordered list per operation.
// Each returns the first failing error text, or undefined.
import { isStanChannelValid } from '../engines/events-store/stan.js';
import { Request_RequestType, Subscribe_EventsStoreType, Subscribe_SubscribeType, type Event, type Request, type Response, type Subscribe } from '../generated/kubemq.js';
import {
  ERR_101_CLIENT_ID,
  ERR_102_CHANNEL,
  ERR_107_WILDCARDS,
  ERR_108_WHITESPACE,
  ERR_109_TIMEOUT,
  ERR_110_MESSAGE_EMPTY,
  ERR_111_SUBSCRIPTION_TYPE,
  ERR_112_START_SEQUENCE,
  ERR_113_START_TIME,
  ERR_114_START_TIME_DELTA,
  ERR_115_REQUEST_EMPTY,
  ERR_116_CACHE_TTL,
  ERR_117_REQUEST_ID,
  ERR_118_EVENTS_STORE_PARAMS,
  ERR_119_CHANNEL_END_DOT,
  ERR_206_REQUEST_TYPE,
  ERR_207_SUBSCRIBE_TYPE,
  NATS_INVALID_QUEUE_NAME,
  NATS_INVALID_SUBJECT,
  STAN_INVALID_SUBJECT,
} from './errors.js';

const hasWildcards = (ch: string) => ch.includes('*') || ch.includes('>');
/**
 * After validation the server subscribes through its NATS client, which refuses a subject with an
 * empty token or white space (the space itself is `Error 108` before that); a publish to one goes
 * through (only a wildcard subscriber can ever receive it).
 */
const natsSubject = (ch: string) => (NATS_WHITESPACE.test(ch) || ch.split('.').includes('') ? NATS_INVALID_SUBJECT : undefined);

/** The NATS client refuses a subject or a queue group holding any of these (its `badSubject`, `badQueue`). */
const NATS_WHITESPACE = /[ \t\r\n]/;

/** A subscription's NATS subject, then its queue group (the group of a grouped subscription). */
const natsSubscription = (sub: Subscribe) => natsSubject(sub.Channel) ?? (NATS_WHITESPACE.test(sub.Group) ? NATS_INVALID_QUEUE_NAME : undefined);

/** 102, 119, 108 (only the ASCII space counts as white space, §3). */
function channelBasics(channel: string): string | undefined {
  if (channel === '') return ERR_102_CHANNEL;
  if (channel.endsWith('.')) return ERR_119_CHANNEL_END_DOT;
  if (channel.includes(' ')) return ERR_108_WHITESPACE;
  return undefined;
}

/** Event and events-store send: 101, 102, 119, 108, 107, 110 (Tags alone do not count). */
export function validateEvent(ev: Event): string | undefined {
  if (ev.ClientID === '') return ERR_101_CLIENT_ID;
  const ch = channelBasics(ev.Channel);
  if (ch) return ch;
  if (hasWildcards(ev.Channel)) return ERR_107_WILDCARDS;
  if (ev.Metadata === '' && ev.Body.length === 0) return ERR_110_MESSAGE_EMPTY;
  return undefined;
}

/**
 * SubscribeToEvents: the subscribe type first (the server's handler switches on it before
 * anything else: not events or events store → 207); then 101, 102, 119, 108; events with a store
 * type → 118; store + wildcard → 107; 111–114; then an events subscription's NATS subject. §6: an
 * events subscription with only a store value set passes, and so does store type 7.
 */
export function validateEventsSubscription(sub: Subscribe): string | undefined {
  if (sub.SubscribeTypeData !== Subscribe_SubscribeType.Events && sub.SubscribeTypeData !== Subscribe_SubscribeType.EventsStore) {
    return ERR_207_SUBSCRIBE_TYPE;
  }
  if (sub.ClientID === '') return ERR_101_CLIENT_ID;
  const ch = channelBasics(sub.Channel);
  if (ch) return ch;
  if (sub.SubscribeTypeData === Subscribe_SubscribeType.Events) {
    if (sub.EventsStoreTypeData !== Subscribe_EventsStoreType.EventsStoreTypeUndefined) return ERR_118_EVENTS_STORE_PARAMS;
    return natsSubscription(sub);
  }
  if (hasWildcards(sub.Channel)) return ERR_107_WILDCARDS;
  const v = sub.EventsStoreTypeValue;
  switch (sub.EventsStoreTypeData) {
    case Subscribe_EventsStoreType.EventsStoreTypeUndefined:
      return ERR_111_SUBSCRIPTION_TYPE;
    case Subscribe_EventsStoreType.StartAtSequence:
      if (v <= 0n) return ERR_112_START_SEQUENCE;
      break;
    case Subscribe_EventsStoreType.StartAtTime:
      if (v <= 0n) return ERR_113_START_TIME;
      break;
    case Subscribe_EventsStoreType.StartAtTimeDelta:
      if (v <= 0n) return ERR_114_START_TIME_DELTA;
      break;
  }
  // Then the subscription goes to stan, which refuses a channel it cannot store (`/`, empty tokens).
  return isStanChannelValid(sub.Channel) ? undefined : STAN_INVALID_SUBJECT;
}

/** SubscribeToRequests: type 3 or 4 first, else 207 (as SubscribeToEvents); then 101, 102, 119, 108 (wildcards allowed), then the NATS subject. */
export function validateRequestsSubscription(sub: Subscribe): string | undefined {
  if (sub.SubscribeTypeData !== Subscribe_SubscribeType.Commands && sub.SubscribeTypeData !== Subscribe_SubscribeType.Queries) {
    return ERR_207_SUBSCRIBE_TYPE;
  }
  if (sub.ClientID === '') return ERR_101_CLIENT_ID;
  const ch = channelBasics(sub.Channel);
  if (ch) return ch;
  return natsSubscription(sub);
}

/**
 * SendRequest. §6: the request type is checked FIRST (type 0 with an empty ClientID gives 206),
 * then 101, 102, 119, 108, 107, 109, 115, 116.
 */
export function validateRequest(req: Request): string | undefined {
  if (req.RequestTypeData !== Request_RequestType.Command && req.RequestTypeData !== Request_RequestType.Query) return ERR_206_REQUEST_TYPE;
  if (req.ClientID === '') return ERR_101_CLIENT_ID;
  const ch = channelBasics(req.Channel);
  if (ch) return ch;
  if (hasWildcards(req.Channel)) return ERR_107_WILDCARDS;
  if (req.Timeout <= 0) return ERR_109_TIMEOUT;
  if (req.Metadata === '' && req.Body.length === 0) return ERR_115_REQUEST_EMPTY;
  if (req.CacheKey !== '' && req.CacheTTL <= 0) return ERR_116_CACHE_TTL;
  return undefined;
}

/** SendResponse: 101; ReplyChannel empty → 102; 119, 108, 107 on it; RequestID empty → 117. */
export function validateResponse(res: Response): string | undefined {
  if (res.ClientID === '') return ERR_101_CLIENT_ID;
  const ch = channelBasics(res.ReplyChannel);
  if (ch) return ch;
  if (hasWildcards(res.ReplyChannel)) return ERR_107_WILDCARDS;
  if (res.RequestID === '') return ERR_117_REQUEST_ID;
  return undefined;
}
