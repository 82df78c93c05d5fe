// The 15 methods of `kubemq.kubemq`, registered in one visible place. Nothing here knows a pattern.
import * as grpc from '@grpc/grpc-js';
import { EventReceive, Request, kubemqService } from '../generated/kubemq.js';
import { ERR_200_SERVER_CRASHED } from '../service/errors.js';
import { statusError } from '../service/status.js';

/** Every handler the server needs, one per method of kubemqService. */
export type MethodHandlers = { [K in keyof typeof kubemqService]: grpc.UntypedHandleCall };

export const METHOD_NAMES = Object.keys(kubemqService) as (keyof typeof kubemqService)[];

export const SERVICE_NAME = 'kubemq.kubemq';

/**
 * The service definition the server registers: the generated one, except that
 * SubscribeToEvents also accepts an already encoded EventReceive (a Buffer), so one event is
 * encoded once for all of its subscribers, and SubscribeToRequests an encoded Request (its
 * sender counts the bytes it writes).
 */
export const serviceDefinition: grpc.ServiceDefinition = {
  ...kubemqService,
  subscribeToEvents: {
    ...kubemqService.subscribeToEvents,
    responseSerialize: (value: EventReceive | Buffer): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(EventReceive.encode(value).finish())),
  },
  subscribeToRequests: {
    ...kubemqService.subscribeToRequests,
    responseSerialize: (value: Request | Buffer): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(Request.encode(value).finish())),
  },
} as unknown as grpc.ServiceDefinition;

/**
 * A handler that throws answers UNKNOWN `Error 200: server crushed and recovered`, as the
 * server's recovery interceptor does for a panic (broker-behaviour.md §5.1), instead of taking the process down.
 */
function recovering(name: string, handler: grpc.UntypedHandleCall, unary: boolean, onCrash: (method: string, err: unknown) => void): grpc.UntypedHandleCall {
  if (unary) {
    const h = handler as (call: unknown, cb: grpc.sendUnaryData<unknown>) => void;
    return ((call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      try {
        h(call, cb);
      } catch (err) {
        onCrash(name, err);
        cb(statusError(grpc.status.UNKNOWN, ERR_200_SERVER_CRASHED));
      }
    }) as grpc.UntypedHandleCall;
  }
  const h = handler as (call: { emit(e: 'error', err: unknown): unknown }) => void;
  return ((call: { emit(e: 'error', err: unknown): unknown }) => {
    try {
      h(call);
    } catch (err) {
      onCrash(name, err);
      call.emit('error', statusError(grpc.status.UNKNOWN, ERR_200_SERVER_CRASHED));
    }
  }) as grpc.UntypedHandleCall;
}

/** The method table: checks that every method has a handler, in the service's order. */
export function methodTable(handlers: MethodHandlers, onCrash: (method: string, err: unknown) => void = () => undefined): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of METHOD_NAMES) {
    const h = handlers[name];
    if (typeof h !== 'function') throw new Error(`no handler for ${SERVICE_NAME}/${name}`);
    const def = kubemqService[name];
    impl[name] = recovering(name, h, !def.requestStream && !def.responseStream, onCrash);
  }
  return impl;
}
