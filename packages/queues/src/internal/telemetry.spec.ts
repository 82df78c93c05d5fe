import type { QueueMessageReceive } from '../types.js';
import { queueReceiveOperation, queueSettleOperation } from './telemetry.js';

const message = (id: string, body = 'abc'): QueueMessageReceive => ({ id, channel: 'jobs', body: Buffer.from(body), tags: { traceparent: id } }) as unknown as QueueMessageReceive;

describe('queue operation descriptions', () => {
  it('a poll, receive or settlement of one message names it (id and size); of several, counts them', () => {
    expect(queueReceiveOperation('poll', 'jobs', [message('m-1', 'four')])).toMatchObject({ type: 'receive', messageCount: 1, messageId: 'm-1', bodySize: 4 });
    expect(queueSettleOperation('ack', 'jobs', [message('m-2')])).toMatchObject({ type: 'settle', name: 'ack', messageCount: 1, messageId: 'm-2' });
    const two = queueReceiveOperation('receive', 'jobs', [message('a'), message('b')]);
    expect(two).toMatchObject({ messageCount: 2, tags: [{ traceparent: 'a' }, { traceparent: 'b' }] });
    expect(two).not.toHaveProperty('messageId');
    expect(queueReceiveOperation('poll', 'jobs', undefined)).toEqual({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'jobs', messageCount: 0, tags: [] });
  });

  it("marks the SDK's own polls and settlements detached; the application's calls are not", () => {
    expect(queueReceiveOperation('poll', 'jobs', [], { detached: true }).detached).toBe(true);
    expect(queueSettleOperation('nack', 'jobs', [message('m')], { detached: true }).detached).toBe(true);
    expect(queueReceiveOperation('poll', 'jobs', [])).not.toHaveProperty('detached');
    expect(queueSettleOperation('ack', 'jobs', [])).not.toHaveProperty('detached');
  });
});
