// Subscription readiness without sleeping: KubeMQ sends no header when a subscription is
// established, so publish probes until one arrives (broker-behaviour.md §0 [seen], design "Tests").
import { probeUntil } from '@kubemq/testing/jest';
import {
  type EventReceive,
  type Request,
  Request_RequestType,
  type Response,
  Subscribe_SubscribeType,
  type Subscribe,
  type kubemqClient,
} from '@kubemq/emulator/wire';
import { type In, type Inbox, sendEvent, sendRequest, sendResponse, subscribeEvents, subscribeRequests } from './raw.js';

export const PROBE = '__probe__';
export const isProbe = (m: { Metadata: string }) => m.Metadata === PROBE;
export const notProbe = (m: { Metadata: string }) => m.Metadata !== PROBE;

/** An events subscription that has received a probe published on `probeChannel` (default: its channel). */
export async function readyEvents(
  c: kubemqClient,
  sub: In<Subscribe>,
  probeChannel = sub.Channel as string,
): Promise<Inbox<EventReceive>> {
  const inbox = subscribeEvents(c, { SubscribeTypeData: Subscribe_SubscribeType.Events, ...sub });
  await probeUntil(
    () => sendEvent(c, { ClientID: 'prober', Channel: probeChannel, Metadata: PROBE, Body: Buffer.from('p') }),
    () => inbox.items.some(isProbe),
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  return inbox;
}

export type Answer = (req: Request) => In<Response> | undefined;

/**
 * A requests subscription that answers each request with `answer(req)` (undefined: no answer),
 * ready once a probe request of its type was answered.
 */
export async function readyResponder(
  c: kubemqClient,
  sub: In<Subscribe>,
  answer: Answer = () => ({ Executed: true }),
  probeChannel = sub.Channel as string,
): Promise<Inbox<Request>> {
  const inbox = subscribeRequests(c, sub);
  const responderId = (sub.ClientID as string | undefined) ?? 'responder';
  // Ready once a probe reached this stream: in a group, another member's answer proves nothing about this one.
  let probed = false;
  inbox.call.on('data', (req: Request) => {
    if (req.Metadata === PROBE) probed = true;
    const reply = req.Metadata === PROBE ? { Executed: true } : answer(req);
    if (reply === undefined) return;
    void sendResponse(c, {
      ClientID: responderId,
      RequestID: req.RequestID,
      ReplyChannel: req.ReplyChannel,
      ...reply,
    }).catch(() => undefined);
  });
  const type = sub.SubscribeTypeData === Subscribe_SubscribeType.Queries ? Request_RequestType.Query : Request_RequestType.Command;
  await probeUntil(
    () =>
      sendRequest(c, {
        ClientID: 'prober',
        Channel: probeChannel,
        RequestTypeData: type,
        Metadata: PROBE,
        Body: Buffer.from('p'),
        Timeout: 300,
      }).then(
        () => undefined,
        () => undefined,
      ),
    () => probed,
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  return inbox;
}
