// grpc-js answers unknown paths with its own text; grpc-go (the real server) says
// `unknown method M for service S` or `unknown service S` (broker-behaviour.md §6). This hooks grpc-js's
// handler lookup (an internal method; if it ever disappears, grpc-js's own text is used).
import * as grpc from '@grpc/grpc-js';
import { unknownMethod, unknownService } from '../service/errors.js';
import { statusError } from '../service/status.js';

interface HandlerLike {
  func: (call: { emit(e: 'error', err: unknown): unknown }) => void;
  serialize: (v: unknown) => Buffer;
  deserialize: (b: Buffer) => unknown;
  type: 'bidi';
  path: string;
}

export function installUnknownMethodTexts(server: grpc.Server, knownServices: readonly string[]): void {
  const s = server as unknown as { _retrieveHandler?: (path: string) => unknown };
  const original = s._retrieveHandler;
  if (typeof original !== 'function') return;
  s._retrieveHandler = function (this: unknown, path: string) {
    const found = original.call(this, path);
    if (found) return found;
    const m = /^\/([^/]*)\/(.*)$/.exec(path);
    const service = m?.[1] ?? '';
    const method = m?.[2] ?? path;
    const details = knownServices.includes(service) ? unknownMethod(method, service) : unknownService(service);
    const handler: HandlerLike = {
      func: (call) => void call.emit('error', statusError(grpc.status.UNIMPLEMENTED, details)),
      serialize: (v) => v as Buffer,
      deserialize: (b) => b,
      type: 'bidi',
      path,
    };
    return handler;
  };
}
