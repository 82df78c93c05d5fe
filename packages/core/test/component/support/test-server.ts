// An in-process grpc-js server for component tests: the `kubemq.kubemq` service hand-built from
// the generated codecs, with per-test handlers, plain or TLS, on 127.0.0.1 (port 0 or a given one).
// A server decodes requests and encodes responses, the other way round from the client, so it takes
// the emulator's codecs (`@kubemq/emulator/wire`: both directions; core's go one way each).
import {
  Server,
  ServerCredentials,
  type MethodDefinition,
  type ServiceDefinition,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  Empty,
  Event,
  EventReceive,
  PingResult,
  QueuesInfoRequest,
  QueuesInfoResponse,
  Request,
  Response,
  Result,
  Subscribe,
} from '@kubemq/emulator/wire';

type Kind = 'unary' | 'serverStream' | 'bidiStream';
interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}
const method = <Q, R>(kind: Kind, req: Codec<Q>, res: Codec<R>) =>
  ({ kind, req, res }) as unknown as { kind: Kind; req: Codec<unknown>; res: Codec<unknown> };

const METHODS = {
  Ping: method('unary', Empty, PingResult),
  SendEvent: method('unary', Event, Result),
  SendEventsStream: method('bidiStream', Event, Result),
  SubscribeToEvents: method('serverStream', Subscribe, EventReceive),
  SendRequest: method('unary', Request, Response),
  AckAllQueueMessages: method('unary', AckAllQueueMessagesRequest, AckAllQueueMessagesResponse),
  QueuesInfo: method('unary', QueuesInfoRequest, QueuesInfoResponse),
};

export type MethodName = keyof typeof METHODS;
export type Handlers = Partial<Record<MethodName, UntypedHandleCall>>;

export interface TestServerOptions {
  port?: number;
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requireClientCert?: boolean };
}

export interface TestServer {
  readonly address: string;
  readonly port: number;
  /** Hard stop (like a crash): open calls end with UNAVAILABLE. */
  stop(): Promise<void>;
}

/** A Ping answer like the broker's. */
export const PING_INFO = PingResult.create({ Host: 'test-host', Version: 'v9.9.9', ServerStartTime: 1_700_000_000n, ServerUpTimeSeconds: 42n });

export const pingHandler: UntypedHandleCall = (_call: unknown, callback: (err: null, res: PingResult) => void) => callback(null, PING_INFO);

export async function startTestServer(handlers: Handlers, options: TestServerOptions = {}): Promise<TestServer> {
  const server = new Server();
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries({ Ping: pingHandler, ...handlers })) {
    const { kind, req, res } = METHODS[name as MethodName];
    definition[name] = {
      path: `/kubemq.kubemq/${name}`,
      requestStream: kind === 'bidiStream',
      responseStream: kind !== 'unary',
      requestSerialize: (m: unknown) => Buffer.from(req.encode(m).finish()),
      requestDeserialize: (b: Buffer) => req.decode(b),
      responseSerialize: (m: unknown) => Buffer.from(res.encode(m).finish()),
      responseDeserialize: (b: Buffer) => res.decode(b),
    };
    implementation[name] = handler as UntypedHandleCall;
  }
  server.addService(definition as ServiceDefinition, implementation);
  const credentials = options.tls
    ? ServerCredentials.createSsl(options.tls.ca ?? null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], options.tls.requireClientCert ?? false)
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    port,
    stop: async () => {
      server.forceShutdown();
    },
  };
}
