import { isEmptyQueueError } from './broker-errors.js';
import * as GrpcStatus from './grpc-status.js';
import {
  AuthenticationError,
  ConnectionError,
  KubemqError,
  TimeoutError,
  ValidationError,
} from './kubemq-error.js';
import { brokerError, mapError, refusedSizeLimit } from './map-error.js';

const ctx = { operation: 'test.op', channel: 'ch' };
const status = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

// Every numbered text of docs/broker-behaviour.md §3, §5 and §6, with what the client must make of it.
const BROKER_TEXTS: ReadonlyArray<[string, string, boolean, string?]> = [
  ['Error 101: invalid clientID value, cannot be empty', 'VALIDATION', false, 'ClientID'],
  ['Error 102: invalid channel value, cannot be empty', 'VALIDATION', false, 'Channel'],
  ['Error 107: invalid channel value, no wildcards are allowed', 'VALIDATION', false, 'Channel'],
  ['Error 108: invalid channel value, no white spaces are allowed', 'VALIDATION', false, 'Channel'],
  ['Error 109: invalid set timeout value, cannot be 0 or negative', 'VALIDATION', false, 'Timeout'],
  ['Error 110: invalid message, cannot be empty', 'VALIDATION', false, 'Body'],
  ['Error 111: invalid events store type, cannot by 0 or negative', 'VALIDATION', false, 'EventsStoreTypeData'],
  ['Error 112: invalid events store sequence value, cannot by 0 or negative', 'VALIDATION', false, 'EventsStoreTypeValue'],
  ['Error 113: invalid events store start time value, cannot by 0 or negative', 'VALIDATION', false, 'EventsStoreTypeValue'],
  ['Error 114: invalid events store delta time value, cannot by 0 or negative', 'VALIDATION', false, 'EventsStoreTypeValue'],
  ['Error 115: invalid request, cannot be empty', 'VALIDATION', false, 'Body'],
  ['Error 116: invalid cache ttl value, cannot be 0 or negative', 'VALIDATION', false, 'CacheTTL'],
  ['Error 117: invalid request id, cannot be empty', 'VALIDATION', false, 'RequestID'],
  ['Error 118: event store parameters were set but subscribe type is not event store', 'VALIDATION', false, 'SubscribeTypeData'],
  ['Error 119: invalid channel value, cannot end with `.`', 'VALIDATION', false, 'Channel'],
  ['Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot', 'VALIDATION', false, 'Channel'],
  ['Error 121: queue message failed', 'BROKER', true],
  ['Error 122: max messages should be between 1 and max message setting in kubemq config  ', 'VALIDATION', false, 'MaxNumberOfMessages'],
  ['Error 123: queue state error', 'BROKER', false],
  ['Error 124: no active message to ack', 'BROKER', false],
  ['Error 125: ack sequence cannot be 0 or negative', 'VALIDATION', false, 'RefSequence'],
  ['Error 126: queue state error', 'BROKER', false],
  ['Error 127: invalid visibility time, cannot be negative or exceed setting in kubemq config', 'VALIDATION', false, 'VisibilitySeconds'],
  ['Error 128: queue state error', 'BROKER', false],
  ['Error 129: visibility expired', 'BROKER', false],
  ['Error 130: queue state error', 'BROKER', true],
  ['Error 131: invalid queue message', 'VALIDATION', false, 'ModifiedMessage'],
  ['Error 132: invalid stream queue messages request type', 'VALIDATION', false, 'StreamRequestTypeData'],
  ['Error 133: invalid expiration seconds, exceed max expiration seconds setting in kubemq config', 'VALIDATION', false, 'Policy.ExpirationSeconds'],
  ['Error 134: invalid max received count, cannot be negative or exceed max receive count setting in kubemq config', 'VALIDATION', false, 'Policy.MaxReceiveCount'],
  ['Error 135: invalid delay seconds, exceed max delay seconds setting in kubemq config', 'VALIDATION', false, 'Policy.DelaySeconds'],
  ['Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config', 'VALIDATION', false, 'WaitTimeSeconds'],
  ['Error 137: queue state error', 'BROKER', false],
  ['Error 138: no new message in queue, wait time expired', 'QUEUE_EMPTY', false],
  ['Error 200: server crushed and recovered', 'INTERNAL', false],
  ['Error 201: error on loading TLS keys', 'INTERNAL', false],
  ['Error 206: invalid request type', 'VALIDATION', false, 'RequestTypeData'],
  ['Error 207: invalid subscribe type', 'VALIDATION', false, 'SubscribeTypeData'],
  ['Error 301: timeout for request message', 'TIMEOUT', true],
  ['Error 302: connection not available, please retry', 'UNAVAILABLE', true],
  ['Error 402: broker not ready', 'UNAVAILABLE', true],
  ['Error 409: server is in shutdown mode', 'UNAVAILABLE', true],
  ['Error 199: some future validation rule', 'VALIDATION', false],
  ['Error 599: something new', 'BROKER', false],
  ['stan: clientID already registered', 'BROKER', true],
  ['stan: publish ack timeout', 'TIMEOUT', true],
  ['nats: timeout', 'TIMEOUT', true],
  ['nats: connection closed', 'UNAVAILABLE', true],
  ['stan: connection closed', 'UNAVAILABLE', true],
  ['nats: connection draining', 'UNAVAILABLE', true],
  ['stan: invalid connection', 'UNAVAILABLE', true],
  ['cluster snapshot not ready', 'UNAVAILABLE', true],
  ["stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed", 'VALIDATION', false, 'ClientID'],
  ["stan: durable name of a durable queue subscriber can't contain the character ':'", 'VALIDATION', false, 'Channel'],
  ['stan: invalid publish request', 'VALIDATION', false, 'Channel'],
  ['nats: invalid subject', 'VALIDATION', false, 'Channel'],
];

