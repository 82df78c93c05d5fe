import type { Decoder, Encoder } from '../generated/kubemq.js';

/** How a method streams: one request/one response, a response stream, or both ways. */
export type MethodKind = 'unary' | 'serverStream' | 'bidiStream';

/**
 * One RPC of the `kubemq.kubemq` service: its path, the encoder of what the client sends and the
 * decoder of what it receives (the generated codecs have only the direction the client uses).
 */
export interface MethodDescriptor<Req, Res> {
  readonly path: string;
  readonly kind: MethodKind;
  readonly requestCodec: Encoder<Req>;
  readonly responseCodec: Decoder<Res>;
}

/** The broker's service is `kubemq` in lower case (docs/broker-behaviour.md §0: `Kubemq` is UNIMPLEMENTED). */
const SERVICE_PATH = '/kubemq.kubemq/';

function method<Req, Res>(kind: MethodKind, name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return { path: `${SERVICE_PATH}${name}`, kind, requestCodec: req, responseCodec: res };
}

/** A unary method by its bare name, e.g. `unaryMethod('SendEvent', Event, Result)`. */
export function unaryMethod<Req, Res>(name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return method('unary', name, req, res);
}

/** A server-streaming method by its bare name, e.g. `serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive)`. */
export function serverStreamMethod<Req, Res>(name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return method('serverStream', name, req, res);
}

/** A bidirectional method by its bare name, e.g. `bidiStreamMethod('QueuesDownstream', …)`. */
export function bidiStreamMethod<Req, Res>(name: string, req: Encoder<Req>, res: Decoder<Res>): MethodDescriptor<Req, Res> {
  return method('bidiStream', name, req, res);
}
