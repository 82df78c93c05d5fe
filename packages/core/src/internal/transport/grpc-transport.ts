import {
  Client,
  connectivityState,
  credentials,
  Metadata,
  status,
  type CallOptions,
  type ChannelOptions,
  type ChannelInterface,
  type ClientDuplexStream,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { errorText } from '../errors/error-text.js';
import type { Decoder } from '../generated/kubemq.js';
import { MAX_TIMER_MS } from '../util/monotonic.js';
import type { MethodDescriptor } from './method-descriptor.js';
import type { TlsMaterial } from './tls-material.js';

/** The channel's connectivity, as grpc-js reports it. */
export type ChannelConnectivity = 'idle' | 'connecting' | 'ready' | 'transient_failure' | 'shutdown';

/** One channel's settings: where, how (TLS), keepalive and the message size limit. */
export interface TransportConfig {
  address: string;
  tls?: TlsMaterial;
  /** Keepalive ping interval; undefined → no keepalive pings. */
  keepaliveIntervalMs?: number;
  keepaliveTimeoutMs: number;
  maxMessageBytes: number;
}

/** Per-call parameters. `metadata` is plain pairs (e.g. `authorization`). */
export interface CallParams {
  metadata: Readonly<Record<string, string>>;
  deadline?: Date;
  /** A unary call that cancelUnaryCalls() leaves running. */
  outlivesClose?: boolean;
}

/** Receives what a stream delivers: messages, then exactly one of end (status OK) or error. */
export interface StreamHandlers<Res> {
  data(message: Res): void;
  end(): void;
  error(err: ServiceError): void;
}

/** An open call, before core's error mapping. */
export interface RawStream {
  cancel(): void;
}

/** An open bidirectional call: write (false when the HTTP/2 buffer is full), drain, half-close. */
export interface RawBidiStream<Req> extends RawStream {
  write(message: Req): boolean;
  drained(): Promise<void>;
  end(): void;
  /** Resolves once the half-close went down to the transport, after every write (or the call ended). */
  halfClosed(): Promise<void>;
}

const CONNECTIVITY: Record<number, ChannelConnectivity> = {
  [connectivityState.IDLE]: 'idle',
  [connectivityState.CONNECTING]: 'connecting',
  [connectivityState.READY]: 'ready',
  [connectivityState.TRANSIENT_FAILURE]: 'transient_failure',
  [connectivityState.SHUTDOWN]: 'shutdown',
};

/**
 * The only place that talks to @grpc/grpc-js: one channel, and the three call shapes built from
 * method descriptors (`Codec.encode(msg).finish()` → Buffer, `Codec.decode(buf)`), never a
 * generated service client.
 */
export class GrpcTransport {
  readonly #client: Client;
  readonly #channel: ChannelInterface;
  /** Unary calls waiting for their status: closing the channel leaves them running. */
  readonly #unaryCalls = new Set<ReturnType<ChannelInterface['createCall']>>();

  constructor(config: TransportConfig) {
    const options: ChannelOptions = {
      'grpc.max_send_message_length': config.maxMessageBytes,
      'grpc.max_receive_message_length': config.maxMessageBytes,
      // Never idle the channel out: an idle timeout would look like a lost connection.
      'grpc.client_idle_timeout_ms': MAX_TIMER_MS,
      // One connection per client: grpc-js otherwise shares one between clients with the same
      // settings, so a client made to keep subscriptions apart from sends would not, and one
      // GOAWAY or broken connection would end every client's streams at once.
      'grpc.use_local_subchannel_pool': 1,
      // The client drives reconnects with its own policy; keep grpc-js's own waits short under it.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      // Never ping without calls: the broker's server (grpc-go defaults) answers that with GOAWAY.
      'grpc.keepalive_permit_without_calls': 0,
      ...(config.keepaliveIntervalMs !== undefined && {
        'grpc.keepalive_time_ms': config.keepaliveIntervalMs,
        'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
      }),
      ...(config.tls?.serverName !== undefined && {
        'grpc.ssl_target_name_override': config.tls.serverName,
        'grpc.default_authority': config.tls.serverName,
      }),
    };
    const creds = config.tls
      ? credentials.createSsl(config.tls.ca ?? null, config.tls.key ?? null, config.tls.cert ?? null)
      : credentials.createInsecure();
    this.#client = new Client(config.address, creds, options);
    this.#channel = this.#client.getChannel();
  }

  /**
   * A unary call straight on the channel (`Channel.createCall`), the layer grpc-js's own
   * `makeUnaryRequest` sits on. That skips what this SDK never uses there (interceptors, a call
   * emitter, a captured caller stack per call): about 15% less CPU per call (docs/benchmarks.md).
   * Outcomes are the same as makeUnaryRequest's: a ServiceError for every non-OK status, for a
   * response that does not decode and for a missing or second response.
   */
  unary<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, params: CallParams, signal?: AbortSignal): Promise<Res> {
    const codecs = codecsOf(method);
    return new Promise<Res>((resolve, reject) => {
      let payload: Buffer;
      try {
        payload = codecs.serialize(request);
      } catch (err) {
        reject(serviceError({ code: status.INTERNAL, details: `Request message serialization failure: ${errorText(err)}`, metadata: new Metadata() }));
        return;
      }
      // Built first: it throws on a value gRPC refuses, before anything is listened to or tracked.
      const metadata = toMetadata(params.metadata);
      const call = this.#channel.createCall(method.path, params.deadline ?? Infinity, undefined, null, undefined);
      const onAbort = () => call.cancelWithStatus(status.CANCELLED, 'Cancelled on client');
      let response: { value: Res } | undefined;
      // Listen before start: however soon the status arrives, it finds the listener to remove.
      if (!signal?.aborted) signal?.addEventListener('abort', onAbort, { once: true });
      call.start(metadata, {
        onReceiveMetadata: () => undefined,
        onReceiveMessage: (message: Buffer) => {
          if (response !== undefined) {
            call.cancelWithStatus(status.UNIMPLEMENTED, 'Too many responses received');
            return;
          }
          try {
            response = { value: codecs.deserialize(message) };
          } catch (err) {
            call.cancelWithStatus(status.INTERNAL, `Response message parsing error: ${errorText(err)}`);
          }
        },
        onReceiveStatus: (result: StatusObject) => {
          this.#unaryCalls.delete(call);
          signal?.removeEventListener('abort', onAbort);
          if (result.code !== status.OK) reject(serviceError(result));
          else if (response === undefined) reject(serviceError({ ...result, code: status.UNIMPLEMENTED, details: 'No message received' }));
          else resolve(response.value);
        },
      });
      if (!params.outlivesClose) this.#unaryCalls.add(call);
      call.startRead();
      call.sendMessageWithContext({}, payload);
      call.halfClose();
      if (signal?.aborted) onAbort();
    });
  }

  serverStream<Req, Res>(method: MethodDescriptor<Req, Res>, request: Req, params: CallParams, handlers: StreamHandlers<Res>): RawStream {
    const codecs = codecsOf(method);
    const call = this.#client.makeServerStreamRequest(
      method.path,
      codecs.serialize,
      codecs.deserialize,
      request,
      toMetadata(params.metadata),
      callOptions(params),
    );
    settleStream(call, handlers);
    return { cancel: () => call.cancel() };
  }

  bidiStream<Req, Res>(method: MethodDescriptor<Req, Res>, params: CallParams, handlers: StreamHandlers<Res>): RawBidiStream<Req> {
    const codecs = codecsOf(method);
    const call: ClientDuplexStream<Req, Res> = this.#client.makeBidiStreamRequest(
      method.path,
      codecs.serialize,
      codecs.deserialize,
      toMetadata(params.metadata),
      callOptions(params),
    );
    settleStream(call, handlers);
    return {
      cancel: () => call.cancel(),
      write: (message) => call.write(message),
      drained: () => drained(call),
      end: () => call.end(),
      halfClosed: () => halfClosed(call),
    };
  }

  /** The channel's state; `connect` wakes an idle channel. */
  connectivity(connect = false): ChannelConnectivity {
    return CONNECTIVITY[this.#client.getChannel().getConnectivityState(connect)] ?? 'shutdown';
  }

  /** Calls `listener` on every connectivity change until the channel shuts down. */
  watchConnectivity(listener: (state: ChannelConnectivity) => void): void {
    const channel = this.#client.getChannel();
    const watch = (current: number) => {
      if (current === connectivityState.SHUTDOWN) return;
      channel.watchConnectivityState(current, Infinity, () => {
        const next = channel.getConnectivityState(false);
        listener(CONNECTIVITY[next] ?? 'shutdown');
        watch(next);
      });
    };
    watch(channel.getConnectivityState(false));
  }

  /** Ends every unary call still waiting for its answer but those that outlive close, with this status (default CANCELLED). */
  cancelUnaryCalls(code: status = status.CANCELLED, details = 'the client is closed'): void {
    for (const call of this.#unaryCalls) call.cancelWithStatus(code, details);
  }

  close(): void {
    this.#client.close();
  }
}

/** A failed call as grpc-js reports one (`ServiceError`): `"<code> <NAME>: <details>"` plus the status. */
function serviceError(result: StatusObject): ServiceError {
  return Object.assign(new Error(`${result.code} ${status[result.code]}: ${result.details}`), result);
}

/** Resolves once the write buffer has room again (at once if it has), or when the call ends. */
/** grpc-js emits 'finish' once its final half-close call was made, after the buffered writes. */
function halfClosed<Req, Res>(call: ClientDuplexStream<Req, Res>): Promise<void> {
  return call.writableFinished ? Promise.resolve() : untilEvent(call, 'finish');
}

function drained<Req, Res>(call: ClientDuplexStream<Req, Res>): Promise<void> {
  return call.writableNeedDrain ? untilEvent(call, 'drain') : Promise.resolve();
}

/** Resolves on `event`, or when the call ends (its status) first. */
function untilEvent<Req, Res>(call: ClientDuplexStream<Req, Res>, event: 'drain' | 'finish'): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      call.off(event, done);
      call.off('status', done);
      resolve();
    };
    call.once(event, done);
    call.once('status', done);
  });
}