describe('broker error texts', () => {
  it.each(BROKER_TEXTS)('%s → %s (retryable %s)', (...[text, code, retryable, field]) => {
    for (const err of [brokerError(text, ctx), mapError(status(GrpcStatus.INTERNAL, text), ctx)]) {
      expect(err.code).toBe(code);
      expect(err.retryable).toBe(retryable);
      expect(err.message).toContain(text);
      expect(err.operation).toBe('test.op');
      expect(err.channel).toBe('ch');
      const nnn = /^Error (\d+)/.exec(text)?.[1];
      expect(err.brokerCode).toBe(nnn === undefined ? undefined : Number(nnn));
      if (code === 'VALIDATION') expect((err as ValidationError).field).toBe(field);
    }
  });

  it('a gRPC-borne broker error keeps its status', () => {
    const err = mapError(status(GrpcStatus.INTERNAL, 'Error 301: timeout for request message'), { ...ctx, timeoutMs: 1500 });
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).timeoutMs).toBe(1500);
    expect(err.grpcStatus).toBe(13);
  });

  it('a timeout of a request the caller says was sent says so (sent: true); otherwise sent is not known', () => {
    for (const raw of [status(GrpcStatus.INTERNAL, 'Error 301: timeout for request message'), status(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded')]) {
      expect(mapError(raw, ctx, { cancelRequested: false, sent: true })).toMatchObject({ code: 'TIMEOUT', sent: true });
      expect((mapError(raw, ctx, { cancelRequested: false }) as TimeoutError).sent).toBeUndefined();
    }
    // Only a TimeoutError carries it.
    expect(mapError(status(GrpcStatus.UNAVAILABLE, 'down'), ctx, { cancelRequested: false, sent: true })).not.toHaveProperty('sent');
  });

  it('an unknown payload text is a permanent BROKER error', () => {
    const err = brokerError('request unknown', ctx);
    expect(err.code).toBe('BROKER');
    expect(err.retryable).toBe(false);
    expect(err.brokerCode).toBeUndefined();
  });

  it('Error 138 is the empty-queue outcome, nothing else is', () => {
    expect(isEmptyQueueError('Error 138: no new message in queue, wait time expired')).toBe(true);
    expect(isEmptyQueueError('Error 137: queue state error')).toBe(false);
    expect(isEmptyQueueError('')).toBe(false);
  });
});

