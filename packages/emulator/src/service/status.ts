// How errors reach the client (server.md §5.1): a gRPC status with the server's text as details.
import * as grpc from '@grpc/grpc-js';

export function statusError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** Ends a server or bidi stream with a status (grpc-js turns an 'error' event into the final status). */
export function endStream(call: { emit(event: 'error', err: grpc.ServiceError): unknown }, code: grpc.status, details: string): void {
  call.emit('error', statusError(code, details));
}

/** INTERNAL `details`: the status of every `Error NNN` on unary calls and stream starts (§5.1). */
export const internal = (details: string): grpc.ServiceError => statusError(grpc.status.INTERNAL, details);
