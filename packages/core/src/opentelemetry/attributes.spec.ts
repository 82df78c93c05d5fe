import { SpanKind } from '@opentelemetry/api';
import { KubemqError, ValidationError } from '../internal/errors/kubemq-error.js';
import type { MessagingOperation, MessagingOperationType, MessagingPattern } from '../telemetry/telemetry.js';
import { errorType, metricAttributes, serverAttributes, spanAttributes, spanKind, spanName } from './attributes.js';

const op = (over: Partial<MessagingOperation> = {}): MessagingOperation => ({
  pattern: 'queues',
  type: 'send',
  name: 'send',
  channel: 'tasks',
  ...over,
});

describe('attribute mapping', () => {
  it('names spans "{operation} {channel}"', () => {
    expect(spanName(op({ name: 'ack', channel: 'jobs.high' }))).toBe('ack jobs.high');
  });

  it.each<[MessagingPattern, MessagingOperationType, SpanKind]>([
    ['events', 'send', SpanKind.PRODUCER],
    ['events_store', 'send', SpanKind.PRODUCER],
    ['queues', 'send', SpanKind.PRODUCER],
    ['commands', 'send', SpanKind.CLIENT],
    ['queries', 'send', SpanKind.CLIENT],
    ['events', 'process', SpanKind.CONSUMER],
    ['queues', 'process', SpanKind.CONSUMER],
    ['commands', 'process', SpanKind.SERVER],
    ['queries', 'process', SpanKind.SERVER],
    // Semantic conventions v1.29+: a receive (a pull the application asks for) is a client call.
    ['queues', 'receive', SpanKind.CLIENT],
    ['queues', 'settle', SpanKind.CLIENT],
  ])('%s %s is a %s span', (pattern, type, kind) => {
    expect(spanKind(op({ pattern, type }))).toBe(kind);
  });

  it('splits the address into server.address and server.port (IPv6 without brackets)', () => {
    expect(serverAttributes('broker.internal:50000')).toEqual({ 'server.address': 'broker.internal', 'server.port': 50000 });
    expect(serverAttributes('[::1]:50000')).toEqual({ 'server.address': '::1', 'server.port': 50000 });
  });

  it('gives metrics the low-cardinality attributes only', () => {
    const server = serverAttributes('127.0.0.1:50000');
    expect(metricAttributes(op({ messageId: 'id-1', bodySize: 10, group: 'workers' }), server)).toEqual({
      'messaging.system': 'kubemq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'tasks',
      'messaging.consumer.group.name': 'workers',
      'kubemq.channel.type': 'queues',
      'server.address': '127.0.0.1',
      'server.port': 50000,
    });
    expect(metricAttributes(op({ group: '' }), server)).not.toHaveProperty(['messaging.consumer.group.name']);
  });

  it('gives spans the message id, body size, batch count and client id too', () => {
    const attributes = spanAttributes(op({ messageId: 'id-1', bodySize: 1024, messageCount: 3 }), { address: 'h:1', clientId: 'c-1' }, serverAttributes('h:1'));
    expect(attributes).toMatchObject({
      'messaging.message.id': 'id-1',
      'messaging.message.body.size': 1024,
      'messaging.batch.message_count': 3,
      'messaging.client.id': 'c-1',
    });
    expect(spanAttributes(op({ type: 'receive', messageCount: 0 }), { address: 'h:1', clientId: 'c-1' }, {})).toMatchObject({ 'messaging.batch.message_count': 0 });
    const bare = spanAttributes(op(), { address: 'h:1', clientId: 'c-1' }, {});
    expect(Object.keys(bare)).not.toEqual(expect.arrayContaining(['messaging.message.id']));
    expect(bare).not.toHaveProperty(['messaging.message.body.size']);
  });

  it('leaves the batch count off an operation on one message, which carries its id instead', () => {
    const one = spanAttributes(op({ type: 'settle', name: 'ack', messageId: 'id-1', messageCount: 1 }), { address: 'h:1', clientId: 'c-1' }, {});
    expect(one).not.toHaveProperty(['messaging.batch.message_count']);
    expect(one['messaging.message.id']).toBe('id-1');
  });

  it('types errors by KubemqError code, else by class name', () => {
    expect(errorType(new ValidationError({ operation: 'x', message: 'bad' }))).toBe('VALIDATION');
    expect(errorType(new KubemqError({ code: 'TIMEOUT', operation: 'x', message: 't' }))).toBe('TIMEOUT');
    expect(errorType(new RangeError('r'))).toBe('RangeError');
    expect(errorType('a string')).toBe('_OTHER');
  });
});