describe('gRPC statuses', () => {
  it.each([
    [GrpcStatus.CANCELLED, 'CANCELLED', false, KubemqError],
    [GrpcStatus.UNKNOWN, 'UNKNOWN', false, KubemqError],
    [GrpcStatus.INVALID_ARGUMENT, 'VALIDATION', false, ValidationError],
    [GrpcStatus.DEADLINE_EXCEEDED, 'TIMEOUT', true, TimeoutError],
    [GrpcStatus.NOT_FOUND, 'NOT_FOUND', false, KubemqError],
    [GrpcStatus.ALREADY_EXISTS, 'BROKER', false, KubemqError],
    [GrpcStatus.PERMISSION_DENIED, 'PERMISSION_DENIED', false, KubemqError],
    [GrpcStatus.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED', true, KubemqError],
    [GrpcStatus.FAILED_PRECONDITION, 'BROKER', false, KubemqError],
    [GrpcStatus.ABORTED, 'BROKER', true, KubemqError],
    [GrpcStatus.OUT_OF_RANGE, 'VALIDATION', false, ValidationError],
    [GrpcStatus.UNIMPLEMENTED, 'UNIMPLEMENTED', false, KubemqError],
    [GrpcStatus.INTERNAL, 'INTERNAL', false, KubemqError],
    [GrpcStatus.UNAVAILABLE, 'UNAVAILABLE', true, ConnectionError],
    [GrpcStatus.DATA_LOSS, 'INTERNAL', false, KubemqError],
    [GrpcStatus.UNAUTHENTICATED, 'AUTHENTICATION', false, AuthenticationError],
    [GrpcStatus.OK, 'UNKNOWN', false, KubemqError], // never a failure: nothing to map it to
    [17, 'UNKNOWN', false, KubemqError], // not a status gRPC defines
  ] as const)('status %i → %s', (code, expected, retryable, type) => {
    const err = mapError(status(code, 'details'), ctx);
    expect(err).toBeInstanceOf(type);
    expect(err.code).toBe(expected);
    expect(err.retryable).toBe(retryable);
    expect(err.grpcStatus).toBe(code);
    expect(err.cause).toBeDefined();
  });

  it("an access refusal keeps its status's class, whatever `Error NNN` text the broker put in it", () => {
    // A server that checks tokens refuses a bad one with UNAUTHENTICATED and its own numbered text.
    const expired = mapError(status(GrpcStatus.UNAUTHENTICATED, 'Error 421: authentication verification failed, token is expired'), ctx);
    expect(expired).toBeInstanceOf(AuthenticationError);
    expect(expired).toMatchObject({ code: 'AUTHENTICATION', retryable: false, grpcStatus: GrpcStatus.UNAUTHENTICATED });
    const denied = mapError(status(GrpcStatus.PERMISSION_DENIED, 'Error 412: access denied to resource'), ctx);
    expect(denied).toMatchObject({ code: 'PERMISSION_DENIED', retryable: false });
    // The same kind of text under another status is still read as the broker's.
    expect(mapError(status(GrpcStatus.INTERNAL, 'Error 409: server is in shutdown mode'), ctx)).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('a TLS handshake failure is TLS, not retryable', () => {
    const err = mapError(status(GrpcStatus.UNAVAILABLE, 'No connection established. Last error: unable to verify the first certificate'), ctx);
    expect(err.code).toBe('TLS');
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.retryable).toBe(false);
    const drop = mapError(status(GrpcStatus.UNAVAILABLE, 'Client network socket disconnected before secure TLS connection was established'), ctx);
    expect(drop).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('an oversized message is not retryable; excess pings are', () => {
    expect(mapError(status(8, 'Received message larger than max (200 vs. 100)'), ctx).retryable).toBe(false);
    expect(mapError(status(8, 'Attempted to send message with a size larger than 100'), ctx).retryable).toBe(false);
    expect(mapError(status(8, 'Received message that decompresses to a size larger than 100'), ctx).retryable).toBe(false);
    expect(mapError(status(8, 'Bandwidth exhausted or memory limit exceeded'), ctx).retryable).toBe(true);
  });

  it("a broker's refusal of a message over its limit is RESOURCE_EXHAUSTED whatever status carries it, and gives the limit", () => {
    // The open-source server ends SendEventsStream with INTERNAL around grpc-go's own error.
    const wrapped = mapError(status(GrpcStatus.INTERNAL, 'rpc error: code = ResourceExhausted desc = grpc: received message larger than max (5000 vs. 4096)'), ctx);
    expect(wrapped).toMatchObject({ code: 'RESOURCE_EXHAUSTED', retryable: false });
    expect(refusedSizeLimit(wrapped)).toBe(4096);
    expect(refusedSizeLimit(mapError(status(8, 'Received message larger than max (70000 vs 65536)'), ctx))).toBe(65536);
    expect(refusedSizeLimit(mapError(status(8, 'Attempted to send message with a size larger than 100'), ctx))).toBeUndefined();
    expect(refusedSizeLimit(mapError(status(GrpcStatus.UNAVAILABLE, 'connection lost'), ctx))).toBeUndefined();
  });

  describe('transport-level ends of a call (a broker stopping or killed) are a retryable connection loss', () => {
    it.each([
      'Received RST_STREAM with code 0 (Call ended without gRPC status)',
      'Received RST_STREAM with code 0',
      'Received RST_STREAM with code 2 (Internal server error)',
      'Call ended without gRPC status',
      'Stream refused by server',
      'Connection dropped',
    ])('INTERNAL %j → UNAVAILABLE, retryable', (details) => {
      const err = mapError(status(GrpcStatus.INTERNAL, details), ctx);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true, grpcStatus: GrpcStatus.INTERNAL, channel: 'ch' });
      expect(err.message).toContain(details);
      expect(err.cause).toBeDefined();
    });

    it('a CANCELLED status the caller did not request → UNAVAILABLE, retryable', () => {
      const err = mapError(status(GrpcStatus.CANCELLED, 'Cancelled on server'), ctx, { cancelRequested: false });
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true, grpcStatus: GrpcStatus.CANCELLED });
      expect(err.message).toContain('the broker cancelled the call (Cancelled on server)');
    });

    it('a CANCELLED status the caller requested, or with nothing known about the call, stays CANCELLED', () => {
      const requested = mapError(status(GrpcStatus.CANCELLED, 'Cancelled on client'), ctx, { cancelRequested: true });
      expect(requested).toMatchObject({ code: 'CANCELLED', retryable: false, grpcStatus: GrpcStatus.CANCELLED });
      expect(mapError(status(GrpcStatus.CANCELLED, 'Cancelled on client'), ctx)).toMatchObject({ code: 'CANCELLED', retryable: false });
    });

    it.each([
      ['Error 200: server crushed and recovered', 'INTERNAL', false, 200],
      ['Error 201: error on loading TLS keys', 'INTERNAL', false, 201],
      ['Error 102: invalid channel value, cannot be empty', 'VALIDATION', false, 102],
      ['Error 409: server is in shutdown mode', 'UNAVAILABLE', true, 409],
      ['Error 412: access denied to resource', 'PERMISSION_DENIED', false, 412],
      ['Error 414: access denied, no enforcer to validate', 'PERMISSION_DENIED', false, 414],
      ['Error 421: authentication verification failed, token is expired', 'AUTHENTICATION', false, 421],
      ['stan: invalid publish request', 'VALIDATION', false, undefined],
      ['nats: invalid queue name', 'VALIDATION', false, undefined],
      ['rejecting channel "_EVENTS_STORE_.Orders" because channel "_EVENTS_STORE_.orders" alreay exists (different cases not allowed)', 'VALIDATION', false, undefined],
      ['stan: invalid subject', 'VALIDATION', false, undefined],
      ['stan: publish ack timeout', 'TIMEOUT', true, undefined],
      ['stan: connect request timeout (possibly wrong cluster ID?)', 'TIMEOUT', true, undefined],
      ['stan: subscribe request timeout', 'TIMEOUT', true, undefined],
      ['some other failure inside the broker', 'INTERNAL', false, undefined],
    ] as const)('a genuine broker INTERNAL keeps its classification: %j', (details, code, retryable, brokerCode) => {
      const err = mapError(status(GrpcStatus.INTERNAL, details), ctx);
      expect(err).toMatchObject({ code, retryable, grpcStatus: GrpcStatus.INTERNAL });
      expect(err.brokerCode).toBe(brokerCode);
    });

    it('a broker text wins over an unrequested CANCELLED', () => {
      const err = mapError(status(GrpcStatus.CANCELLED, 'Error 102: invalid channel value, cannot be empty'), ctx, { cancelRequested: false });
      expect(err).toMatchObject({ code: 'VALIDATION', retryable: false, brokerCode: 102 });
    });
  });

  it('non-gRPC failures', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(mapError(abort, ctx).code).toBe('CANCELLED');
    const unknown = mapError(new TypeError('boom'), ctx);
    expect(unknown.code).toBe('UNKNOWN');
    expect(unknown.cause).toBeInstanceOf(TypeError);
    const same = new KubemqError({ code: 'CLOSED', message: 'x', operation: 'o' });
    expect(mapError(same, ctx)).toBe(same);
  });
});

