import { runInNewContext } from 'node:vm';
import { validationField } from '@kubemq/test-fakes';
import type { QueryHandlerResult } from '../types/query.js';
import { COMMANDS, QUERIES } from '../kind.js';
import { buildHandlerReply, buildReply } from './reply.js';

const ctx = { clientId: 'responder-1', operation: 'commands.reply' };

describe('buildReply', () => {
  it('maps a command reply: executed by default, ids echoed, time in Unix ns, tags', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const wire = buildReply(COMMANDS, { requestId: 'r1', replyChannel: '_INBOX.abc', tags: { k: 'v' }, executedAt: at }, ctx);
    expect(wire).toMatchObject({ ClientID: 'responder-1', RequestID: 'r1', ReplyChannel: '_INBOX.abc', Executed: true, Error: '', Tags: { k: 'v' } });
    expect(wire.Timestamp).toBe(BigInt(Math.floor(at.getTime() / 1000)));
    expect(wire.Body.length).toBe(0);
    expect(wire.Metadata).toBe('');
  });

  it('an error means not executed unless executed says otherwise', () => {
    expect(buildReply(COMMANDS, { requestId: 'r', replyChannel: 'i', error: 'boom' }, ctx)).toMatchObject({ Executed: false, Error: 'boom' });
    expect(buildReply(COMMANDS, { requestId: 'r', replyChannel: 'i', executed: false }, ctx)).toMatchObject({ Executed: false, Error: '' });
    expect(buildReply(COMMANDS, { requestId: 'r', replyChannel: 'i', executed: true, error: 'warn' }, ctx)).toMatchObject({ Executed: true, Error: 'warn' });
  });

  it('stamps now when executedAt is absent', () => {
    const before = BigInt(Math.floor(Date.now() / 1000));
    const wire = buildReply(COMMANDS, { requestId: 'r', replyChannel: 'i' }, ctx);
    expect(wire.Timestamp >= before).toBe(true);
    expect(wire.Timestamp <= BigInt(Math.ceil(Date.now() / 1000))).toBe(true);
  });

  it('carries body and metadata on a query reply', () => {
    const wire = buildReply(QUERIES, { requestId: 'r', replyChannel: 'i', body: '{"a":1}', metadata: 'json' }, { ...ctx, operation: 'queries.reply' });
    expect(Buffer.from(wire.Body).toString()).toBe('{"a":1}');
    expect(wire.Metadata).toBe('json');
    expect(wire.CacheHit).toBe(false);
  });

  it("carries a query reply's cacheHit, which the open-source broker passes to the requester as it is", () => {
    const op = { ...ctx, operation: 'queries.reply' };
    expect(buildReply(QUERIES, { requestId: 'r', replyChannel: 'i', body: 'v', cacheHit: true }, op).CacheHit).toBe(true);
    expect(buildReply(QUERIES, { requestId: 'r', replyChannel: 'i', body: 'v', cacheHit: false }, op).CacheHit).toBe(false);
    expect(buildReply(QUERIES, { requestId: 'r', replyChannel: 'i', body: 'v', cacheHit: undefined }, op).CacheHit).toBe(false);
    expect(validationField(() => buildReply(QUERIES, { requestId: 'r', replyChannel: 'i', cacheHit: 'yes' } as never, op))).toBe('cacheHit');
  });

  it.each([
    ['no request id', { replyChannel: 'i' }, 'requestId'],
    ['an empty request id', { requestId: '', replyChannel: 'i' }, 'requestId'],
    ['no reply channel', { requestId: 'r' }, 'replyChannel'],
    ['an empty reply channel', { requestId: 'r', replyChannel: '' }, 'replyChannel'],
    ['a reply channel with a space', { requestId: 'r', replyChannel: 'a b' }, 'replyChannel'],
    ['a non-boolean executed', { requestId: 'r', replyChannel: 'i', executed: 'yes' }, 'executed'],
    ['a non-string error', { requestId: 'r', replyChannel: 'i', error: new Error('x') }, 'error'],
    ['an invalid executedAt', { requestId: 'r', replyChannel: 'i', executedAt: new Date('nope') }, 'executedAt'],
    ['a non-string tag', { requestId: 'r', replyChannel: 'i', tags: { a: 1 } }, 'tags.a'],
    ['a body (the broker clears it on commands)', { requestId: 'r', replyChannel: 'i', body: 'x' }, 'body'],
    ['metadata (the broker clears it on commands)', { requestId: 'r', replyChannel: 'i', metadata: 'x' }, 'metadata'],
    ['cacheHit (the broker clears it on commands)', { requestId: 'r', replyChannel: 'i', cacheHit: true }, 'cacheHit'],
  ])('rejects a command reply with %s', (_name, reply, field) => {
    expect(validationField(() => buildReply(COMMANDS, reply as never, ctx))).toBe(field);
  });

  it("takes any non-empty request id, as the broker does: another SDK's sender may have chosen it", () => {
    expect(buildReply(COMMANDS, { requestId: 'order 42\t#1', replyChannel: 'i' }, ctx).RequestID).toBe('order 42\t#1');
  });

  it('rejects a query reply with a bad body', () => {
    expect(validationField(() => buildReply(QUERIES, { requestId: 'r', replyChannel: 'i', body: 42 } as never, ctx))).toBe('body');
  });
});

