// The 15 methods of `kubemq.kubemq`, registered in one visible place. Nothing here knows a pattern.
import type * as grpc from '@grpc/grpc-js';
import { EventReceive, kubemqService } from '../generated/kubemq.js';

/** Every handler the server needs, one per method of kubemqService. */
export type MethodHandlers = { [K in keyof typeof kubemqService]: grpc.UntypedHandleCall };

export const METHOD_NAMES = Object.keys(kubemqService) as (keyof typeof kubemqService)[];

export const SERVICE_NAME = 'kubemq.kubemq';

/**
 * The service definition the server registers: the generated one, except that
 * SubscribeToEvents also accepts an already encoded EventReceive (a Buffer), so one event is
 * encoded once for all of its subscribers.
 */
export const serviceDefinition: grpc.ServiceDefinition = {
  ...kubemqService,
  subscribeToEvents: {
    ...kubemqService.subscribeToEvents,
    responseSerialize: (value: EventReceive | Buffer): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(EventReceive.encode(value).finish())),
  },
} as unknown as grpc.ServiceDefinition;

/** The method table: checks that every method has a handler, in the service's order. */
export function methodTable(handlers: MethodHandlers): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of METHOD_NAMES) {
    const h = handlers[name];
    if (typeof h !== 'function') throw new Error(`no handler for ${SERVICE_NAME}/${name}`);
    impl[name] = h;
  }
  return impl;
}
