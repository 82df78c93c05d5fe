// SendEvent, SendEventsStream and SubscribeToEvents (broker-behaviour.md §2.1, §2.2, §3, §5.1, §6).
import * as grpc from '@grpc/grpc-js';
import { Event, EventReceive, Subscribe_SubscribeType, type Result, type Subscribe } from '../generated/kubemq.js';
import { nuid } from '../engines/ids.js';
import { NATS_PREFIX, subscribeLineTooLong } from '../engines/nats-connection.js';
import { natsDeliverable } from '../engines/nats-delivery.js';
import { StanError, breaksPublisher } from '../engines/events-store/stan.js';
import type { ClientLease } from '../engines/events-store/client-registry.js';
import { OversizedRequest } from '../transport/body-limit.js';
import { replyWithBackpressure } from '../transport/reply-backpressure.js';
import { StreamSink } from '../transport/stream-sink.js';
import { natsConnectionBroken, type ServiceContext } from './context.js';
import { NATS_CONNECTION_CLOSED, stanRefusalText } from './errors.js';
import { registerAfter } from './registration.js';
import { endStream, endStreamOk, internal } from './status.js';
import { validateEvent, validateEventsSubscription } from './validation.js';

/** Publishes a valid event; returns the Result the server would give. */
function publish(ctx: ServiceContext, ev: Event): Result {
  const EventID = ev.EventID || nuid();
  if (!ev.Store) {
    if (!ctx.nats.up) return { EventID, Sent: false, Error: NATS_CONNECTION_CLOSED };
    const routed = ctx.nats.publish(NATS_PREFIX.events, ev.Channel, false);
    if (routed === undefined) {
      natsConnectionBroken(ctx, ev.Channel);
      return { EventID, Sent: true, Error: '' };
    }
    // One over what NATS delivers is counted as sent, and no subscriber gets it (no payload).
    const deliverable = natsDeliverable(ev, () => Event.encode({ ...ev, EventID }).finish().length);
    ctx.events.publish(
      ev.Channel,
      ev.Body.length,
      deliverable
        ? () =>
            // §2.1: Timestamp 0, Sequence 0, Channel = the concrete channel; encoded once for all subscribers.
            Buffer.from(
              EventReceive.encode({ EventID, Channel: ev.Channel, Metadata: ev.Metadata, Body: ev.Body, Tags: ev.Tags, Timestamp: 0n, Sequence: 0n }).finish(),
            )
        : undefined,
      routed,
    );
    return { EventID, Sent: true, Error: '' };
  }
  const store = ctx.eventsStore;
  // §6: after a control character broke the shared publisher, every events-store send fails until restart.
  if (!store.publisherUp) return { EventID, Sent: false, Error: NATS_CONNECTION_CLOSED };
  if (breaksPublisher(ev.Channel)) {
    // §6 quirk kept on purpose: a tab/CR/LF in an events-store channel (or a protocol line over 4096
    // bytes) breaks the server's single events-store publisher; this send still says Sent:true,
    // every later one fails.
    store.breakPublisher();
    ctx.log.warn('events-store publisher broken by a channel name its protocol line cannot carry (a control character, or over 4096 bytes; broker-behaviour.md §3, §6); restart to recover');
    return { EventID, Sent: true, Error: '' };
  }
  // §2.2: Sent:true comes back even when stan refuses the channel (`/`, `..`, another's case variant).
  const existing = store.publish({ EventID, Channel: ev.Channel, Metadata: ev.Metadata, Body: ev.Body, Tags: ev.Tags });
  if (existing !== undefined) {
    ctx.log.warn('events-store event dropped: its channel differs only in case from an existing one, which newer stan refuses (broker-behaviour.md §2.2)', {
      channel: ev.Channel,
      existing,
    });
  }
  return { EventID, Sent: true, Error: '' };
}

