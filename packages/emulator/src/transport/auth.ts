// Emulator-only token auth: every call but Ping must carry `authorization` metadata equal to the
// token, else UNAUTHENTICATED (as the server revisions that check tokens do). The open-source server parses auth settings but never enforces them
// (broker-behaviour.md §0 item 2), so this is off by default.
import * as grpc from '@grpc/grpc-js';
import { AUTH_INVALID_TOKEN, AUTH_MISSING_TOKEN } from '../service/errors.js';
import { statusError } from '../service/status.js';

type AnyCall = { metadata: grpc.Metadata; emit(event: 'error', e: unknown): unknown };

function check(call: AnyCall, token: string): string | undefined {
  const values = call.metadata.get('authorization');
  if (values.length === 0 || values[0] === '') return AUTH_MISSING_TOKEN;
  const got = String(values[0]);
  return got === token ? undefined : AUTH_INVALID_TOKEN;
}

/** Wraps a handler so it runs only for calls with the right token. */
export function withAuth(handler: grpc.UntypedHandleCall, token: string, requestStream: boolean, responseStream: boolean): grpc.UntypedHandleCall {
  if (!requestStream && !responseStream) {
    const unary = handler as grpc.handleUnaryCall<unknown, unknown>;
    return ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const err = check(call, token);
      if (err) return callback(statusError(grpc.status.UNAUTHENTICATED, err));
      unary(call, callback);
    }) as grpc.UntypedHandleCall;
  }
  const stream = handler as (call: AnyCall) => void;
  return ((call: AnyCall) => {
    const err = check(call, token);
    if (err) {
      call.emit('error', statusError(grpc.status.UNAUTHENTICATED, err));
      return;
    }
    stream(call);
  }) as grpc.UntypedHandleCall;
}
