// How errors reach the client (broker-behaviour.md §5.1): a gRPC status with the server's text as details.
import * as grpc from '@grpc/grpc-js';

export function statusError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** Ends a server or bidi stream with a status (grpc-js turns an 'error' event into the final status). */
export function endStream(call: { emit(event: 'error', err: grpc.ServiceError): unknown }, code: grpc.status, details: string): void {
  call.emit('error', statusError(code, details));
}

/**
 * Ends a server or bidi stream with status OK and an empty status message, as grpc-go does
 * (grpc-js's own `call.end()` would send the text "OK"). Messages written before still go first.
 */
export function endStreamOk(call: { emit(event: 'error', status: grpc.StatusObject | Partial<grpc.StatusObject>): unknown }): void {
  call.emit('error', { code: grpc.status.OK, details: '' });
}

/** INTERNAL `details`: the status of every `Error NNN` on unary calls and stream starts (§5.1). */
export const internal = (details: string): grpc.ServiceError => statusError(grpc.status.INTERNAL, details);
