// SendRequest, SubscribeToRequests and SendResponse (broker-behaviour.md §2.3, §3, §5.1, §6).
import * as grpc from '@grpc/grpc-js';
import { Request_RequestType, Subscribe_SubscribeType, type Empty, Request, type Response, type Subscribe } from '../generated/kubemq.js';
import { nuid } from '../engines/ids.js';
import { NATS_PREFIX, subscribeLineTooLong } from '../engines/nats-connection.js';
import type { RequestKind } from '../engines/requests/requests-engine.js';
import { StreamSink } from '../transport/stream-sink.js';
import { CHANNEL_MANAGEMENT_CHANNEL, handleChannelManagement } from './channel-management.js';
import { natsConnectionBroken, type ServiceContext } from './context.js';
import { ERR_301_REQUEST_TIMEOUT, NATS_CONNECTION_CLOSED } from './errors.js';
import { registerAfter } from './registration.js';
import { endStream, internal } from './status.js';
import { validateRequest, validateRequestsSubscription, validateResponse } from './validation.js';

const EMPTY = Buffer.alloc(0);

/** §2.3/§6: what the requester gets back from a responder's Response. */
function shapeResponse(kind: RequestKind, res: Response): Response {
  if (kind === 'commands') {
    // Commands: Body, Metadata, ReplyChannel and CacheHit are cleared; Timestamp, Span, Tags, ClientID pass.
    return { ...res, Body: EMPTY, Metadata: '', ReplyChannel: '', CacheHit: false };
  }
  // Queries: passed through with only ReplyChannel cleared.
  return { ...res, ReplyChannel: '' };
}

export function createRequestServices(ctx: ServiceContext) {
  const sendRequest: grpc.handleUnaryCall<Request, Response> = (call, callback) => {
    const req = call.request;
    const err = validateRequest(req);
    if (err) return callback(internal(err));
    const request: Request = req.RequestID ? req : { ...req, RequestID: nuid() };
    const kind: RequestKind = request.RequestTypeData === Request_RequestType.Command ? 'commands' : 'queries';
    // §6: the request goes out on the shared NATS connection with its reply inbox. Once that is
    // closed, or when this very line closes it, the server's wait ends at once as a timeout.
    if (!ctx.nats.up) return callback(internal(ERR_301_REQUEST_TIMEOUT));
    if (ctx.nats.publish(NATS_PREFIX[kind], request.Channel, true) === undefined) {
      natsConnectionBroken(ctx, request.Channel);
      return callback(internal(ERR_301_REQUEST_TIMEOUT));
    }
    if (kind === 'queries' && ctx.config.channelManagement && request.Channel === CHANNEL_MANAGEMENT_CHANNEL) {
      // Emulator-only responder (§0 item 4: the open-source server has none; its queries time out).
      handleChannelManagement(ctx, request).then(
        (res) => callback(null, res),
        (e: Error) => callback(internal(e.message)),
      );
      return;
    }
    const cache = kind === 'queries' && request.CacheKey !== '' ? ctx.queryCache : undefined;
    if (cache) {
      const hit = cache.get(request.Channel, request.CacheKey);
      if (hit) return callback(null, { ...hit, RequestID: request.RequestID });
    }
    ctx.requests.request(kind, request, request.Timeout).then(
      (res) => {
        const shaped = shapeResponse(kind, res);
        if (cache && request.CacheTTL > 0 && shaped.Error === '') cache.set(request.Channel, request.CacheKey, request.CacheTTL, shaped);
        callback(null, shaped);
      },
      // §2.3: every request failure is INTERNAL `Error 301` after the full timeout.
      () => callback(internal(ERR_301_REQUEST_TIMEOUT)),
    );
  };

  const subscribeToRequests: grpc.handleServerStreamingCall<Subscribe, Request | Buffer> = (call) => {
    const sub = call.request;
    const err = validateRequestsSubscription(sub);
    if (err) return endStream(call, grpc.status.INTERNAL, err);
    const kind: RequestKind = sub.SubscribeTypeData === Subscribe_SubscribeType.Commands ? 'commands' : 'queries';
    // Encoded here (the serializer passes a Buffer through): the sink counts each one's bytes.
    const sink = new StreamSink<Buffer>(call as unknown as grpc.ServerWritableStream<Subscribe, Buffer>, ctx.config.subscriptionBuffer, ctx.config.slowConsumerDropMs, ctx.clock, (buf) => buf.length);
    // §0 [seen]: the responder is registered a while after the call arrived (clients must probe).
    // A SUB line too long for the NATS server closes the responder's own connection: it gets nothing.
    const unsubscribe = subscribeLineTooLong(NATS_PREFIX[kind], sub.Channel, sub.Group)
      ? () => undefined
      : registerAfter(ctx.clock, ctx.config.registrationDelayMs, () => ctx.requests.subscribe(kind, sub.Channel, sub.Group, (req) => sink.push(Buffer.from(Request.encode(req).finish()))));
    let done = false;
    const cleanup = () => {
      if (done) return;
      done = true;
      unsubscribe();
      sink.close();
    };
    call.on('cancelled', cleanup);
    call.on('close', cleanup);
    call.on('error', cleanup);
  };

  const sendResponse: grpc.handleUnaryCall<Response, Empty> = (call, callback) => {
    const res = call.request;
    const err = validateResponse(res);
    if (err) return callback(internal(err));
    if (!ctx.nats.up) return callback(internal(NATS_CONNECTION_CLOSED));
    const routed = ctx.nats.publish(NATS_PREFIX.response, res.ReplyChannel, false);
    if (routed === undefined) {
      natsConnectionBroken(ctx, res.ReplyChannel);
      return callback(null, {});
    }
    // §2.3: a late response still succeeds; it is silently dropped.
    ctx.requests.respond(routed, res);
    callback(null, {});
  };

  return { sendRequest, subscribeToRequests, sendResponse };
}
