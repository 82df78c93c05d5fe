// spec/server.md §6 Seen on a running v2.4.0 server, beyond the source reading (items not
// already pinned next to their section in the s2-* files).
import * as grpc from '@grpc/grpc-js';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { expectedCapabilities, startKubemq } from '@kubemq/testing';
import { eventually, itWhen, sharedBroker } from '@kubemq/testing/jest';
import { type Subscribe_EventsStoreType as Start, Subscribe_SubscribeType as ST } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, grpcError, queuesInfo, sendEvent, sendQueueMessage, sleep, subscribeEvents } from './support/raw.js';
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
