// docs/broker-behaviour.md §0: the findings that matter most.
import * as grpc from '@grpc/grpc-js';
import { createTestPki, expectedCapabilities, startKubemq } from '@kubemq/testing';
import { itSkipBecause, itWhen, sharedBroker } from '@kubemq/testing/jest';
import { Empty, PingResult, Request_RequestType, Subscribe_SubscribeType, kubemqClient } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, grpcError, ping, sendEvent, sendRequest } from './support/raw.js';
import { readyResponder } from './support/ready.js';

afterAll(closeAll);

function rawUnary(address: string, path: string): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) =>
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err, value) => {
      client.close();
      if (err) reject(err);
      else resolve(value as Buffer);
    }),
  );
}

describe('§0 findings', () => {
  it('§0.1 the service is kubemq.kubemq (lowercase): /kubemq.kubemq/Ping answers', async () => {
    const bytes = await rawUnary(sharedBroker().address, '/kubemq.kubemq/Ping');
    expect(PingResult.decode(bytes).ServerStartTime).toBeGreaterThan(0n);
  });

  it('§0.1 /kubemq.Kubemq/Ping (capitalised service) is UNIMPLEMENTED', async () => {
    const err = await grpcError(rawUnary(sharedBroker().address, '/kubemq.Kubemq/Ping'));
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  const itNoAuth = sharedBroker().capabilities.auth ? itSkipBecause('the shared broker enforces auth') : it;
  itNoAuth('§0.2 no authentication: a bogus authorization token is ignored', async () => {
    const c = connect();
    const md = new grpc.Metadata();
    md.set('authorization', 'not-a-valid-token');
    const result = await new Promise<PingResult>((resolve, reject) =>
      c.ping(Empty.fromPartial({}), md, (err, value) => (err ? reject(err) : resolve(value))),
    );
    expect(result.ServerStartTime).toBeGreaterThan(0n);
    const sent = await sendEvent(c, { ClientID: cid(), Channel: ch('s0.auth'), Body: Buffer.from('x') });
    expect(sent.Sent).toBe(true);
  });

  itWhen('auth', expectedCapabilities({ auth: { token: 't' } }))(
    '§0.2 [emulator option; the open-source server lacks it] with auth on, a call without the token is UNAUTHENTICATED, but Ping is not checked',
    async () => {
      await using broker = await startKubemq({ auth: { token: 'conformance-token' } });
      const c = connect(broker.address);
      const err = await grpcError(sendEvent(c, { ClientID: cid(), Channel: ch('s0.auth'), Body: Buffer.from('x') }));
      expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
      // The token-checking revisions' unary interceptor skips every method named like Ping.
      const unchecked = await new Promise((resolve, reject) => c.ping(Empty.fromPartial({}), (e, v) => (e ? reject(e) : resolve(v))));
      expect(unchecked).toBeDefined();
      const md = new grpc.Metadata();
      md.set('authorization', 'conformance-token');
      const ok = await new Promise((resolve, reject) =>
        c.ping(Empty.fromPartial({}), md, (e, v) => (e ? reject(e) : resolve(v))),
      );
      expect(ok).toBeDefined();
    },
  );

  const pki = createTestPki();
  itWhen('tls', expectedCapabilities({ tls: { certPem: 'x', keyPem: 'y', caPem: 'z' } }))(
    '§0.3 with cert, key and CA ("mTLS"), a client without a certificate is still served',
    async () => {
      await using broker = await startKubemq({ tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem } });
      const c = new kubemqClient(broker.address, grpc.credentials.createSsl(Buffer.from(pki.caPem)));
      try {
        const result = await new Promise<PingResult>((resolve, reject) =>
          c.ping(Empty.fromPartial({}), (err, value) => (err ? reject(err) : resolve(value))),
        );
        expect(result.ServerStartTime).toBeGreaterThan(0n);
      } finally {
        c.close();
      }
    },
  );

  itWhen('clientCertificates', expectedCapabilities({ tls: { certPem: 'x', keyPem: 'y', caPem: 'z', requireClientCert: true } }))(
    '§0.3 [emulator option; the open-source server never verifies] requireClientCert refuses a client without a certificate',
    async () => {
      await using broker = await startKubemq({
        tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem, requireClientCert: true },
      });
      const call = (creds: grpc.ChannelCredentials) => {
        const c = new kubemqClient(broker.address, creds);
        return new Promise<PingResult>((resolve, reject) =>
          c.ping(Empty.fromPartial({}), new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err, value) => {
            c.close();
            if (err) reject(err);
            else resolve(value);
          }),
        );
      };
      await expect(call(grpc.credentials.createSsl(Buffer.from(pki.caPem)))).rejects.toMatchObject({});
      const ok = await call(
        grpc.credentials.createSsl(Buffer.from(pki.caPem), Buffer.from(pki.clientKeyPem), Buffer.from(pki.clientCertPem)),
      );
      expect(ok.ServerStartTime).toBeGreaterThan(0n);
    },
  );

  const itNoChannelMgmt = sharedBroker().capabilities.channelManagement
    ? itSkipBecause('the shared broker has a channel-management responder')
    : it;
  itNoChannelMgmt('§0.4 kubemq.cluster.internal.requests has no responder: list-channels times out with Error 301', async () => {
    const c = connect();
    const started = performance.now();
    const err = await grpcError(
      sendRequest(c, {
        ClientID: cid(),
        Channel: 'kubemq.cluster.internal.requests',
        RequestTypeData: Request_RequestType.Query,
        Metadata: 'list-channels',
        Tags: { channel_type: 'queues', client_id: 'conformance' },
        Timeout: 1500,
      }),
    );
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toBe('Error 301: timeout for request message');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
  });

  const itNoCache = sharedBroker().capabilities.queryCache ? itSkipBecause('the shared broker has a query cache') : it;
  itNoCache('§0.5 no query cache: a repeated CacheKey query reaches the responder again and CacheHit stays false', async () => {
    const c = connect();
    const channel = ch('s0.cache');
    let served = 0;
    const inbox = await readyResponder(c, { SubscribeTypeData: Subscribe_SubscribeType.Queries, ClientID: cid(), Channel: channel }, () => {
      served++;
      return { Executed: true, Body: Buffer.from(`answer ${served}`) };
    });
    const ask = () =>
      sendRequest(c, {
        ClientID: cid(),
        Channel: channel,
        RequestTypeData: Request_RequestType.Query,
        Body: Buffer.from('q'),
        Timeout: 3000,
        CacheKey: 'k1',
        CacheTTL: 60,
      });
    const first = await ask();
    const second = await ask();
    expect(first.CacheHit).toBe(false);
    expect(second.CacheHit).toBe(false);
    expect(served).toBe(2);
    expect(second.Body.toString()).toBe('answer 2');
    inbox.cancel();
  });

  // §0.6 (events-store durables by ClientID) is pinned in s2-events-store.spec.ts.

  itSkipBecause('[spec] the crash on an aborted QueuesUpstream is random on the real server; see §5.3 for the safe close')(
    '§0.7 aborting a QueuesUpstream can crash the server',
  );
  itSkipBecause('[spec] the usage report goes to api.kubemq.io; no broker here shows it (startKubemq points it at a dead proxy)')(
    '§0.9 the server reports usage to api.kubemq.io',
  );
  itSkipBecause('[spec] only a real binary writes ./config.yaml; startKubemq gives each binary a fresh cwd')(
    '§0.10 ./config.yaml is rewritten on every start',
  );
});

