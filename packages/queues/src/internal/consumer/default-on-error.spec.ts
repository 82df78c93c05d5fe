import { KubemqError } from '@kubemq/core';
import type { ClientInternals } from '@kubemq/core/internal';
import type { PolledQueueMessage } from '../../types.js';
import { warnThroughLogger } from './default-on-error.js';

describe("a consumer's default onError", () => {
  const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
  const internals = { logger: { warn: (m: string, f?: Record<string, unknown>) => warnings.push([m, f]) } } as unknown as ClientInternals;
  const warn = warnThroughLogger(internals, 'jobs');
  beforeEach(() => (warnings.length = 0));

  it('says which of the three it is: a handler error, an unconfirmed settlement, or what ended the consumer', () => {
    warn(new Error('bad input'), { sequence: 7, id: 'm7', settlement: 'pending' } as PolledQueueMessage);
    warn(new KubemqError({ code: 'UNAVAILABLE', operation: 'queues.transaction.ackAll', message: 'lost' }), undefined);
    warn(new KubemqError({ code: 'RECONNECT_FAILED', operation: 'client.reconnect', message: 'gave up after 3 attempts' }), undefined);
    expect(warnings.map(([m]) => m)).toEqual([
      "queues: a consumer's handler threw; its message was nacked",
      "queues: the broker did not confirm a consumer's settlement; the batch will be delivered again",
      'queues: a consumer stopped on an error',
    ]);
    expect(warnings[0]?.[1]).toMatchObject({ channel: 'jobs', sequence: 7, messageId: 'm7', error: 'bad input' });
    warn(new Error('after its own ack'), { sequence: 8, id: 'm8', settlement: 'acked' } as PolledQueueMessage);
    expect(warnings[3]?.[0]).toBe("queues: a consumer's handler threw; its message stays acked, as the handler settled it");
    expect(warnings[2]?.[1]).toMatchObject({ channel: 'jobs', code: 'RECONNECT_FAILED' });
  });
});
