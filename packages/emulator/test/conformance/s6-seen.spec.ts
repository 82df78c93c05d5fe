// docs/broker-behaviour.md §6 Seen on a running v2.4.0 server, beyond the source reading (items not
// already pinned next to their section in the s2-* files).
import * as grpc from '@grpc/grpc-js';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { expectedCapabilities, startKubemq } from '@kubemq/testing';
import { eventually, itWhen, sharedBroker } from '@kubemq/testing/jest';
import {
  QueuesDownstreamRequestType as DT,
  StreamRequestType as SR,
  type Subscribe_EventsStoreType as Start,
  Subscribe_SubscribeType as ST,
  type kubemqClient,
} from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import {
  closeAll,
  connect,
  downstream,
  eventsStream,
  grpcError,
  queueStreamV1,
  queuesInfo,
  sendEvent,
  sendQueueBatch,
  sendQueueMessage,
  sleep,
  subscribeEvents,
  text,
} from './support/raw.js';
import { notProbe, readyEvents } from './support/ready.js';

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

/** grpc.reflection.v1alpha list_services, hand-encoded. */
function listServices(address: string): Promise<string[]> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(
    '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
    (req: string) => Buffer.from(new BinaryWriter().uint32((7 << 3) | 2).string(req).finish()),
    (buf: Buffer) => {
      const names: string[] = [];
      const r = new BinaryReader(buf);
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag >>> 3 !== 6) {
          r.skip(tag & 7);
          continue;
        }
        const list = new BinaryReader(r.bytes());
        while (list.pos < list.len) {
          const t = list.uint32();
          if (t >>> 3 !== 1) {
            list.skip(t & 7);
            continue;
          }
          const svc = new BinaryReader(list.bytes());
          while (svc.pos < svc.len) {
            const s = svc.uint32();
            if (s >>> 3 === 1) names.push(svc.string());
            else svc.skip(s & 7);
          }
        }
      }
      return names;
    },
  );
  return new Promise<string[]>((resolve, reject) => {
    call.on('data', (names: string[]) => {
      resolve(names);
      call.cancel();
      client.close();
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) reject(err);
      client.close();
    });
    call.write('*');
  });
}

describe('§6 validation order and odd acceptances', () => {
  it('§6 accepted without error: events-store start type 7', async () => {
    const c = connect();
    const sub = subscribeEvents(c, { SubscribeTypeData: ST.EventsStore, ClientID: cid(), Channel: ch('s6.type7'), EventsStoreTypeData: 7 as Start });
    await sleep(400);
    expect(sub.done).toBeUndefined();
    sub.cancel();
  });

  it('§6 accepted without error: an events subscription with only EventsStoreTypeValue set', async () => {
    const c = connect();
    const channel = ch('s6.valueonly');
    const sub = await readyEvents(c, { SubscribeTypeData: ST.Events, ClientID: cid(), Channel: channel, EventsStoreTypeValue: 42 });
    expect(sub.done).toBeUndefined();
    sub.cancel();
  });

  it('§6 events (Store=false) to `a<TAB>b`: Sent:true, delivered to subscribers of `a` with Channel "a\\tb"', async () => {
    const c = connect();
    const channel = ch('s6.tab');
    const sub = await readyEvents(c, { ClientID: cid(), Channel: channel });
    const r = await sendEvent(c, { ClientID: cid(), Channel: `${channel}\tb`, Metadata: 'tabbed', Body: Buffer.from('x') });
    expect(r.Sent).toBe(true);
    const [got] = await sub.waitFor(1, 5000, notProbe);
    expect(got?.Channel).toBe(`${channel}\tb`);
    sub.cancel();
  });

  itWhen('restart', expectedCapabilities())(
    '§6 a tab in an events-store channel breaks every later events-store send (`nats: connection closed`) until the server restarts (own broker)',
    async () => {
      await using broker = await startKubemq();
      const c = connect(broker.address);
      await sendEvent(c, { ClientID: cid(), Channel: `${ch('s6.storetab')}\tb`, Body: Buffer.from('x'), Store: true });
      const broken = await eventually(async () => {
        const r = await sendEvent(c, { ClientID: cid(), Channel: ch('s6.after'), Body: Buffer.from('x'), Store: true });
        if (r.Sent) throw new Error('still sending');
        return r;
      });
      expect(broken).toMatchObject({ Sent: false, Error: 'nats: connection closed' });
      const events = await sendEvent(c, { ClientID: cid(), Channel: ch('s6.plain'), Body: Buffer.from('x') });
      expect(events.Sent).toBe(true);
      await broker.restart();
      const fixed = await eventually(() => sendEvent(c, { ClientID: cid(), Channel: ch('s6.after'), Body: Buffer.from('x'), Store: true }), {
        timeoutMs: 15_000,
      });
      expect(fixed.Sent).toBe(true);
    },
  );
});