describe('§0 Ping', () => {
  const kind = sharedBroker().kind;
  const itStarted = kind === 'binary' ? it : itSkipBecause(`the shared broker is ${kind}, not a binary started by startKubemq with HOST=kubemq-test`);
  itStarted('§1.2/§1.7 Ping.Host is the HOST environment variable (kubemq-test)', async () => {
    expect((await ping(connect())).Host).toBe('kubemq-test');
  });

  it('§0 [seen] Ping → Host, Version, ServerStartTime (Unix s), ServerUpTimeSeconds', async () => {
    const result = await ping(connect());
    const nowS = BigInt(Math.floor(Date.now() / 1000));
    expect(typeof result.Host).toBe('string');
    expect(typeof result.Version).toBe('string');
    expect(result.ServerStartTime).toBeLessThanOrEqual(nowS + 300n);
    expect(result.ServerUpTimeSeconds).toBeGreaterThanOrEqual(0n);
    // Seconds, not ms or ns: start + uptime is now (a broker may have been up for days), on a
    // broker clock that may be off this machine's by seconds.
    const sum = result.ServerStartTime + result.ServerUpTimeSeconds;
    expect(sum).toBeGreaterThanOrEqual(nowS - 300n);
    expect(sum).toBeLessThanOrEqual(nowS + 300n);
  });
});
