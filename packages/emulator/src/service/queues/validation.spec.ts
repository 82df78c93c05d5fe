/// <reference types="jest" />
import { DEFAULT_BROKER_QUEUE_LIMITS } from '../../config.js';
import { StreamRequestType, type QueueMessage, type QueueMessagePolicy, type StreamQueueMessagesRequest } from '../../generated/kubemq.js';
import { ackAllError, downstreamGetError, queueMessageError, queueNameError, receiveError, streamRequestError, subscribeError } from './validation.js';

const limits = { ...DEFAULT_BROKER_QUEUE_LIMITS };
const E = {
  101: 'Error 101: invalid clientID value, cannot be empty',
  110: 'Error 110: invalid message, cannot be empty',
  120: 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot',
  122: 'Error 122: max messages should be between 1 and max message setting in kubemq config  ',
  125: 'Error 125: ack sequence cannot be 0 or negative',
  127: 'Error 127: invalid visibility time, cannot be negative or exceed setting in kubemq config',
  131: 'Error 131: invalid queue message',
  132: 'Error 132: invalid stream queue messages request type',
  133: 'Error 133: invalid expiration seconds, exceed max expiration seconds setting in kubemq config',
  134: 'Error 134: invalid max received count, cannot be negative or exceed max receive count setting in kubemq config',
  135: 'Error 135: invalid delay seconds, exceed max delay seconds setting in kubemq config',
  136: 'Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config',
};

type MessageFields = Partial<Omit<QueueMessage, 'Policy'>> & { Policy?: Partial<QueueMessagePolicy> };
const message = ({ Policy, ...fields }: MessageFields): QueueMessage => ({
  MessageID: '',
  ClientID: 'c',
  Channel: 'q',
  Metadata: '',
  Body: Buffer.from('x'),
  Tags: {},
  Attributes: undefined,
  Policy: Policy ? { ExpirationSeconds: 0, DelaySeconds: 0, MaxReceiveCount: 0, MaxReceiveQueue: '', ...Policy } : undefined,
  ...fields,
});

describe('queue name (§3: one error for every name problem)', () => {
  it.each(['', 'a.', 'a b', 'a.*', 'a.>'])('%j → 120', (name) => expect(queueNameError(name)).toBe(E[120]));
  it.each(['a', 'a.b', 'a\tb', 'a/b', 'a..b'])('%j passes (stan checks come later)', (name) => expect(queueNameError(name)).toBeUndefined());
  it('stan refuses /, empty tokens and a durable queue group with : at subscribe time (121)', () => {
    expect(subscribeError('a/b')).toBe('Error 121: cannot subscribe to a queue');
    expect(subscribeError('a..b')).toBe('Error 121: cannot subscribe to a queue');
    expect(subscribeError('a:b')).toBe('Error 121: cannot subscribe to a queue');
    expect(subscribeError('a.b')).toBeUndefined();
  });
});

describe('queue message: 101, 120, 110, 133, 134, 135, DLQ 120 in that order', () => {
  it('reports the first failing check', () => {
    const all = { ClientID: '', Channel: '', Body: Buffer.alloc(0), Policy: { ExpirationSeconds: -1, MaxReceiveCount: -1, DelaySeconds: -1, MaxReceiveQueue: '*' } };
    expect(queueMessageError(message(all), limits)).toBe(E[101]);
    expect(queueMessageError(message({ ...all, ClientID: 'c' }), limits)).toBe(E[120]);
    expect(queueMessageError(message({ ...all, ClientID: 'c', Channel: 'q' }), limits)).toBe(E[110]);
    const p = { ClientID: 'c', Channel: 'q', Metadata: 'm', Body: Buffer.alloc(0) };
    expect(queueMessageError(message({ ...p, Policy: all.Policy }), limits)).toBe(E[133]);
    expect(queueMessageError(message({ ...p, Policy: { ...all.Policy, ExpirationSeconds: 0 } }), limits)).toBe(E[134]);
    expect(queueMessageError(message({ ...p, Policy: { ...all.Policy, ExpirationSeconds: 0, MaxReceiveCount: 0 } }), limits)).toBe(E[135]);
    expect(queueMessageError(message({ ...p, Policy: { MaxReceiveQueue: '*' } }), limits)).toBe(E[120]);
    expect(queueMessageError(message(p), limits)).toBeUndefined();
  });

  it('uses the configured maxima, inclusive', () => {
    expect(queueMessageError(message({ Policy: { ExpirationSeconds: 43200, DelaySeconds: 43200, MaxReceiveCount: 1024 } }), limits)).toBeUndefined();
    expect(queueMessageError(message({ Policy: { MaxReceiveCount: 1025 } }), limits)).toBe(E[134]);
    expect(queueMessageError(message({ Policy: { MaxReceiveCount: 6 } }), { ...limits, maxReceiveCount: 5 })).toBe(E[134]);
  });

  it('Tags alone do not make a message', () => {
    expect(queueMessageError(message({ Body: Buffer.alloc(0), Tags: { a: 'b' } }), limits)).toBe(E[110]);
  });
});