function deserializer<T>(codec: Decoder<T>): (value: Buffer) => T {
  return (value) => codec.decode(value);
}

interface Codecs<Req, Res> {
  readonly serialize: (value: Req) => Buffer;
  readonly deserialize: (value: Buffer) => Res;
}
const codecCache = new WeakMap<object, Codecs<unknown, unknown>>();

/** A method's grpc-js serializer and deserializer, made once per descriptor instead of per call. */
function codecsOf<Req, Res>(method: MethodDescriptor<Req, Res>): Codecs<Req, Res> {
  let pair = codecCache.get(method) as Codecs<Req, Res> | undefined;
  if (pair === undefined) {
    pair = { serialize: method.serialize, deserialize: deserializer(method.responseCodec) };
    codecCache.set(method, pair as Codecs<unknown, unknown>);
  }
  return pair;
}

/** A new Metadata per call (grpc-js adds its own headers to it). */
function toMetadata(pairs: Readonly<Record<string, string>>): Metadata {
  const metadata = new Metadata();
  for (const key in pairs) metadata.set(key, pairs[key] as string);
  return metadata;
}

function callOptions(params: CallParams): CallOptions {
  return params.deadline ? { deadline: params.deadline } : {};
}

/**
 * Reports exactly one outcome, after every message: grpc-js emits 'error' (non-OK) or 'status' as
 * soon as the status arrives, possibly while messages still wait in the stream's buffer, and
 * 'end' only once they have all been delivered.
 */
function settleStream<Res>(call: NodeJS.EventEmitter, handlers: StreamHandlers<Res>): void {
  let outcome: (() => void) | undefined;
  let ended = false;
  let settled = false;
  const settle = () => {
    if (settled || !ended || !outcome) return;
    settled = true;
    outcome();
  };
  call.on('data', (message: Res) => handlers.data(message));
  call.on('error', (err: ServiceError) => {
    outcome ??= () => handlers.error(err);
    settle();
  });
  call.on('status', (s: { code: number }) => {
    if (s.code === status.OK) outcome ??= () => handlers.end();
    settle();
  });
  call.on('end', () => {
    ended = true;
    settle();
  });
}
