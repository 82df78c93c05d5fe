// GRPC_BODY_LIMIT on what the broker reads, applied the way the Go server applies it.
//
// grpc-js's own receive limit ends a call with RESOURCE_EXHAUSTED as soon as a message over it
// starts, and drops the messages that came in the same read. grpc-go's reader refuses only the
// message over the limit, after every message before it was handled, and leaves the call to its
// handler: a unary or server-streaming call ends with RESOURCE_EXHAUSTED before any handler runs,
// and each streaming handler of the broker does its own thing with the error (see
// `bodyLimitInterceptor`). So the server reads without a limit of its own, and this module applies
// it to each message.
import * as grpc from '@grpc/grpc-js';

/** Stands for a request over the limit, in place of the message it would have decoded to. */
class Oversized {
  constructor(readonly bytes: number) {}
}

/** `definition` with every request decoder giving an `Oversized` for a message over `limit` bytes. */
export function limitRequests(definition: grpc.ServiceDefinition, limit: number): grpc.ServiceDefinition {
  const limited: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition as Record<string, grpc.MethodDefinition<unknown, unknown>>)) {
    const decode = method.requestDeserialize;
    limited[name] = { ...method, requestDeserialize: (bytes: Buffer) => (bytes.length > limit ? new Oversized(bytes.length) : decode(bytes)) };
  }
  return limited as grpc.ServiceDefinition;
}

/**
 * What the broker does with a request over `limit`:
 * - a unary or server-streaming call ends with RESOURCE_EXHAUSTED, in grpc-go's words;
 * - `SendEventsStream` ends with INTERNAL around that error (its handler returns the read error
 *   as `status.Error(codes.Internal, err.Error())`);
 * - the queue streams' readers hand their handler a nil request and read on from the middle of the
 *   refused message, so nothing more is read or answered; `QueuesUpstream`'s request task
 *   dereferences that nil request in a goroutine of its own, a `panic` that takes the whole server
 *   down.
 */
export function bodyLimitInterceptor(limit: number, panic: (reason: string) => void): grpc.ServerInterceptor {
  return (method, call) => {
    let deaf = false;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message: unknown, pass: (message: unknown) => void) => {
            if (deaf) return;
            if (!(message instanceof Oversized)) return pass(message);
            const refusal = `grpc: received message larger than max (${message.bytes} vs. ${limit})`;
            if (!method.requestStream) {
              call.sendStatus({ code: grpc.status.RESOURCE_EXHAUSTED, details: refusal });
              return;
            }
            deaf = true;
            if (method.path.endsWith('/SendEventsStream')) {
              call.sendStatus({ code: grpc.status.INTERNAL, details: `rpc error: code = ResourceExhausted desc = ${refusal}` });
            } else if (method.path.endsWith('/QueuesUpstream')) {
              panic(`QueuesUpstream read a request over GRPC_BODY_LIMIT (${refusal}): nil request dereferenced`);
            }
          },
        }),
    });
  };
}
