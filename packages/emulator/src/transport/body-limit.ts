// GRPC_BODY_LIMIT on what the broker reads, applied the way the Go server applies it.
//
// grpc-js's own receive limit ends a call with RESOURCE_EXHAUSTED as soon as a message over it
// starts, and drops the messages that came in the same read. grpc-go's reader refuses only the
// message over the limit, after every message before it was handled, and leaves the call to its
// handler: a unary or server-streaming call ends with RESOURCE_EXHAUSTED before any handler runs,
// and each streaming handler of the broker does its own thing with the error (see
// `bodyLimitInterceptor`). So the server reads without a limit of its own (it takes a refused
// message whole, where grpc-go stops at its length prefix) and this module applies it per message.
import * as grpc from '@grpc/grpc-js';

/** Stands for a request over the limit, in place of the message it would have decoded to. */
export class OversizedRequest {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {}

  /** grpc-go's words for it. */
  get refusal(): string {
    return `grpc: received message larger than max (${this.bytes} vs. ${this.limit})`;
  }
}

/** `definition` with every request decoder giving an `OversizedRequest` for a message over `limit` bytes. */
export function limitRequests(definition: grpc.ServiceDefinition, limit: number): grpc.ServiceDefinition {
  const limited: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition as Record<string, grpc.MethodDefinition<unknown, unknown>>)) {
    const decode = method.requestDeserialize;
    limited[name] = { ...method, requestDeserialize: (bytes: Buffer) => (bytes.length > limit ? new OversizedRequest(bytes.length, limit) : decode(bytes)) };
  }
  return limited as grpc.ServiceDefinition;
}

/**
 * What the broker does with a request over the limit:
 * - a unary or server-streaming call ends with RESOURCE_EXHAUSTED, in grpc-go's words;
 * - `SendEventsStream`'s handler gets the `OversizedRequest` and ends the call with INTERNAL
 *   around those words, after the results it owes (the server's handler returns the read error as
 *   `status.Error(codes.Internal, err.Error())`); nothing after it is read;
 * - the queue streams' readers hand their handler a nil request and read on from the middle of the
 *   refused message, so nothing more is read or answered here; `QueuesUpstream`'s request task
 *   dereferences that nil request in a goroutine of its own, a `panic` that takes the whole server
 *   down.
 * A message not passed on leaves grpc-js waiting for it to be processed: the call reads nothing
 * more (and sends no status of its own).
 */
export function bodyLimitInterceptor(panic: (reason: string) => void): grpc.ServerInterceptor {
  return (method, call) => {
    let refused = false;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message: unknown, pass: (message: unknown) => void) => {
            if (refused) return;
            if (!(message instanceof OversizedRequest)) return pass(message);
            refused = true;
            if (!method.requestStream) call.sendStatus({ code: grpc.status.RESOURCE_EXHAUSTED, details: message.refusal });
            else if (method.path.endsWith('/SendEventsStream')) pass(message);
            else if (method.path.endsWith('/QueuesUpstream')) panic(`QueuesUpstream read a request over GRPC_BODY_LIMIT (${message.refusal}): nil request dereferenced`);
          },
        }),
    });
  };
}