describe('buildHandlerReply', () => {
  const to = { RequestID: 'req-7', ReplyChannel: '_INBOX.resp.9' };

  it('answers the received request: its id and reply channel, the handler\'s fields', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const wire = buildHandlerReply(QUERIES, { body: 'ok', metadata: 'm', tags: { k: 'v' }, executedAt: at }, to, { ...ctx, operation: 'queries.reply' });
    expect(wire).toMatchObject({ ClientID: 'responder-1', RequestID: 'req-7', ReplyChannel: '_INBOX.resp.9', Executed: true, Error: '', Metadata: 'm', Tags: { k: 'v' } });
    expect(Buffer.from(wire.Body).toString()).toBe('ok');
    expect(wire.Timestamp).toBe(BigInt(Math.floor(at.getTime() / 1000)));
  });

  it("carries a query handler's cacheHit, also from a class instance that has only that field", () => {
    const qctx = { ...ctx, operation: 'queries.reply' };
    expect(buildHandlerReply(QUERIES, { body: 'ok', cacheHit: true }, to, qctx).CacheHit).toBe(true);
    class Cached {
      cacheHit = true;
    }
    expect(buildHandlerReply(QUERIES, new Cached(), to, qctx).CacheHit).toBe(true);
    expect(validationField(() => buildHandlerReply(QUERIES, { cacheHit: 1 } as never, to, qctx))).toBe('cacheHit');
  });

  it('ignores ids a handler returns anyway (the request decides where the reply goes)', () => {
    const wire = buildHandlerReply(COMMANDS, { requestId: 'other', replyChannel: 'elsewhere' } as never, to, ctx);
    expect(wire).toMatchObject({ RequestID: 'req-7', ReplyChannel: '_INBOX.resp.9' });
  });

  it.each([
    ['a non-boolean executed', { executed: 'yes' }, 'executed'],
    ['a non-string error', { error: 42 }, 'error'],
    ['an invalid executedAt', { executedAt: new Date('nope') }, 'executedAt'],
    ['a non-string tag', { tags: { a: 1 } }, 'tags.a'],
    ['a body (the broker clears it on commands)', { body: 'x' }, 'body'],
    ['metadata (the broker clears it on commands)', { metadata: 'x' }, 'metadata'],
    ['cacheHit (the broker clears it on commands)', { cacheHit: false }, 'cacheHit'],
    ['a result that is not an object', 'done', 'reply'],
  ])('still validates what the handler returned: rejects %s', (_name, result, field) => {
    expect(validationField(() => buildHandlerReply(COMMANDS, result as never, to, ctx))).toBe(field);
  });

  // Each would otherwise go out as executed with an empty body: none has a field of the reply.
  it.each([
    ['a Buffer', Buffer.from('{"available":3}'), 'Buffer'],
    ['a Uint8Array', new Uint8Array([1, 2]), 'Uint8Array'],
    ['a DataView', new DataView(new ArrayBuffer(2)), 'DataView'],
    ['an ArrayBuffer', new ArrayBuffer(2), 'ArrayBuffer'],
    ['an array', [{ body: 'x' }], 'an array'],
    ['a Map', new Map([['body', 'x']]), 'Map'],
    ['a Date', new Date(), 'Date'],
    ['an Error', new Error('failed'), 'Error'],
    ['a string', '{"available":3}', 'string'],
    ['a number', 3, 'number'],
  ])('refuses %s as a result, of a query or a command, saying what to return', (_name, result, what) => {
    const qctx = { ...ctx, operation: 'queries.reply' };
    for (const [kind, context, example] of [[QUERIES, qctx, '{ body, metadata, tags }'], [COMMANDS, ctx, '{ tags }']] as const) {
      let error: unknown;
      try {
        buildHandlerReply(kind, result as never, to, context);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'VALIDATION', field: 'reply', operation: context.operation });
      expect((error as Error).message).toBe(
        `invalid reply: the handler returned ${what}; return nothing or an object such as ${example}${kind === COMMANDS ? ' (a command answers with no data)' : ''}`,
      );
    }
  });

  it('takes a plain object from another realm, one without a prototype, and a class instance with the reply\'s fields', () => {
    const qctx = { ...ctx, operation: 'queries.reply' };
    const otherRealm = runInNewContext('({ body: "x", metadata: "m" })') as QueryHandlerResult;
    expect(Object.getPrototypeOf(otherRealm)).not.toBe(Object.prototype);
    expect(buildHandlerReply(QUERIES, otherRealm, to, qctx)).toMatchObject({ Metadata: 'm', Executed: true });
    const bare = Object.assign(Object.create(null) as object, { body: 'x' });
    expect(Buffer.from(buildHandlerReply(QUERIES, bare, to, qctx).Body).toString()).toBe('x');
    class Answer {
      constructor(readonly body: string) {}
    }
    expect(Buffer.from(buildHandlerReply(QUERIES, new Answer('y'), to, qctx).Body).toString()).toBe('y');
    class Refusal {
      readonly executed = false;
      readonly error = 'locked';
    }
    expect(buildHandlerReply(COMMANDS, new Refusal(), to, ctx)).toMatchObject({ Executed: false, Error: 'locked' });
  });

  it('rejects a query result with a bad body or metadata', () => {
    const qctx = { ...ctx, operation: 'queries.reply' };
    expect(validationField(() => buildHandlerReply(QUERIES, { body: 42 } as never, to, qctx))).toBe('body');
    expect(validationField(() => buildHandlerReply(QUERIES, { metadata: 7 } as never, to, qctx))).toBe('metadata');
    expect(validationField(() => buildHandlerReply(QUERIES, { body: 'x'.repeat(11) }, to, { ...qctx, maxBodyBytes: 10 }))).toBe('body');
    // The requester gets the reply through a NATS subscription, which drops one over 64 MiB.
    const huge = new Uint8Array(64 * 1024 * 1024);
    expect(validationField(() => buildHandlerReply(QUERIES, { body: huge }, to, { ...qctx, maxBodyBytes: 100 * 1024 * 1024 }))).toBe('body');
    const fits = huge.subarray(0, 64 * 1024 * 1024 - 64 * 1024);
    expect(validationField(() => buildHandlerReply(QUERIES, { body: fits, metadata: 'm'.repeat(200_000) }, to, { ...qctx, maxBodyBytes: 100 * 1024 * 1024 }))).toBe('reply');
  });
});
