// Raw wire calls through clientInternals, so core's integration tests need no pattern package.
import * as wire from '@kubemq/emulator/wire';
import { Observable, firstValueFrom, take, timeout, toArray } from 'rxjs';
import type { KubemqClient } from '../../../src/index.js';
import {
  clientInternals,
  Event,
  EventReceive,
  newId,
  QueueMessage,
  Result,
  SendQueueMessageResult,
  serverStreamMethod,
  Subscribe,
  Subscribe_EventsStoreType,
  Subscribe_SubscribeType,
  unaryMethod,
} from '../../../src/internal/index.js';
import { uniqueClientId } from '@kubemq/testing/jest';

export const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
export const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
export const SEND_QUEUE_MESSAGE = unaryMethod('SendQueueMessage', QueueMessage, SendQueueMessageResult);

/** SendEvent with Store=true (an events-store event). */
export function sendStored(client: KubemqClient, channel: string, body: string, timeoutMs = 30_000): Promise<Result> {
  return clientInternals(client).unary(
    SEND_EVENT,
    wire.Event.create({ EventID: newId(), ClientID: client.clientId, Channel: channel, Body: Buffer.from(body), Store: true }),
    { operation: 'test.sendStored', channel, timeoutMs },
  );
}

/** SendQueueMessage, with no check of the queue's name but the broker's. */
export function sendQueued(client: KubemqClient, channel: string, body: string): Promise<SendQueueMessageResult> {
  return clientInternals(client).unary(
    SEND_QUEUE_MESSAGE,
    wire.QueueMessage.create({ MessageID: newId(), ClientID: client.clientId, Channel: channel, Body: Buffer.from(body) }),
    { operation: 'test.sendQueued', channel, timeoutMs: 30_000 },
  );
}

/** A SubscribeToEvents stream as a cold Observable. */
export function subscribe(client: KubemqClient, request: Partial<Subscribe>): Observable<EventReceive> {
  return new Observable<EventReceive>((subscriber) => {
    const call = clientInternals(client).serverStream(SUBSCRIBE, wire.Subscribe.create({ ClientID: uniqueClientId('core-sub'), ...request }), subscriber, {
      operation: 'test.subscribe',
      ...(request.Channel !== undefined && { channel: request.Channel }),
    });
    return () => call.cancel();
  });
}

/** The bodies of the first `count` stored events of a channel (StartFromFirst). */
export function readStored(client: KubemqClient, channel: string, count: number): Promise<string[]> {
  return firstValueFrom(
    subscribe(client, {
      Channel: channel,
      SubscribeTypeData: Subscribe_SubscribeType.EventsStore,
      EventsStoreTypeData: Subscribe_EventsStoreType.StartFromFirst,
    }).pipe(
      take(count),
      toArray(),
      timeout(30_000),
    ),
  ).then((events) => events.map((e) => Buffer.from(e.Body).toString()));
}