describe('§6 server', () => {
  it('§6 QueuesInfo totals cover only the queues that matched', async () => {
    const c = connect();
    const a = ch('s6.tot.a');
    const b = ch('s6.tot.b');
    for (const q of [a, a, b]) await sendQueueMessage(c, { ClientID: cid(), Channel: q, Body: Buffer.from('x') });
    const r = await queuesInfo(c, { QueueName: a });
    expect(r.Info?.TotalQueue).toBe(1);
    expect(r.Info?.Queues.map((q) => q.Name)).toEqual([a]);
    expect(r.Info?.Sent).toBe(r.Info?.Queues[0]?.Sent);
    expect(r.Info?.Waiting).toBe(r.Info?.Queues[0]?.Waiting);
  });

  it('§6 reflection lists kubemq.kubemq and grpc.reflection.v1alpha.ServerReflection', async () => {
    const services = await listServices(sharedBroker().address);
    expect(services).toEqual(expect.arrayContaining(['kubemq.kubemq', 'grpc.reflection.v1alpha.ServerReflection']));
  });

  it('§6 an unknown method is UNIMPLEMENTED `unknown method NoSuchMethod for service kubemq.kubemq`', async () => {
    const err = await grpcError(rawUnary(sharedBroker().address, '/kubemq.kubemq/NoSuchMethod'));
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(err.details).toBe('unknown method NoSuchMethod for service kubemq.kubemq');
  });

  it('§6 an unknown service is UNIMPLEMENTED `unknown service kubemq.Kubemq`', async () => {
    const err = await grpcError(rawUnary(sharedBroker().address, '/kubemq.Kubemq/Ping'));
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(err.details).toBe('unknown service kubemq.Kubemq');
  });
});

describe('§6 streams', () => {
  it('§6 [seen] a stream that ends OK carries an empty status message: SendEventsStream after a half-close', async () => {
    const s = eventsStream(connect());
    s.write({ ClientID: cid(), Channel: ch('s6.okstatus'), Body: Buffer.from('x') });
    s.close();
    expect(await s.end()).toEqual({ code: grpc.status.OK, details: '' });
  });

  it('§6 [seen] a stream that ends OK carries an empty status message: StreamQueueMessage after an ack', async () => {
    const c = connect();
    const channel = ch('s6.okstatus.v1');
    await sendQueueMessage(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x') });
    const s = queueStreamV1(c);
    const got = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 5, WaitTimeSeconds: 1 });
    await s.request({ ClientID: cid(), StreamRequestTypeData: SR.AckMessage, RefSequence: got.Message?.Attributes?.Sequence });
    expect(await s.end()).toEqual({ code: grpc.status.OK, details: '' });
  });
});