describe('receive, AckAll, downstream Get', () => {
  const rq = { RequestID: '', ClientID: 'c', Channel: 'q', MaxNumberOfMessages: 1, WaitTimeSeconds: 0, IsPeak: false };
  it('receive: 101, 120, 122, 136', () => {
    expect(receiveError({ ...rq, ClientID: '', Channel: '', MaxNumberOfMessages: 0, WaitTimeSeconds: -1 }, limits)).toBe(E[101]);
    expect(receiveError({ ...rq, Channel: '', MaxNumberOfMessages: 0, WaitTimeSeconds: -1 }, limits)).toBe(E[120]);
    expect(receiveError({ ...rq, MaxNumberOfMessages: 1025, WaitTimeSeconds: -1 }, limits)).toBe(E[122]);
    expect(receiveError({ ...rq, WaitTimeSeconds: 3601 }, limits)).toBe(E[136]);
    expect(receiveError({ ...rq, MaxNumberOfMessages: 1024, WaitTimeSeconds: 3600 }, limits)).toBeUndefined();
  });
  it('AckAll: 101, 120, 136', () => {
    const r = { RequestID: '', ClientID: 'c', Channel: 'q', WaitTimeSeconds: 0 };
    expect(ackAllError({ ...r, ClientID: '', Channel: '' }, limits)).toBe(E[101]);
    expect(ackAllError({ ...r, Channel: 'q.' }, limits)).toBe(E[120]);
    expect(ackAllError({ ...r, WaitTimeSeconds: -1 }, limits)).toBe(E[136]);
  });
  it('Get: 101, 120 only', () => {
    const base = { RequestID: '', ClientID: 'c', RequestTypeData: 1 as const, Channel: 'q', MaxItems: -5, WaitTimeout: -5, AutoAck: false, ReQueueChannel: '', SequenceRange: [], RefTransactionId: '', Metadata: {} };
    expect(downstreamGetError({ ...base, ClientID: '' })).toBe(E[101]);
    expect(downstreamGetError({ ...base, Channel: 'a b' })).toBe(E[120]);
    expect(downstreamGetError(base)).toBeUndefined();
  });
});

describe('stream v1 requests: 101, then per type', () => {
  const req = (fields: Partial<StreamQueueMessagesRequest>): StreamQueueMessagesRequest => ({
    RequestID: '',
    ClientID: 'c',
    StreamRequestTypeData: StreamRequestType.StreamRequestTypeUnknown,
    Channel: '',
    VisibilitySeconds: 0,
    WaitTimeSeconds: 0,
    RefSequence: 0n,
    ModifiedMessage: undefined,
    ...fields,
  });
  it.each([
    [req({ ClientID: '', StreamRequestTypeData: 99 as StreamRequestType }), E[101]],
    [req({ StreamRequestTypeData: StreamRequestType.ReceiveMessage, Channel: '', VisibilitySeconds: -1 }), E[120]],
    [req({ StreamRequestTypeData: StreamRequestType.ReceiveMessage, Channel: 'q', VisibilitySeconds: 43201, WaitTimeSeconds: -1 }), E[127]],
    [req({ StreamRequestTypeData: StreamRequestType.ReceiveMessage, Channel: 'q', WaitTimeSeconds: 3601 }), E[136]],
    [req({ StreamRequestTypeData: StreamRequestType.AckMessage }), E[125]],
    [req({ StreamRequestTypeData: StreamRequestType.RejectMessage }), E[125]],
    [req({ StreamRequestTypeData: StreamRequestType.ResendMessage, Channel: 'q.' }), E[120]],
    [req({ StreamRequestTypeData: StreamRequestType.ModifyVisibility, VisibilitySeconds: -1 }), E[127]],
    [req({ StreamRequestTypeData: StreamRequestType.SendModifiedMessage }), E[131]],
    [req({ StreamRequestTypeData: StreamRequestType.SendModifiedMessage, ModifiedMessage: message({ Body: Buffer.alloc(0) }) }), E[110]],
    [req({ StreamRequestTypeData: StreamRequestType.SendModifiedMessage, ModifiedMessage: message({}), VisibilitySeconds: -1 }), E[127]],
    [req({ StreamRequestTypeData: StreamRequestType.StreamRequestTypeUnknown }), E[132]],
  ])('%#', (r, error) => expect(streamRequestError(r, limits)).toBe(error));

  it('accepts valid requests', () => {
    expect(streamRequestError(req({ StreamRequestTypeData: StreamRequestType.ReceiveMessage, Channel: 'q' }), limits)).toBeUndefined();
    expect(streamRequestError(req({ StreamRequestTypeData: StreamRequestType.AckMessage, RefSequence: 3n }), limits)).toBeUndefined();
  });
});
