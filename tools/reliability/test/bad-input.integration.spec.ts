// Bad input: every public call fed malformed input (as a JavaScript caller can: wrong types,
// empty and oversized values, invalid channels, out-of-range numbers, lone surrogates where text is
// required, bodies over the configured maximum) must fail with core's typed ValidationError naming
// the field, and nothing may reach the broker. The client talks to the shared broker through a
// TCP proxy that counts the bytes going to the broker.
import { KubemqClient, KubemqError, ValidationError } from '@kubemq/core';
import { events } from '@kubemq/events';
import { eventsStore } from '@kubemq/events-store';
import { queueConsumer, queues, queueUpstream } from '@kubemq/queues';
import { commandResponder, commands, queries } from '@kubemq/rpc';
import { sharedBroker, uniqueClientId } from '@kubemq/testing/jest';
import { isObservable, type Observable } from 'rxjs';
import { startTcpProxy, type TcpProxy } from '@kubemq/test-fakes';

/** The client's configured maximum message size (small, so an oversized body is cheap). */
const MAX_MESSAGE_BYTES = 64 * 1024;
const tooBig = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x61);
const LONE_HIGH = 'a\uD800b';
const LONE_LOW = '\uDC00';
const fn = () => undefined;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JavaScript caller's view of the API
type Any = any;
interface Ctx {
  client: KubemqClient;
}
/** [description, call, expected field (a prefix match)] */
type Row = [string, (c: Ctx) => unknown, string];

const ev = (c: Ctx): Any => events(c.client);
const es = (c: Ctx): Any => eventsStore(c.client);
const q = (c: Ctx): Any => queues(c.client);
const cmd = (c: Ctx): Any => commands(c.client);
const qry = (c: Ctx): Any => queries(c.client);