describe('KubemqError', () => {
  it('is recognised across copies by its Symbol.for brand', () => {
    const err = new ValidationError({ message: 'bad', operation: 'o', field: 'channel' });
    expect(KubemqError.isKubemqError(err)).toBe(true);
    // A structurally foreign copy: another module instance brands with the same global symbol.
    const foreign = Object.create(Error.prototype) as Error;
    Object.defineProperty(foreign, Symbol.for('@kubemq/core/KubemqError'), { value: true });
    expect(KubemqError.isKubemqError(foreign)).toBe(true);
    expect(KubemqError.isKubemqError(new Error('x'))).toBe(false);
    expect(KubemqError.isKubemqError(null)).toBe(false);
  });

  it('serialises to JSON with its fields', () => {
    const err = new TimeoutError({ message: 'late', operation: 'rpc.send', channel: 'c', timeoutMs: 10, cause: new Error('inner') });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'TimeoutError', code: 'TIMEOUT', message: 'late', retryable: true, operation: 'rpc.send', channel: 'c',
      timeoutMs: 10, cause: { name: 'Error', message: 'inner' },
    });
    // `sent` only when known.
    expect(new TimeoutError({ message: 'late', operation: 'o', sent: false }).toJSON()).toMatchObject({ sent: false });
    expect(new ValidationError({ message: 'm', operation: 'o', field: 'f' }).toJSON()).toMatchObject({ field: 'f', code: 'VALIDATION' });
  });

  it('a TimeoutError given retryable: undefined is retryable, as one given none', () => {
    expect(new TimeoutError({ message: 'late', operation: 'o', retryable: undefined }).retryable).toBe(true);
    expect(new TimeoutError({ message: 'late', operation: 'o', retryable: false }).retryable).toBe(false);
  });
});
