// A `for await` loop over a raw subscribe() waits in next() between requests, where no check in
// its body runs: the subscription's signal ends it there, quietly.
import type { KubemqClient } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { commands, queries } from '../../src/index.js';
import { connect } from './helpers.js';

describe('rpc: subscribe({ signal }) (integration)', () => {
  let responder: KubemqClient;
  let sender: KubemqClient;

  beforeAll(async () => {
    responder = await connect(sharedBroker().address, 'rpc-signal-responder');
    sender = await connect(sharedBroker().address, 'rpc-signal-sender');
  });
  afterAll(async () => {
    await responder?.close();
    await sender?.close();
  });

  it.each(['commands', 'queries'] as const)('%s: a loop waiting for a request ends without an error when the signal aborts; the channel then has no subscriber', async (kind) => {
    const channel = uniqueChannel(`rpc.signal.${kind}`);
    const client = kind === 'commands' ? commands(responder) : queries(responder);
    const send = (body: string) =>
      kind === 'commands' ? commands(sender).send({ channel, body, timeoutMs: 300 }) : queries(sender).send({ channel, body, timeoutMs: 300 });
    const controller = new AbortController();
    let answered = 0;
    const loop = (async () => {
      for await (const request of client.subscribe({ channel, signal: controller.signal })) {
        await client.reply({ requestId: request.id, replyChannel: request.replyChannel });
        answered++;
      }
      return 'ended';
    })();
    // The stream is proven to be registered: it has answered a request and waits for the next.
    let first;
    for (let i = 0; i < 50 && first?.executed !== true; i++) first = await send('probe').catch(() => undefined);
    expect(first?.executed).toBe(true);
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    const before = answered;
    await expect(send('after')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(answered).toBe(before);
  });
});
