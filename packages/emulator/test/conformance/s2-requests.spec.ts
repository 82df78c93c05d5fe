// docs/broker-behaviour.md §2.3 Commands and queries (and §6 "Commands and queries").
import * as grpc from '@grpc/grpc-js';
import { probeUntil } from '@kubemq/testing/jest';
import { type Request, Request_RequestType as RT, Subscribe_SubscribeType as ST } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, grpcError, sendRequest, sendResponse, sleep, subscribeRequests, text } from './support/raw.js';
import { notProbe, readyResponder } from './support/ready.js';

afterAll(closeAll);

describe('§2.3 Commands and queries: routing', () => {
  it('§2.3 RequestTypeData other than 1 or 2 gives Error 206', async () => {
    const c = connect();
    for (const type of [0, 3]) {
      const err = await grpcError(
        sendRequest(c, { ClientID: cid(), Channel: ch('s23.type'), RequestTypeData: type as RT, Body: Buffer.from('x'), Timeout: 1000 }),
      );
      expect(err.code).toBe(grpc.status.INTERNAL);
      expect(err.details).toBe('Error 206: invalid request type');
    }
  });

  it('§2.3 no responder: the call waits the full Timeout, then INTERNAL `Error 301: timeout for request message`', async () => {
    const c = connect();
    for (const type of [RT.Command, RT.Query]) {
      const started = performance.now();
      const err = await grpcError(
        sendRequest(c, { ClientID: cid(), Channel: ch('s23.noresp'), RequestTypeData: type, Body: Buffer.from('x'), Timeout: 1000 }),
      );
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
      expect(err.code).toBe(grpc.status.INTERNAL);
      expect(err.details).toBe('Error 301: timeout for request message');
    }
  });

  it('§2.3 a RequestID is generated when empty and reaches the responder with a ReplyChannel', async () => {
    const c = connect();
    const channel = ch('s23.ids');
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: cid(), Channel: channel });
    await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('x'), Timeout: 3000 });
    const [req] = await inbox.waitFor(1, 5000, notProbe);
    expect(req?.RequestID).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(req?.ReplyChannel).not.toBe('');
    inbox.cancel();
  });

  it('§2.3 SubscribeToRequests takes type 3 or 4, else Error 207 (as the stream status)', async () => {
    const c = connect();
    for (const type of [ST.Events, ST.EventsStore, 0 as ST]) {
      const end = await subscribeRequests(c, { SubscribeTypeData: type, ClientID: cid(), Channel: ch('s23.subtype') }).end();
      expect(end).toEqual({ code: grpc.status.INTERNAL, details: 'Error 207: invalid subscribe type' });
    }
    // The type comes before every other check.
    const first = await subscribeRequests(c, { SubscribeTypeData: ST.Events, ClientID: '', Channel: '' }).end();
    expect(first).toEqual({ code: grpc.status.INTERNAL, details: 'Error 207: invalid subscribe type' });
  });

  it('§2.3 a Group load-balances: each request goes to one member', async () => {
    const c = connect();
    const channel = ch('s23.group');
    const hits: string[] = [];
    const a = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: 'ra', Channel: channel, Group: 'g' }, () => {
      hits.push('a');
      return { Executed: true };
    });
    const b = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: 'rb', Channel: channel, Group: 'g' }, () => {
      hits.push('b');
      return { Executed: true };
    });
    for (let i = 0; i < 40; i++) {
      const r = await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from(`${i}`), Timeout: 3000 });
      expect(r.Executed).toBe(true);
    }
    expect(hits).toHaveLength(40);
    // Both members take a share (a random pick misses one of two in 40 requests once in 2^39).
    expect(new Set(hits)).toEqual(new Set(['a', 'b']));
    a.cancel();
    b.cancel();
  });

  it('§2.3 wildcards are allowed in a requests subscription', async () => {
    const c = connect();
    const base = ch('s23.wild');
    const inbox = await readyResponder(
      c,
      { SubscribeTypeData: ST.Queries, ClientID: cid(), Channel: `${base}.*` },
      (req) => ({ Executed: true, Body: Buffer.from(`from ${req.Channel}`) }),
      `${base}.probe`,
    );
    const r = await sendRequest(c, { ClientID: cid(), Channel: `${base}.x`, RequestTypeData: RT.Query, Body: Buffer.from('q'), Timeout: 3000 });
    expect(text(r.Body)).toBe(`from ${base}.x`);
    inbox.cancel();
  });

  it('§2.3 without a group every subscriber gets the request; the first response wins', async () => {
    const c = connect();
    const channel = ch('s23.first');
    const fast = await readyResponder(c, { SubscribeTypeData: ST.Queries, ClientID: 'fast', Channel: channel }, () => ({
      Executed: true,
      Body: Buffer.from('fast'),
    }));
    const slowSeen: Request[] = [];
    const slow = subscribeRequests(c, { SubscribeTypeData: ST.Queries, ClientID: 'slow', Channel: channel });
    slow.call.on('data', (req: Request) => {
      slowSeen.push(req);
      setTimeout(() => {
        void sendResponse(c, { ClientID: 'slow', RequestID: req.RequestID, ReplyChannel: req.ReplyChannel, Executed: true, Body: Buffer.from('slow') }).catch(() => undefined);
      }, 300);
    });
    // Wait until the slow one also receives requests: it is registered a while after it subscribed.
    await probeUntil(
      () => sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Query, Metadata: 'warm', Body: Buffer.from('w'), Timeout: 2000 }),
      () => slowSeen.length > 0,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const before = slowSeen.length;
    const r = await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Query, Body: Buffer.from('q'), Timeout: 3000 });
    expect(text(r.Body)).toBe('fast');
    await sleep(100);
    expect(slowSeen.length).toBe(before + 1);
    fast.cancel();
    slow.cancel();
  });
});