export function createEventServices(ctx: ServiceContext) {
  const sendEvent: grpc.handleUnaryCall<Event, Result> = (call, callback) => {
    const ev = call.request;
    const err = validateEvent(ev);
    if (err) return callback(internal(err));
    callback(null, publish(ctx, ev));
  };

  const sendEventsStream: grpc.handleBidiStreamingCall<Event, Result> = (call) => {
    // A client that does not read its results slows its own sends (HTTP/2 flow control), instead
    // of growing the server's memory.
    const reply = replyWithBackpressure(call, { method: 'SendEventsStream', log: ctx.log });
    call.on('data', (ev: Event | OversizedRequest) => {
      // §3: the reader's error ends the stream, after the results owed for what came before it.
      if (ev instanceof OversizedRequest) return endStream(call, grpc.status.INTERNAL, `rpc error: code = ResourceExhausted desc = ${ev.refusal}`);
      const err = validateEvent(ev);
      if (err) return reply({ EventID: ev.EventID, Sent: false, Error: err });
      const result = publish(ctx, ev);
      // §2.1: a Result for every event with Store=true. For Store=false the server answers only an
      // error its handler returns (validation, above); a publish that failed is a result, so the
      // stream says nothing of it (§6).
      if (ev.Store) reply(result);
    });
    // §5.3: SendEventsStream finishes when the client half-closes (OK, empty status message).
    call.on('end', () => endStreamOk(call));
    call.on('error', () => undefined);
  };

  const subscribeToEvents: grpc.handleServerStreamingCall<Subscribe, EventReceive | Buffer> = (call) => {
    const sub = call.request;
    let lease: ClientLease | undefined;
    if (sub.SubscribeTypeData === Subscribe_SubscribeType.EventsStore && sub.ClientID !== '') {
      // §6: the events-store subscribe registers the ClientID (a stan connection) BEFORE validating.
      try {
        lease = ctx.clients.register(sub.ClientID);
      } catch (e) {
        if (e instanceof StanError) return endStream(call, grpc.status.INTERNAL, stanRefusalText(e));
        throw e;
      }
    }
    const err = validateEventsSubscription(sub);
    if (err) {
      lease?.release(false);
      return endStream(call, grpc.status.INTERNAL, err);
    }
    const sink = new StreamSink<Buffer>(call as unknown as grpc.ServerWritableStream<Subscribe, Buffer>, ctx.config.subscriptionBuffer, ctx.config.slowConsumerDropMs, ctx.clock, (buf) => buf.length);
    let unsubscribe: () => void;
    if (sub.SubscribeTypeData === Subscribe_SubscribeType.Events) {
      // §0 [seen]: the subscription is registered a while after the call arrived (clients must probe).
      // A SUB line too long for the NATS server closes the subscriber's own connection: it gets nothing.
      unsubscribe = subscribeLineTooLong(NATS_PREFIX.events, sub.Channel, sub.Group)
        ? () => undefined
        : registerAfter(ctx.clock, ctx.config.registrationDelayMs, () => ctx.events.subscribe(sub.Channel, sub.Group, (buf) => sink.push(buf)));
    } else {
      // The store subscription (a stan subscribe on the server) is in place a while after the call
      // arrived too: a new-only subscriber misses what is stored in between.
      unsubscribe = registerAfter(ctx.clock, ctx.config.registrationDelayMs, () => {
        try {
          return ctx.eventsStore.subscribe(
            lease!,
            { channel: sub.Channel, group: sub.Group, startType: sub.EventsStoreTypeData, startValue: sub.EventsStoreTypeValue },
            sink,
          );
        } catch (e) {
          if (!(e instanceof StanError)) throw e;
          lease?.release(false);
          lease = undefined;
          endStream(call, grpc.status.INTERNAL, stanRefusalText(e));
          return () => undefined;
        }
      });
    }
    let done = false;
    const cleanup = () => {
      if (done) return;
      done = true;
      unsubscribe();
      sink.close();
      // §2.2: the server closes the stan connection asynchronously; the id stays taken briefly.
      lease?.release(true);
    };
    call.on('cancelled', cleanup);
    call.on('close', cleanup);
    call.on('error', cleanup);
  };

  return { sendEvent, sendEventsStream, subscribeToEvents };
}