const table: Row[] = [
  // events
  ['events.send: no message', (c) => ev(c).send(undefined), ''],
  ['events.send: a string instead of a message', (c) => ev(c).send('hello'), ''],
  ['events.send: empty channel', (c) => ev(c).send({ channel: '', body: 'x' }), 'channel'],
  ['events.send: channel is a number', (c) => ev(c).send({ channel: 42, body: 'x' }), 'channel'],
  ['events.send: channel with a space', (c) => ev(c).send({ channel: 'a b', body: 'x' }), 'channel'],
  ['events.send: channel with a tab', (c) => ev(c).send({ channel: 'a\tb', body: 'x' }), 'channel'],
  ['events.send: channel ending in a dot', (c) => ev(c).send({ channel: 'a.', body: 'x' }), 'channel'],
  ['events.send: wildcard channel', (c) => ev(c).send({ channel: 'a.*', body: 'x' }), 'channel'],
  ['events.send: body is a number', (c) => ev(c).send({ channel: 'ok', body: 42 }), 'body'],
  ['events.send: body is a plain object', (c) => ev(c).send({ channel: 'ok', body: { a: 1 } }), 'body'],
  ['events.send: empty body and metadata', (c) => ev(c).send({ channel: 'ok' }), 'body'],
  ['events.send: metadata is a number', (c) => ev(c).send({ channel: 'ok', body: 'x', metadata: 5 }), 'metadata'],
  ['events.send: tags is an array', (c) => ev(c).send({ channel: 'ok', body: 'x', tags: ['a'] }), 'tags'],
  ['events.send: a tag value is a number', (c) => ev(c).send({ channel: 'ok', body: 'x', tags: { a: 1 } }), 'tags.a'],
  ['events.send: timeoutMs negative', (c) => ev(c).send({ channel: 'ok', body: 'x' }, { timeoutMs: -1 }), 'timeoutMs'],
  ['events.send: timeoutMs not an integer', (c) => ev(c).send({ channel: 'ok', body: 'x' }, { timeoutMs: 1.5 }), 'timeoutMs'],
  ['events.send: signal is not an AbortSignal', (c) => ev(c).send({ channel: 'ok', body: 'x' }, { signal: 'stop' }), 'signal'],
  ['events.send: channel with a lone surrogate', (c) => ev(c).send({ channel: `ok${LONE_HIGH}`, body: 'x' }), 'channel'],
  ['events.send: metadata with a lone surrogate', (c) => ev(c).send({ channel: 'ok', body: 'x', metadata: LONE_LOW }), 'metadata'],
  ['events.send: tag value with a lone surrogate', (c) => ev(c).send({ channel: 'ok', body: 'x', tags: { k: LONE_HIGH } }), 'tags.k'],
  ['events.send: body over maxMessageBytes', (c) => ev(c).send({ channel: 'ok', body: tooBig }), 'body'],
  ['events.subscribe: empty channel', (c) => ev(c).subscribe({ channel: '' }), 'channel'],
  ['events.subscribe: partial-token wildcard', (c) => ev(c).subscribe({ channel: 'a.b*' }), 'channel'],
  ['events.subscribe: group is a number', (c) => ev(c).subscribe({ channel: 'ok', group: 5 }), 'group'],
  // events store
  ['eventsStore.send: wildcard channel', (c) => es(c).send({ channel: 'a.>', body: 'x' }), 'channel'],
  ['eventsStore.send: empty token', (c) => es(c).send({ channel: 'a..b', body: 'x' }), 'channel'],
  ['eventsStore.send: channel over 240 bytes', (c) => es(c).send({ channel: 'x'.repeat(241), body: 'x' }), 'channel'],
  ['eventsStore.send: channel with a slash', (c) => es(c).send({ channel: 'a/b', body: 'x' }), 'channel'],
  ['eventsStore.send: body over maxMessageBytes', (c) => es(c).send({ channel: 'ok', body: tooBig }), 'body'],
  ['eventsStore.subscribe: sequence 0', (c) => es(c).subscribe({ channel: 'ok', startAt: { kind: 'atSequence', sequence: 0 } }), 'startAt'],
  ['eventsStore.subscribe: sequence -1', (c) => es(c).subscribe({ channel: 'ok', startAt: { kind: 'atSequence', sequence: -1 } }), 'startAt'],
  ['eventsStore.subscribe: sequence NaN', (c) => es(c).subscribe({ channel: 'ok', startAt: { kind: 'atSequence', sequence: NaN } }), 'startAt'],
  ['eventsStore.subscribe: time delta not whole seconds', (c) => es(c).subscribe({ channel: 'ok', startAt: { kind: 'atTimeDelta', deltaSeconds: 1.5 } }), 'startAt'],
  ['eventsStore.subscribe: invalid Date', (c) => es(c).subscribe({ channel: 'ok', startAt: { kind: 'atTime', time: new Date(NaN) } }), 'startAt'],
  ['eventsStore.subscribe: unknown start kind', (c) => es(c).subscribe({ channel: 'ok', startAt: { kind: 'sometime' } }), 'startAt'],
  ['eventsStore.subscribe: group with a colon', (c) => es(c).subscribe({ channel: 'ok', group: 'a:b' }), 'group'],
  // queues
  ['queues.send: delay not whole seconds', (c) => q(c).send({ channel: 'q', body: 'x', policy: { delaySeconds: 1.5 } }), 'policy.delaySeconds'],
  ['queues.send: negative expiration', (c) => q(c).send({ channel: 'q', body: 'x', policy: { expirationSeconds: -1 } }), 'policy.expirationSeconds'],
  ['queues.send: maxReceiveCount not an integer', (c) => q(c).send({ channel: 'q', body: 'x', policy: { maxReceiveCount: 1.5 } }), 'policy.maxReceiveCount'],
  ['queues.send: dead-letter queue with a space', (c) => q(c).send({ channel: 'q', body: 'x', policy: { deadLetterQueue: 'a b', maxReceiveCount: 2 } }), 'policy.deadLetterQueue'],
  ['queues.send: channel over 246 bytes', (c) => q(c).send({ channel: 'q'.repeat(247), body: 'x' }), 'channel'],
  ['queues.send: body over maxMessageBytes', (c) => q(c).send({ channel: 'q', body: tooBig }), 'body'],
  ['queues.sendBatch: not an array', (c) => q(c).sendBatch('q'), 'messages'],
  ['queues.sendBatch: one bad message', (c) => q(c).sendBatch([{ channel: 'q', body: 'x' }, { channel: '', body: 'x' }]), 'messages'],
  ['queues.receive: maxItems 0', (c) => q(c).receive({ channel: 'q', maxItems: 0 }), 'maxItems'],
  ['queues.receive: maxItems huge', (c) => q(c).receive({ channel: 'q', maxItems: 1e9 }), 'maxItems'],
  ['queues.receive: wait not whole seconds', (c) => q(c).receive({ channel: 'q', waitTimeoutSeconds: 1.5 }), 'waitTimeoutSeconds'],
  ['queues.peek: wildcard channel', (c) => q(c).peek({ channel: 'q.*' }), 'channel'],
  ['queues.purge: empty channel', (c) => q(c).purge({ channel: '' }), 'channel'],
  ['queues.info: a channel is a number', (c) => q(c).info({ channels: [42] }), 'channels'],
  ['queues.poll: maxItems negative', (c) => q(c).poll({ channel: 'q', maxItems: -1 }), 'maxItems'],
  ['queues.subscribe: channel is null', (c) => q(c).subscribe({ channel: null }), 'channel'],
  ['queueConsumer: handler is not a function', (c) => queueConsumer(c.client, { channel: 'q' }, 'handler' as Any), 'handler'],
  ['queueConsumer: concurrency 0', (c) => queueConsumer(c.client, { channel: 'q', concurrency: 0 }, fn), 'concurrency'],
  ['queueUpstream.send: bad channel', (c) => queueUpstream(c.client).send([{ channel: 'a b', body: 'x' }]), 'messages'],
  // commands and queries
  ['commands.send: timeoutMs 0', (c) => cmd(c).send({ channel: 'c', body: 'x', timeoutMs: 0 }), 'timeoutMs'],
  ['commands.send: timeoutMs Infinity', (c) => cmd(c).send({ channel: 'c', body: 'x', timeoutMs: Infinity }), 'timeoutMs'],
  ['commands.send: wildcard channel', (c) => cmd(c).send({ channel: 'c.*', body: 'x', timeoutMs: 1000 }), 'channel'],
  ['commands.send: body over maxMessageBytes', (c) => cmd(c).send({ channel: 'c', body: tooBig, timeoutMs: 1000 }), 'body'],
  ['commandResponder: empty channel', (c) => commandResponder(c.client, { channel: '' }, fn), 'channel'],
  ['commandResponder: handler is not a function', (c) => commandResponder(c.client, { channel: 'c' }, 'handler' as Any), 'handler'],
  ['queries.send: cacheTtlSeconds not whole seconds', (c) => qry(c).send({ channel: 'q', body: 'x', timeoutMs: 1000, cacheKey: 'k', cacheTtlSeconds: 1.5 }), 'cacheTtlSeconds'],
  ['queries.send: cacheKey without cacheTtlSeconds', (c) => qry(c).send({ channel: 'q', body: 'x', timeoutMs: 1000, cacheKey: 'k' }), 'cacheTtlSeconds'],
  ['queries.send: body is a number', (c) => qry(c).send({ channel: 'q', body: 7, timeoutMs: 1000 }), 'body'],
  ['queries.subscribe: group with a tab', (c) => qry(c).subscribe({ channel: 'q', group: 'a\tb' }), 'group'],
  ['queries.send: channel with a lone surrogate', (c) => qry(c).send({ channel: `q${LONE_HIGH}`, body: 'x', timeoutMs: 1000 }), 'channel'],
];

