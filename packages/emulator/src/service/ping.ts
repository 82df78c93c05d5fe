// Ping (broker-behaviour.md §0 [seen]): {Host, Version, ServerStartTime (Unix s), ServerUpTimeSeconds}.
import type * as grpc from '@grpc/grpc-js';
import type { Empty, PingResult } from '../generated/kubemq.js';
import type { ServiceContext } from './context.js';

export function createPingService(ctx: ServiceContext) {
  const ping: grpc.handleUnaryCall<Empty, PingResult> = (_call, callback) => {
    const now = ctx.clock.nowMs();
    callback(null, {
      Host: ctx.config.nodeName,
      Version: ctx.config.version,
      ServerStartTime: BigInt(Math.floor(ctx.startedAtMs / 1000)),
      ServerUpTimeSeconds: BigInt(Math.floor((now - ctx.startedAtMs) / 1000)),
    });
  };
  return { ping };
}
