import type { Decoder, Empty, Encoder } from '../generated/kubemq.js';
import { serializer } from './serialize.js';

/** How a method streams: one request/one response, a response stream, or both ways. */
export type MethodKind = 'unary' | 'serverStream' | 'bidiStream';

/**
 * One RPC of the `kubemq.kubemq` service: its path, how the client's request becomes bytes and
 * the decoder of what it receives (the generated codecs have only the direction the client uses).
 */
export interface MethodDescriptor<Req, Res> {
  readonly path: string;
  readonly kind: MethodKind;
  /** grpc-js's serializer of the request: the request's encoder on core's reused writer. */
  readonly serialize: (request: Req) => Buffer;
  readonly responseCodec: Decoder<Res>;
}

/** The broker's service is `kubemq` in lower case (docs/broker-behaviour.md §0: `Kubemq` is UNIMPLEMENTED). */
const SERVICE_PATH = '/kubemq.kubemq/';

function method<Req, Res>(kind: MethodKind, name: string, serialize: (request: Req) => Buffer, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return { path: `${SERVICE_PATH}${name}`, kind, serialize, responseCodec: res };
}

/** A unary method by its bare name, e.g. `unaryMethod('SendEvent', Event, Result)`. */
export function unaryMethod<Req, Res>(name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return method('unary', name, serializer(req), res);
}

/** A server-streaming method by its bare name, e.g. `serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive)`. */
export function serverStreamMethod<Req, Res>(name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return method('serverStream', name, serializer(req), res);
}

/** A bidirectional method by its bare name, e.g. `bidiStreamMethod('QueuesDownstream', …)`. */
export function bidiStreamMethod<Req, Res>(name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return method('bidiStream', name, serializer(req), res);
}

/**
 * A unary method whose request is the empty message (`Ping`): zero bytes on the wire, so nothing
 * to encode. An app that only connects and pings bundles no protobuf writer.
 */
export function emptyRequestMethod<Res>(name: string, res: Decoder<Res>): MethodDescriptor<Empty, Res> {
  return method('unary', name, emptyRequest, res);
}

/** A fresh zero-length Buffer per call, as a serializer returns its own bytes. */
function emptyRequest(): Buffer {
  return Buffer.alloc(0);
}

/**
 * A bidirectional method the client opens only to half-close at once: it writes no request and
 * reads no answer, so it bundles no codec.
 */
export function emptyStreamMethod(name: string): MethodDescriptor<never, undefined> {
  return method('bidiStream', name, emptyRequest, { decode: () => undefined });
}