describe('§2.3 Commands and queries: responding', () => {
  it('§2.3 a late response still succeeds (it is silently dropped)', async () => {
    const c = connect();
    const channel = ch('s23.late');
    const held: Request[] = [];
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: cid(), Channel: channel }, (req) => {
      held.push(req);
      return undefined;
    });
    const err = await grpcError(sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('x'), Timeout: 500 }));
    expect(err.details).toBe('Error 301: timeout for request message');
    const req = held[0] as Request;
    await expect(sendResponse(c, { ClientID: 'r', RequestID: req.RequestID, ReplyChannel: req.ReplyChannel, Executed: true })).resolves.toBeDefined();
    inbox.cancel();
  });

  it('§2.3/§6 command: Body, Metadata, ReplyChannel and CacheHit are cleared; Timestamp, Span, Tags, ClientID reach the requester', async () => {
    const c = connect();
    const channel = ch('s23.cmd');
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: 'responder-cmd', Channel: channel }, () => ({
      ClientID: 'responder-cmd',
      Executed: true,
      Error: 'partial',
      Metadata: 'resp-meta',
      Body: Buffer.from('resp-body'),
      CacheHit: true,
      Timestamp: 12345n,
      Span: Buffer.from('span'),
      Tags: { t: '1' },
    }));
    const r = await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('x'), Timeout: 3000 });
    expect(r).toMatchObject({
      ClientID: 'responder-cmd',
      Executed: true,
      Error: 'partial',
      Metadata: '',
      ReplyChannel: '',
      CacheHit: false,
      Timestamp: 12345n,
      Tags: { t: '1' },
    });
    expect(r.Body.length).toBe(0);
    expect(text(r.Span)).toBe('span');
    inbox.cancel();
  });

  it('§2.3 query: the response passes through with only ReplyChannel cleared', async () => {
    const c = connect();
    const channel = ch('s23.query');
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Queries, ClientID: 'responder-q', Channel: channel }, () => ({
      ClientID: 'responder-q',
      Executed: true,
      Metadata: 'resp-meta',
      Body: Buffer.from('resp-body'),
      CacheHit: true,
      Tags: { t: '2' },
    }));
    const r = await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Query, Body: Buffer.from('x'), Timeout: 3000 });
    expect(r).toMatchObject({ ClientID: 'responder-q', Executed: true, Metadata: 'resp-meta', ReplyChannel: '', CacheHit: true, Tags: { t: '2' } });
    expect(text(r.Body)).toBe('resp-body');
    inbox.cancel();
  });

  it('§2.3 the server never sets Timestamp', async () => {
    const c = connect();
    const channel = ch('s23.ts');
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: cid(), Channel: channel });
    const r = await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('x'), Timeout: 3000 });
    expect(r).toMatchObject({ Executed: true, Timestamp: 0n });
    inbox.cancel();
  });

  it('§2.3 [seen] a responder is not registered when SubscribeToRequests returns: probe until a request is answered', async () => {
    const c = connect();
    const channel = ch('s23.probe');
    const inbox = await readyResponder(c, { SubscribeTypeData: ST.Commands, ClientID: cid(), Channel: channel });
    const r = await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('x'), Timeout: 3000 });
    expect(r.Executed).toBe(true);
    inbox.cancel();
  });

  it('§2.3 [seen] a command sent right after SubscribeToRequests, before the responder is registered, times out with Error 301', async () => {
    const c = connect();
    const channel = ch('s23.early');
    const inbox = subscribeRequests(c, { SubscribeTypeData: ST.Commands, ClientID: cid(), Channel: channel });
    inbox.call.on('data', (req: Request) => {
      void sendResponse(c, { ClientID: 'r', RequestID: req.RequestID, ReplyChannel: req.ReplyChannel, Executed: true }).catch(() => undefined);
    });
    const err = await grpcError(sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('early'), Timeout: 1000 }));
    expect(err.details).toBe('Error 301: timeout for request message');
    // The responder works once registered: probes get answered.
    let answered = false;
    await probeUntil(
      () =>
        sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: RT.Command, Body: Buffer.from('late'), Timeout: 300 }).then(
          () => void (answered = true),
          () => undefined,
        ),
      () => answered,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    inbox.cancel();
  });

  it('§6 CacheKey and CacheTTL reach the responder unchanged, for queries and commands', async () => {
    const c = connect();
    for (const [st, rt] of [
      [ST.Queries, RT.Query],
      [ST.Commands, RT.Command],
    ] as const) {
      const channel = ch('s6.cachekey');
      const inbox = await readyResponder(c, { SubscribeTypeData: st, ClientID: cid(), Channel: channel });
      await sendRequest(c, { ClientID: cid(), Channel: channel, RequestTypeData: rt, Body: Buffer.from('x'), Timeout: 3000, CacheKey: 'ck', CacheTTL: 7 });
      const [req] = await inbox.waitFor(1, 5000, notProbe);
      expect(req).toMatchObject({ CacheKey: 'ck', CacheTTL: 7 });
      inbox.cancel();
    }
  });

  it('§2.3 CacheKey without CacheTTL>0 gives Error 116', async () => {
    const err = await grpcError(
      sendRequest(connect(), { ClientID: cid(), Channel: ch('s23.cache'), RequestTypeData: RT.Query, Body: Buffer.from('x'), Timeout: 1000, CacheKey: 'k' }),
    );
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toBe('Error 116: invalid cache ttl value, cannot be 0 or negative');
  });
});
