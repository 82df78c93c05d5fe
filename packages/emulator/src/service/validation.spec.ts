import { Event, Request, Response, Subscribe } from '../generated/kubemq.js';
import * as E from './errors.js';
import { validateEvent, validateEventsSubscription, validateRequest, validateRequestsSubscription, validateResponse } from './validation.js';

const ev = (p: Partial<Event>) => Event.fromPartial({ ClientID: 'c', Channel: 'ch', Metadata: 'm', ...p });
const sub = (p: Partial<Subscribe>) => Subscribe.fromPartial({ ClientID: 'c', Channel: 'ch', SubscribeTypeData: 1, ...p });
const req = (p: Partial<Request>) => Request.fromPartial({ ClientID: 'c', Channel: 'ch', Metadata: 'm', RequestTypeData: 1, Timeout: 1000, ...p });
const res = (p: Partial<Response>) => Response.fromPartial({ ClientID: 'c', ReplyChannel: '_INBOX.x', RequestID: 'r', ...p });

describe('validation order and texts (broker-behaviour.md §3, §6)', () => {
  it('events', () => {
    expect(validateEvent(ev({ ClientID: '', Channel: '' }))).toBe(E.ERR_101_CLIENT_ID);
    expect(validateEvent(ev({ Channel: '' }))).toBe(E.ERR_102_CHANNEL);
    expect(validateEvent(ev({ Channel: 'a b.' }))).toBe(E.ERR_119_CHANNEL_END_DOT);
    expect(validateEvent(ev({ Channel: 'a b*' }))).toBe(E.ERR_108_WHITESPACE);
    expect(validateEvent(ev({ Channel: 'a.>' }))).toBe(E.ERR_107_WILDCARDS);
    expect(validateEvent(ev({ Metadata: '', Tags: { a: 'b' } }))).toBe(E.ERR_110_MESSAGE_EMPTY);
    expect(validateEvent(ev({ Channel: 'a\tb' }))).toBeUndefined(); // only the ASCII space is checked
    expect(validateEvent(ev({ Metadata: '', Body: Buffer.from('x') }))).toBeUndefined();
  });

  it('events subscriptions', () => {
    expect(validateEventsSubscription(sub({ ClientID: '' }))).toBe(E.ERR_101_CLIENT_ID);
    expect(validateEventsSubscription(sub({ EventsStoreTypeData: 2 }))).toBe(E.ERR_118_EVENTS_STORE_PARAMS);
    expect(validateEventsSubscription(sub({ EventsStoreTypeValue: 5n }))).toBeUndefined();
    expect(validateEventsSubscription(sub({ Channel: 'a.*' }))).toBeUndefined();
    const store = (p: Partial<Subscribe>) => sub({ SubscribeTypeData: 2, ...p });
    expect(validateEventsSubscription(store({ Channel: 'a.*', EventsStoreTypeData: 0 }))).toBe(E.ERR_107_WILDCARDS);
    expect(validateEventsSubscription(store({ EventsStoreTypeData: 0 }))).toBe(E.ERR_111_SUBSCRIPTION_TYPE);
    expect(validateEventsSubscription(store({ EventsStoreTypeData: 4 }))).toBe(E.ERR_112_START_SEQUENCE);
    expect(validateEventsSubscription(store({ EventsStoreTypeData: 5, EventsStoreTypeValue: -1n }))).toBe(E.ERR_113_START_TIME);
    expect(validateEventsSubscription(store({ EventsStoreTypeData: 6 }))).toBe(E.ERR_114_START_TIME_DELTA);
    expect(validateEventsSubscription(store({ EventsStoreTypeData: 7 as Subscribe['EventsStoreTypeData'] }))).toBeUndefined();
    expect(validateEventsSubscription(sub({ SubscribeTypeData: 3 }))).toBe(E.ERR_207_SUBSCRIBE_TYPE);
    expect(validateEventsSubscription(sub({ SubscribeTypeData: 0, ClientID: '', Channel: '' }))).toBe(E.ERR_207_SUBSCRIBE_TYPE);
  });

  it('requests check the type first (§6)', () => {
    expect(validateRequest(req({ RequestTypeData: 0, ClientID: '', Channel: 'a.*' }))).toBe(E.ERR_206_REQUEST_TYPE);
    expect(validateRequest(req({ ClientID: '' }))).toBe(E.ERR_101_CLIENT_ID);
    expect(validateRequest(req({ Channel: 'a.*' }))).toBe(E.ERR_107_WILDCARDS);
    expect(validateRequest(req({ Timeout: 0 }))).toBe(E.ERR_109_TIMEOUT);
    expect(validateRequest(req({ Metadata: '' }))).toBe(E.ERR_115_REQUEST_EMPTY);
    expect(validateRequest(req({ CacheKey: 'k' }))).toBe(E.ERR_116_CACHE_TTL);
    expect(validateRequest(req({ CacheKey: 'k', CacheTTL: 1 }))).toBeUndefined();
  });

  it('request subscriptions allow wildcards', () => {
    expect(validateRequestsSubscription(sub({ SubscribeTypeData: 3, Channel: 'a.>' }))).toBeUndefined();
    expect(validateRequestsSubscription(sub({ SubscribeTypeData: 1 }))).toBe(E.ERR_207_SUBSCRIBE_TYPE);
    expect(validateRequestsSubscription(sub({ SubscribeTypeData: 1, ClientID: '', Channel: '' }))).toBe(E.ERR_207_SUBSCRIBE_TYPE);
    expect(validateRequestsSubscription(sub({ SubscribeTypeData: 4, Channel: 'a.' }))).toBe(E.ERR_119_CHANNEL_END_DOT);
  });

  it('responses', () => {
    expect(validateResponse(res({ ClientID: '' }))).toBe(E.ERR_101_CLIENT_ID);
    expect(validateResponse(res({ ReplyChannel: '' }))).toBe(E.ERR_102_CHANNEL);
    expect(validateResponse(res({ ReplyChannel: 'a.*' }))).toBe(E.ERR_107_WILDCARDS);
    expect(validateResponse(res({ RequestID: '' }))).toBe(E.ERR_117_REQUEST_ID);
  });

  it('keeps the exact spacing of queue texts', () => {
    expect(E.ERR_122_MAX_MESSAGES.endsWith('config  ')).toBe(true);
  });
});