// Own brokers: kill() sends SIGKILL; restart() stops gracefully (SIGTERM, waiting for the exit)
// when the broker runs, then starts it again on the same port and store.
describe('§6 queue messages across a broker restart (own broker)', () => {
  const itKill = itWhen('kill', expectedCapabilities());
  const bodies = (ms: Array<{ Body: Uint8Array }>) => ms.map((m) => text(m.Body)).sort();
  const ten = Array.from({ length: 10 }, (_, i) => `m${i}`);

  async function sendTen(c: kubemqClient, channel: string): Promise<void> {
    const r = await sendQueueBatch(c, { BatchID: 'ten', Messages: ten.map((b) => ({ ClientID: cid(), Channel: channel, Body: Buffer.from(b) })) });
    expect(r.Results.every((x) => !x.IsError)).toBe(true);
  }

  /** A Get of up to 10 with a short wait on a new stream; the transaction is acked so the messages are gone. */
  async function getAndAck(c: kubemqClient, channel: string, clientId: string): Promise<string[]> {
    const d = downstream(c);
    const r = await d.request({ RequestID: 'get', ClientID: clientId, RequestTypeData: DT.Get, Channel: channel, MaxItems: 10, WaitTimeout: 2000 }, 15_000);
    expect(r.IsError).toBe(false);
    if (r.Messages.length > 0) d.write({ ClientID: clientId, RequestTypeData: DT.AckAll, RefTransactionId: r.TransactionId });
    // The ack has no reply: ActiveOffsets is answered after it (one request at a time per stream).
    await d.request({ ClientID: clientId, RequestTypeData: DT.ActiveOffsets, RefTransactionId: r.TransactionId });
    d.cancel();
    return bodies(r.Messages);
  }

  itKill(
    '§6 [seen] SIGKILL strands the messages of an open downstream transaction: never delivered again, not to a new Get with the same ClientID, not after a second, graceful restart',
    async () => {
      await using broker = await startKubemq();
      const channel = ch('s6.kill.tx');
      const clientId = cid();
      await sendTen(connect(broker.address), channel);
      const d = downstream(connect(broker.address));
      const held = await d.request({ RequestID: 'held', ClientID: clientId, RequestTypeData: DT.Get, Channel: channel, MaxItems: 5, WaitTimeout: 1000 });
      expect(bodies(held.Messages)).toEqual(ten.slice(0, 5));
      await broker.kill(); // SIGKILL with the transaction open
      await broker.restart();
      expect(await getAndAck(connect(broker.address), channel, clientId)).toEqual(ten.slice(5));
      expect(await getAndAck(connect(broker.address), channel, clientId)).toEqual([]);
      await broker.restart(); // SIGTERM, then start
      expect(await getAndAck(connect(broker.address), channel, clientId)).toEqual([]);
    },
    90_000,
  );

  itKill(
    '§6 [seen] with SIGTERM instead, the messages of an open downstream transaction all come back',
    async () => {
      await using broker = await startKubemq();
      const channel = ch('s6.term.tx');
      const clientId = cid();
      await sendTen(connect(broker.address), channel);
      const d = downstream(connect(broker.address));
      const held = await d.request({ RequestID: 'held', ClientID: clientId, RequestTypeData: DT.Get, Channel: channel, MaxItems: 5, WaitTimeout: 1000 });
      expect(held.Messages).toHaveLength(5);
      await broker.restart(); // SIGTERM with the transaction open, then start
      expect(await getAndAck(connect(broker.address), channel, clientId)).toEqual(ten);
    },
    90_000,
  );

  itKill(
    "§6 [seen] SIGKILL strands stream v1's in-flight message too, even after its visibility time",
    async () => {
      await using broker = await startKubemq();
      const channel = ch('s6.kill.v1');
      const c = connect(broker.address);
      await sendQueueBatch(c, { BatchID: 'two', Messages: ['v0', 'v1'].map((b) => ({ ClientID: cid(), Channel: channel, Body: Buffer.from(b) })) });
      const s = queueStreamV1(c);
      const got = await s.request({ ClientID: cid(), StreamRequestTypeData: SR.ReceiveMessage, Channel: channel, VisibilitySeconds: 1, WaitTimeSeconds: 1 });
      expect(text(got.Message?.Body)).toBe('v0');
      const receivedAt = Date.now();
      await broker.kill();
      await broker.restart();
      await sleep(Math.max(0, receivedAt + 1500 - Date.now())); // past the visibility time
      expect(await getAndAck(connect(broker.address), channel, cid())).toEqual(['v1']);
    },
    90_000,
  );
});
