// docs/broker-behaviour.md §2.1 Events.
import * as grpc from '@grpc/grpc-js';
import { Subscribe_SubscribeType } from '@kubemq/emulator/wire';
import { probeUntil } from '@kubemq/testing/jest';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, eventsStream, grpcError, sendEvent, sleep, subscribeEvents, text } from './support/raw.js';
import { PROBE, isProbe, notProbe, readyEvents } from './support/ready.js';

afterAll(closeAll);
const NUID = /^[0-9A-Za-z]{22}$/;

describe('§2.1 Events: publishing', () => {
  it('§2.1 SendEvent returns Sent:true and a generated EventID even with no subscribers', async () => {
    const result = await sendEvent(connect(), { ClientID: cid(), Channel: ch('s21.nosub'), Body: Buffer.from('x') });
    expect(result.Sent).toBe(true);
    expect(result.Error).toBe('');
    expect(result.EventID).toMatch(NUID);
  });

  it('§2.1 SendEvent echoes a given EventID', async () => {
    const result = await sendEvent(connect(), { EventID: 'my-id-1', ClientID: cid(), Channel: ch('s21.id'), Metadata: 'm' });
    expect(result).toMatchObject({ EventID: 'my-id-1', Sent: true });
  });

  it('§2.1 SendEventsStream (Store=false) answers only errors', async () => {
    const c = connect();
    const channel = ch('s21.stream');
    const sub = await readyEvents(c, { ClientID: cid(), Channel: channel });
    const stream = eventsStream(c);
    stream.write({ EventID: 'ok-1', ClientID: cid(), Channel: channel, Body: Buffer.from('a') });
    stream.write({ EventID: 'bad-1', ClientID: cid(), Channel: '', Body: Buffer.from('b') });
    stream.write({ EventID: 'ok-2', ClientID: cid(), Channel: channel, Body: Buffer.from('c') });
    const [result] = await stream.waitFor(1);
    await sub.waitFor(2, 5000, notProbe);
    await sleep(200);
    expect(stream.items).toHaveLength(1);
    expect(result).toMatchObject({ EventID: 'bad-1', Sent: false, Error: 'Error 102: invalid channel value, cannot be empty' });
    stream.close();
    expect((await stream.end()).code).toBe(grpc.status.OK);
    sub.cancel();
  });

  it('§2.1 SendEventsStream (Store=true) answers every event', async () => {
    const stream = eventsStream(connect());
    const channel = ch('s21.stream.store');
    for (const id of ['s1', 's2', 's3']) {
      stream.write({ EventID: id, ClientID: cid(), Channel: channel, Body: Buffer.from(id), Store: true });
    }
    const results = await stream.waitFor(3);
    expect(results.map((r) => [r.EventID, r.Sent, r.Error])).toEqual([
      ['s1', true, ''],
      ['s2', true, ''],
      ['s3', true, ''],
    ]);
    stream.close();
  });
});

