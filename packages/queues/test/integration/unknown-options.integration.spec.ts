import { textCodec, type KubemqClient } from '@kubemq/core';
import { queueChannel, queues } from '../../src/index.js';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { connect } from './helpers.js';

// kubemq-js's names (and the unit that differs between receive() and poll()) are refused before
// anything reaches the broker: ignored, receive() took 1 message of 5 and poll() waited 1 s.
describe('queues: options a call does not know', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-unknown-options');
  });

  afterAll(async () => {
    await client.close();
  });

  it('are refused with VALIDATION, naming the option to use, and the messages stay in the queue', async () => {
    const channel = uniqueChannel('q.unknown-options');
    const q = queues(client);
    for (let i = 0; i < 5; i++) await q.send({ channel, body: `m${i}` });

    await expect(q.receive({ channel, maxNumberOfMessages: 10 } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'maxNumberOfMessages',
      message: expect.stringMatching(/use maxItems$/),
    });
    await expect(q.poll({ channel, maxItems: 10, waitTimeoutSeconds: 4 } as never)).rejects.toMatchObject({ code: 'VALIDATION', field: 'waitTimeoutSeconds' });
    const jobs = queueChannel(q, { channel, codec: textCodec() });
    await expect(jobs.poll(5 as never)).rejects.toMatchObject({ code: 'VALIDATION', field: 'options', operation: 'queues.poll' });

    const { messages } = await q.receive({ channel, maxItems: 10, waitTimeoutSeconds: 1 });
    expect(messages.map((m) => m.text())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it("a call's own options are closed too: a send with kubemq-js's timeout is refused, and the queue stays empty", async () => {
    const channel = uniqueChannel('q.unknown-call-options');
    const q = queues(client);
    await expect(q.send({ channel, body: 'x' }, { timeout: 1000 } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'timeout',
      operation: 'queues.send',
      message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)',
    });
    await expect(q.receive({ channel, waitTimeoutSeconds: 1 }, { timeout: 1000 } as never)).rejects.toMatchObject({ code: 'VALIDATION', field: 'timeout' });
    const { messages } = await q.peek({ channel, maxItems: 10, waitTimeoutSeconds: 1 });
    expect(messages).toEqual([]);
  });
});
