import { ConnectionError, KubemqError, TimeoutError } from '@kubemq/core';
import { toRequestError } from './timeouts.js';

describe('request timeouts', () => {
  const ctx = { operation: 'queries.send', channel: 'q', timeoutMs: 1500, noun: 'query' };

  it('maps the broker\'s Error 301 to a TimeoutError with the request timeout, keeping the cause', () => {
    const broker = new KubemqError({ code: 'TIMEOUT', message: 'Error 301: timeout for request message', operation: 'x', brokerCode: 301, grpcStatus: 13, retryable: true });
    const err = toRequestError(broker, ctx) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, timeoutMs: 1500, channel: 'q', operation: 'queries.send', brokerCode: 301, grpcStatus: 13, sent: true });
    expect(err.cause).toBe(broker);
    expect(err.message).toMatch(/query on channel "q" got no response within 1500 ms/);
  });

  it('maps a client-side deadline the same way', () => {
    const deadline = new TimeoutError({ message: 'deadline', operation: 'x', timeoutMs: 2500, grpcStatus: 4 });
    expect(toRequestError(deadline, ctx)).toMatchObject({ timeoutMs: 1500, grpcStatus: 4, sent: true });
  });

  it('passes anything else through', () => {
    const other = new KubemqError({ code: 'UNAVAILABLE', message: 'down', operation: 'x' });
    expect(toRequestError(other, ctx)).toBe(other);
    const plain = new Error('boom');
    expect(toRequestError(plain, ctx)).toBe(plain);
  });

  it('a request that timed out waiting for the connection fails with core\'s error, as every unary call does: sent: false, the reconnect failure as cause', () => {
    const down = new ConnectionError({ code: 'UNAVAILABLE', message: 'connection refused', operation: 'client.reconnect', retryable: true });
    const waited = new TimeoutError({ message: 'queries.send on channel "q" timed out after 1500 ms waiting for the connection', operation: 'queries.send', channel: 'q', timeoutMs: 1500, sent: false, cause: down });
    const err = toRequestError(waited, ctx, false) as TimeoutError;
    expect(err).toBe(waited);
    expect(err.cause).toBeInstanceOf(ConnectionError);
  });

  it('one the returning connection left no time to send says it was not sent; anything else passes', () => {
    const late = new KubemqError({ code: 'TIMEOUT', message: 'the client was reconnecting for the whole timeout', operation: 'x', retryable: true });
    const err = toRequestError(late, ctx, false) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, timeoutMs: 1500, channel: 'q', sent: false });
    expect(err.message).toBe('query on channel "q" was not sent within 1500 ms: the client was reconnecting for the whole timeout');
    const closed = new KubemqError({ code: 'CLOSED', message: 'closed', operation: 'x' });
    expect(toRequestError(closed, ctx, false)).toBe(closed);
  });
});
