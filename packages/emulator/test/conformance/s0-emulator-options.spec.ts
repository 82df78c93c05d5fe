// Features the open-source server lacks (broker-behaviour.md §0.4, §0.5), offered by the emulator as
// options so SDKs can test their handling end to end. Each test runs only where startKubemq can
// give the feature (the emulator), and says that the open-source server lacks it.
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { itWhen } from '@kubemq/testing/jest';
import { Request_RequestType as RT, Subscribe_SubscribeType as ST } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, sendQueueMessage, sendRequest, text } from './support/raw.js';
import { readyResponder } from './support/ready.js';

afterAll(closeAll);

describe('§0.5 [emulator option; the open-source server has no query cache] queryCache', () => {
  const itCache = itWhen('queryCache', expectedCapabilities({ queryCache: true }));
  let broker: KubemqBroker | undefined;
  afterAll(async () => broker?.[Symbol.asyncDispose]());

  itCache('a repeated query with the same CacheKey is answered from the cache with CacheHit:true', async () => {
    broker = await startKubemq({ queryCache: true });
    expect(broker.capabilities.queryCache).toBe(true);
    const c = connect(broker.address);
    const channel = ch('opt.cache');
    let served = 0;
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Queries, ClientID: cid(), Channel: channel }, () => {
      served++;
      return { Executed: true, Body: Buffer.from(`answer ${served}`) };
    });
    const ask = () =>
      sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Query, Body: Buffer.from('q'), Timeout: 3000, CacheKey: `ck-${channel}`, CacheTTL: 60 });
    const first = await ask();
    const second = await ask();
    expect(first.CacheHit).toBe(false);
    expect(second.CacheHit).toBe(true);
    expect(text(second.Body)).toBe('answer 1');
    expect(served).toBe(1);
    inbox.cancel();
  });
});

describe('§0.4 [emulator option; the open-source server has no responder] channelManagement', () => {
  const itMgmt = itWhen('channelManagement', expectedCapabilities({ channelManagement: true }));
  let broker: KubemqBroker | undefined;
  afterAll(async () => broker?.[Symbol.asyncDispose]());

  const manage = (address: string, metadata: string, tags: Record<string, string>) =>
    sendRequest(connect(address), {
      ClientID: cid(),
      Channel: 'kubemq.cluster.internal.requests',
      RequestTypeData: RT.Query,
      Metadata: metadata,
      Tags: { client_id: 'conformance', ...tags },
      Timeout: 10_000,
    });

  itMgmt('create-channel and list-channels (a JSON ChannelInfo[] body) through kubemq.cluster.internal.requests', async () => {
    broker = await startKubemq({ channelManagement: true });
    const name = ch('opt.mgmt');
    const created = await manage(broker.address, 'create-channel', { channel_type: 'queues', channel: name });
    expect(created.Error).toBe('');
    await sendQueueMessage(connect(broker.address), { ClientID: cid(), Channel: name, Body: Buffer.from('x') });
    const listed = await manage(broker.address, 'list-channels', { channel_type: 'queues', channel_search: name });
    expect(listed.Error).toBe('');
    const channels = JSON.parse(text(listed.Body)) as Array<{ name: string; type: string; isActive: boolean; incoming: object; outgoing: object }>;
    const mine = channels.find((x) => x.name === name);
    expect(mine).toMatchObject({ name, type: 'queues' });
    expect(mine).toHaveProperty('incoming');
    expect(mine).toHaveProperty('outgoing');
  });

  itMgmt('delete-channel removes an events channel from list-channels', async () => {
    broker ??= await startKubemq({ channelManagement: true });
    const name = ch('opt.mgmt.del');
    const names = async () => {
      const r = await manage((broker as KubemqBroker).address, 'list-channels', { channel_type: 'events', channel_search: name });
      expect(r.Error).toBe('');
      return r.Body.length === 0 ? [] : (JSON.parse(text(r.Body)) as Array<{ name: string }>).map((x) => x.name);
    };
    expect((await manage(broker.address, 'create-channel', { channel_type: 'events', channel: name })).Error).toBe('');
    expect(await names()).toContain(name);
    expect((await manage(broker.address, 'delete-channel', { channel_type: 'events', channel: name })).Error).toBe('');
    expect(await names()).not.toContain(name);
  });

  itMgmt('a bad channel_type is answered with Response.Error (not a timeout)', async () => {
    broker ??= await startKubemq({ channelManagement: true });
    const r = await manage(broker.address, 'list-channels', { channel_type: 'nope' });
    expect(r.Error).not.toBe('');
  });
});