describe('§2.1 Events: fan-out, groups, wildcards', () => {
  it('§2.1 subscribers without a group each get a copy', async () => {
    const c = connect();
    const channel = ch('s21.fanout');
    const a = await readyEvents(c, { ClientID: cid(), Channel: channel });
    const b = await readyEvents(c, { ClientID: cid(), Channel: channel });
    for (let i = 0; i < 5; i++) await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(`m${i}`) });
    expect((await a.waitFor(5, 5000, notProbe)).map((e) => text(e.Body))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect((await b.waitFor(5, 5000, notProbe)).map((e) => text(e.Body))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    a.cancel();
    b.cancel();
  });

  it('§2.1 a Group gets each message once, on one member', async () => {
    const c = connect();
    const channel = ch('s21.group');
    const watcher = await readyEvents(c, { ClientID: cid(), Channel: channel });
    const m1 = await readyEvents(c, { ClientID: cid(), Channel: channel, Group: 'g' });
    const m2 = await readyEvents(c, { ClientID: cid(), Channel: channel, Group: 'g' });
    for (let i = 0; i < 20; i++) await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from(`m${i}`) });
    await watcher.waitFor(20, 5000, notProbe);
    await sleep(300);
    const got = [...m1.items, ...m2.items].filter(notProbe).map((e) => text(e.Body));
    expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    for (const s of [watcher, m1, m2]) s.cancel();
  });

  it('§2.1 wildcard `*` matches exactly one token', async () => {
    const c = connect();
    const base = ch('s21.star');
    const sub = await readyEvents(c, { ClientID: cid(), Channel: `${base}.*` }, `${base}.probe`);
    await sendEvent(c, { ClientID: cid(), Channel: `${base}.one`, Metadata: 'one', Body: Buffer.from('1') });
    await sendEvent(c, { ClientID: cid(), Channel: `${base}.one.two`, Metadata: 'two', Body: Buffer.from('2') });
    await sendEvent(c, { ClientID: cid(), Channel: `${base}.x`, Metadata: 'x', Body: Buffer.from('3') });
    const got = await sub.waitFor(2, 5000, notProbe);
    await sleep(200);
    expect(sub.items.filter(notProbe).map((e) => e.Metadata)).toEqual(['one', 'x']);
    expect(got[0]?.Channel).toBe(`${base}.one`);
    sub.cancel();
  });

  it('§2.1 wildcard `>` matches one or more trailing tokens', async () => {
    const c = connect();
    const base = ch('s21.gt');
    const sub = await readyEvents(c, { ClientID: cid(), Channel: `${base}.>` }, `${base}.probe`);
    await sendEvent(c, { ClientID: cid(), Channel: base, Metadata: 'zero', Body: Buffer.from('0') });
    await sendEvent(c, { ClientID: cid(), Channel: `${base}.a`, Metadata: 'one', Body: Buffer.from('1') });
    await sendEvent(c, { ClientID: cid(), Channel: `${base}.a.b.c`, Metadata: 'three', Body: Buffer.from('3') });
    await sub.waitFor(2, 5000, notProbe);
    await sleep(200);
    expect(sub.items.filter(notProbe).map((e) => [e.Metadata, e.Channel])).toEqual([
      ['one', `${base}.a`],
      ['three', `${base}.a.b.c`],
    ]);
    sub.cancel();
  });

  it('§2.1 publishing to a wildcard channel gives Error 107', async () => {
    const c = connect();
    for (const channel of [`${ch('s21.pubwild')}.*`, `${ch('s21.pubwild')}.>`]) {
      const err = await grpcError(sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('x') }));
      expect(err.code).toBe(grpc.status.INTERNAL);
      expect(err.details).toBe('Error 107: invalid channel value, no wildcards are allowed');
    }
  });
});

describe('§2.1 Events: what the subscriber receives', () => {
  it('§2.1 EventReceive{EventID, Channel, Metadata, Body, Tags, Timestamp:0, Sequence:0}', async () => {
    const c = connect();
    const channel = ch('s21.shape');
    const sub = await readyEvents(c, { ClientID: cid(), Channel: channel });
    await sendEvent(c, { EventID: 'e-shape', ClientID: cid(), Channel: channel, Metadata: 'meta', Body: Buffer.from('body'), Tags: { k: 'v' } });
    const [event] = await sub.waitFor(1, 5000, notProbe);
    expect(event).toMatchObject({ EventID: 'e-shape', Channel: channel, Metadata: 'meta', Tags: { k: 'v' }, Timestamp: 0n, Sequence: 0n });
    expect(text(event?.Body)).toBe('body');
    sub.cancel();
  });

  it('§2.1 [seen] an event published right after SubscribeToEvents, before the subscription is registered, is not delivered', async () => {
    const c = connect();
    const channel = ch('s21.early');
    const sub = subscribeEvents(c, { SubscribeTypeData: Subscribe_SubscribeType.Events, ClientID: cid(), Channel: channel });
    await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('early') });
    await probeUntil(
      () => sendEvent(c, { ClientID: 'prober', Channel: channel, Metadata: PROBE, Body: Buffer.from('p') }),
      () => sub.items.some(isProbe),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('late') });
    await sub.waitFor(1, 5000, notProbe);
    expect(sub.items.filter(notProbe).map((e) => text(e.Body))).toEqual(['late']);
    sub.cancel();
  });

  it('§2.1 [seen] a subscriber receives events published right after it is ready (probes, never sleep)', async () => {
    const c = connect();
    const channel = ch('s21.ready');
    const sub = await readyEvents(c, { SubscribeTypeData: Subscribe_SubscribeType.Events, ClientID: cid(), Channel: channel });
    await sendEvent(c, { ClientID: cid(), Channel: channel, Body: Buffer.from('after-ready') });
    expect(text((await sub.waitFor(1, 5000, notProbe))[0]?.Body)).toBe('after-ready');
    sub.cancel();
  });
});
