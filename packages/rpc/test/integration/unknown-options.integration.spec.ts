import { textCodec, type KubemqClient } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { commandResponder, commands, queries, queryChannel, queryResponder, type CommandReceive, type QueryReceive } from '../../src/index.js';
import { connect } from './helpers.js';

// kubemq-js's timeout (ms) and cacheTTL (s) were ignored: the request went out with the client's
// default timeout (30 s) and no cache. Now they are refused before anything reaches the broker.
describe('commands and queries: options a request does not know (integration)', () => {
  let requester: KubemqClient;
  let responderClient: KubemqClient;

  beforeAll(async () => {
    requester = await connect(sharedBroker().address, 'rpc-unknown-req');
    responderClient = await connect(sharedBroker().address, 'rpc-unknown-resp');
  });
  afterAll(async () => {
    await requester?.close();
    await responderClient?.close();
  });

  it('a command or query given one is refused with VALIDATION and never reaches the responder', async () => {
    const channel = uniqueChannel('rpc.unknown-options');
    const commandsSeen: CommandReceive[] = [];
    const queriesSeen: QueryReceive[] = [];
    await using commandServer = commandResponder(responderClient, { channel }, (c) => void commandsSeen.push(c));
    await using queryServer = queryResponder(responderClient, { channel }, (q) => {
      queriesSeen.push(q);
      return { body: 'answer' };
    });
    await commandServer.ready();
    await queryServer.ready();

    await expect(commands(requester).send({ channel, body: 'x', timeout: 1000 } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'timeout',
      message: expect.stringContaining('use timeoutMs'),
    });
    await expect(queries(requester).send({ channel, body: 'x', cacheKey: 'k', cacheTTL: 60 } as never)).rejects.toMatchObject({ code: 'VALIDATION', field: 'cacheTTL' });
    expect(() => queryChannel(requester, { channel, codec: textCodec(), responseCodec: textCodec() }).subscribe(5 as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'options' }),
    );

    expect((await commands(requester).send({ channel, body: 'x', timeoutMs: 5000 })).executed).toBe(true);
    expect((await queries(requester).send({ channel, body: 'x', timeoutMs: 5000 })).text()).toBe('answer');
    expect(commandsSeen).toHaveLength(1);
    expect(queriesSeen).toHaveLength(1);
  });
});