/** The call's outcome: what it threw, rejected with, or (for an Observable) errored with on subscribe. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    const result = call();
    if (isObservable(result)) {
      return await new Promise((resolve) => {
        const sub = (result as Observable<unknown>).subscribe({ error: resolve, complete: () => resolve('completed') });
        // A subscription that neither fails nor completes at once was accepted: end it.
        setTimeout(() => {
          sub.unsubscribe();
          resolve('accepted');
        }, 200);
      });
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') await result;
    else if (result && typeof (result as { stop?: unknown }).stop === 'function') await (result as { stop(): Promise<void> }).stop();
    else if (result && typeof (result as { close?: unknown }).close === 'function') await (result as { close(): Promise<void> }).close();
    return 'accepted';
  } catch (err) {
    return err;
  }
}

describe('bad input → ValidationError, nothing sent', () => {
  let proxy: TcpProxy;
  let client: KubemqClient;
  beforeAll(async () => {
    proxy = await startTcpProxy(sharedBroker().address);
    client = await KubemqClient.connect({ address: proxy.address, clientId: uniqueClientId('rel-bad'), maxMessageBytes: MAX_MESSAGE_BYTES });
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.close();
  });

  it.each(table)('%s', async (_name, call, field) => {
    const before = proxy.stats.bytesToBroker;
    const err = await outcome(() => call({ client }));
    // let anything the call may have started reach the proxy
    await new Promise((r) => setTimeout(r, 50));
    const seen = KubemqError.isKubemqError(err)
      ? { name: err.name, code: err.code, field: (err as Partial<ValidationError>).field, message: err.message }
      : { got: String(err) };
    expect({ ...seen, bytesToBroker: proxy.stats.bytesToBroker - before }).toMatchObject({ name: 'ValidationError', code: 'VALIDATION', bytesToBroker: 0 });
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field?.startsWith(field)).toBe(true);
  });

  it('covers every pattern through one connection (each row checked its own bytes)', () => {
    expect(proxy.stats.connections).toBe(1);
    expect(table.length).toBeGreaterThan(60);
  });
});
