// The grpc-js server: binds the method table on one address with TLS, the keepalive policy and
// optional token auth. Nothing here knows a pattern.
import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { createServer, isIP } from 'node:net';
import type { EmulatorConfig } from '../config.js';
import { kubemqService } from '../generated/kubemq.js';
import type { EmulatorLogger } from '../log.js';
import { withAuth } from './auth.js';
import { bodyLimitInterceptor, limitRequests } from './body-limit.js';
import { watchSession } from './half-close.js';
import { enforcePingPolicy } from './keepalive-policy.js';
import { closeGoneAwaySessions, liftResetLimit } from './reset-limit.js';
import { METHOD_NAMES, SERVICE_NAME, methodTable, serviceDefinition, type MethodHandlers } from './method-table.js';
import { REFLECTION_SERVICE, reflectionDefinition, reflectionHandler } from './reflection.js';
import { serverCredentials } from './tls.js';
import { installUnknownMethodTexts } from './unknown-method.js';

export interface RunningServer {
  readonly port: number;
  /** Graceful: stops accepting, waits up to graceMs for calls to end, then cancels the rest. */
  close(graceMs: number): Promise<void>;
}

/** The bind failed because the port is taken. */
export class PortInUseError extends Error {
  /** Always `'PortInUseError'`. */
  override readonly name = 'PortInUseError';
}

/** Whether `port` can be bound on `host` (an IP address) right now. */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRINUSE'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function hookSessions(server: grpc.Server, onSession: (session: http2.Http2Session) => void): void {
  // grpc-js has no public session hook; wrap the per-http2-server setup it runs before listening.
  const s = server as unknown as { _setupHandlers?: (h: http2.Http2Server, ...rest: unknown[]) => void };
  const original = s._setupHandlers;
  if (typeof original !== 'function') throw new Error('this @grpc/grpc-js version has no _setupHandlers; cannot enforce the keepalive policy');
  s._setupHandlers = function (this: unknown, h2: http2.Http2Server, ...rest: unknown[]) {
    original.call(this, h2, ...rest);
    h2?.on('session', onSession);
  };
}

/** `panic`: where the real server would crash (a queue upstream reading a request over the body limit). */
export async function startGrpcServer(config: EmulatorConfig, handlers: MethodHandlers, log: EmulatorLogger, panic: (reason: string) => void): Promise<RunningServer> {
  const server = new grpc.Server({
    // The receive limit is applied per message, as the Go server applies it (body-limit.ts).
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': config.bodyLimit,
    interceptors: [bodyLimitInterceptor(panic)],
  });
  liftResetLimit(server);
  const sessions = new Set<http2.Http2Session>();
  hookSessions(server, (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    watchSession(session);
    closeGoneAwaySessions(session, log);
    if (config.keepalive.enforce) enforcePingPolicy(session, config.keepalive, log);
  });
  installUnknownMethodTexts(server, [SERVICE_NAME, REFLECTION_SERVICE]);
  let impl = methodTable(handlers, (method, err) => log.error(`handler ${method} threw`, { error: String((err as Error)?.stack ?? err) }));
  if (config.authToken) {
    const token = config.authToken;
    const wrapped: grpc.UntypedServiceImplementation = {};
    for (const name of METHOD_NAMES) {
      const def = kubemqService[name];
      // The token-checking servers' unary interceptor skips every method whose path holds "Ping".
      const handler = impl[name]!;
      const unchecked = !def.requestStream && !def.responseStream && def.path.includes('Ping');
      wrapped[name] = unchecked ? handler : withAuth(handler, token, def.requestStream, def.responseStream);
    }
    impl = wrapped;
  }
  server.addService(limitRequests(serviceDefinition, config.bodyLimit), impl);
  let reflection = reflectionHandler([SERVICE_NAME, REFLECTION_SERVICE]) as grpc.UntypedHandleCall;
  if (config.authToken) reflection = withAuth(reflection, config.authToken, true, true);
  server.addService(reflectionDefinition, { serverReflectionInfo: reflection });
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  // grpc-js prints a failed bind to stderr ("E No address added …") before it rejects: a taken
  // port is found first, and told by PortInUseError alone.
  if (config.port !== 0 && isIP(config.host) !== 0 && !(await portFree(config.host, config.port))) {
    throw new PortInUseError(`port ${config.port} on ${config.host} is already in use`);
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${config.port}`, serverCredentials(config.tls), (err, p) => {
      if (err) {
        const inUse = /EADDRINUSE|address already in use/i.test(err.message);
        reject(inUse ? new PortInUseError(`port ${config.port} on ${config.host} is already in use`) : err);
      } else resolve(p);
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // A hard stop drops the connections (clients see UNAVAILABLE, as when grpc-go's
          // Stop() closes them), rather than cancelling each call (CANCELLED).
          for (const s of sessions) s.destroy();
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
