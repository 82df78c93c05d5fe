import { DecodeError, jsonCodec, textCodec, type KubemqClient } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { commandChannel, commandResponder, commands, queryChannel, queryResponder, type TypedCommandReceive, type TypedQueryReceive } from '../../src/index.js';
import { connect } from './helpers.js';

interface Reboot {
  device: string;
}
const isReboot = (v: unknown): Reboot => {
  if (typeof (v as Reboot)?.device !== 'string') throw new TypeError('not a Reboot');
  return v as Reboot;
};

describe('typed command and query channels through the broker', () => {
  let requester: KubemqClient;
  let responderClient: KubemqClient;
  beforeAll(async () => {
    requester = await connect(sharedBroker().address, 'rpc-typed-req');
    responderClient = await connect(sharedBroker().address, 'rpc-typed-resp');
  });
  afterAll(async () => {
    await requester?.close();
    await responderClient?.close();
  });

  it('commands: the handler gets decoded values; an undecodable command is refused without reaching it', async () => {
    const channel = uniqueChannel('rpc.typed.cmd');
    const codec = jsonCodec<Reboot>({ validate: isReboot });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const failedRequests: string[] = [];
    const onError = (e: unknown, request?: { id: string }) => {
      errors.push(e);
      if (request) failedRequests.push(request.id);
    };
    await using responder = commandResponder(commandChannel(responderClient, { channel, codec }), { onError }, (cmd) => {
      seen.push(cmd.value.device);
      return { tags: { rebooted: cmd.value.device } };
    });
    await responder.ready();
    const reboots = commandChannel(requester, { channel, codec });
    const ok = await reboots.send({ value: { device: 'dev-1' }, timeoutMs: 5000 });
    expect(ok).toMatchObject({ executed: true, tags: { rebooted: 'dev-1' } });

    const bad = await commands(requester).send({ channel, body: '{"device":7}', timeoutMs: 5000 });
    expect(bad.executed).toBe(false);
    expect(bad.error).toMatch(/the json codec could not decode its body: not a Reboot/);
    expect(seen).toEqual(['dev-1']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DecodeError);
    expect(errors[0]).toMatchObject({ code: 'DECODE_FAILED', messageId: bad.id, operation: 'commands.handle' });
    expect(failedRequests).toEqual([bad.id]);

    await expect(reboots.send({ value: { device: 1 } as unknown as Reboot })).rejects.toMatchObject({ name: 'ValidationError', field: 'value' });
    expect(seen).toEqual(['dev-1']);
  });

  it('commands: a raw typed subscription decodes each command and replies through the channel', async () => {
    const channel = uniqueChannel('rpc.typed.cmdsub');
    const reboots = commandChannel(responderClient, { channel, codec: textCodec() });
    const received: TypedCommandReceive<string>[] = [];
    const sub = reboots.subscribe().subscribe((cmd) => {
      received.push(cmd);
      void reboots.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel, executed: cmd.ok, ...(!cmd.ok && { error: cmd.decodeError.message }) }).catch(() => undefined);
    });
    try {
      // No readiness signal for raw subscriptions: send until one is answered.
      const sender = commandChannel(requester, { channel, codec: textCodec() });
      let answer;
      for (let i = 0; i < 50 && !answer?.executed; i++) answer = await sender.send({ value: 'reboot', timeoutMs: 300 }).catch(() => undefined);
      expect(answer?.executed).toBe(true);
      const invalid = await commands(requester).send({ channel, body: new Uint8Array([0xc3]), timeoutMs: 5000 });
      expect(invalid).toMatchObject({ executed: false });
      expect(invalid.error).toMatch(/the text codec could not decode/);
      expect(received.find((c) => c.ok)?.value).toBe('reboot');
    } finally {
      sub.unsubscribe();
    }
  });

  it('queries: typed requests and answers; undecodable answers, refused answers and not-executed ones are told apart', async () => {
    const channel = uniqueChannel('rpc.typed.q');
    const stock = queryChannel(requester, { channel, codec: jsonCodec<{ sku: string }>(), responseCodec: jsonCodec<{ available: number }>() });
    const served = queryChannel(responderClient, {
      channel,
      codec: jsonCodec<{ sku: string }>(),
      responseCodec: jsonCodec<{ available: number }>({
        validate: (v) => {
          if ((v as { available: number }).available < 0) throw new RangeError('negative stock');
          return v as { available: number };
        },
      }),
    });
    await using responder = queryResponder(served, { concurrency: 4 }, (q) => {
      if (q.value.sku === 'unknown') throw new Error('no such sku');
      return { value: { available: q.value.sku === 'broken' ? -1 : 3 }, metadata: 'json' };
    });
    await responder.ready();

    const res = await stock.send({ value: { sku: 'sku-1' }, timeoutMs: 5000 });
    expect(res).toMatchObject({ ok: true, executed: true, value: { available: 3 }, metadata: 'json' });
    // A typed answer is still a QueryResponse: its body reads as text and JSON too.
    expect(res.json()).toEqual({ available: 3 });
    expect(res.text()).toBe('{"available":3}');

    const failed = await stock.send({ value: { sku: 'unknown' }, timeoutMs: 5000 });
    expect(failed).toMatchObject({ ok: false, executed: false, error: 'no such sku' });
    expect(failed.decodeError).toBeUndefined();

    const refused = await stock.send({ value: { sku: 'broken' }, timeoutMs: 5000 });
    expect(refused).toMatchObject({ ok: false, executed: false });
    expect(refused.error).toMatch(/invalid value: the json codec refused it: negative stock/);
  });

  it('queries: an answer the response codec cannot decode resolves with its DecodeError', async () => {
    const channel = uniqueChannel('rpc.typed.qbad');
    await using responder = queryResponder(responderClient, { channel }, () => ({ body: 'not json' }));
    await responder.ready();
    const typed = queryChannel(requester, { channel, codec: textCodec(), responseCodec: jsonCodec<number>() });
    const res = await typed.send({ value: 'x', timeoutMs: 5000 });
    expect(res.executed).toBe(true);
    expect(res.ok).toBe(false);
    expect(res.decodeError).toBeInstanceOf(DecodeError);
    expect(res.decodeError).toMatchObject({ messageId: res.id, channel, operation: 'queries.send' });
    expect(res.text()).toBe('not json');
  });

  it('queries: a raw typed subscription answers with a typed reply', async () => {
    const channel = uniqueChannel('rpc.typed.qsub');
    const doubler = queryChannel(responderClient, { channel, codec: jsonCodec<number>(), responseCodec: jsonCodec<number>() });
    const received: TypedQueryReceive<number>[] = [];
    const sub = doubler.subscribe().subscribe((q) => {
      received.push(q);
      if (q.ok) void doubler.reply({ requestId: q.id, replyChannel: q.replyChannel, value: q.value * 2 }).catch(() => undefined);
    });
    try {
      const asker = queryChannel(requester, { channel, codec: jsonCodec<number>(), responseCodec: jsonCodec<number>() });
      let answer;
      for (let i = 0; i < 50 && !answer?.ok; i++) answer = await asker.send({ value: 21, timeoutMs: 300 }).catch(() => undefined);
      expect(answer).toMatchObject({ ok: true, value: 42 });
      await expect(doubler.reply({ requestId: 'r', replyChannel: 'c', value: undefined as unknown as number })).rejects.toMatchObject({ field: 'value' });
    } finally {
      sub.unsubscribe();
    }
    expect(received.every((q) => q.ok)).toBe(true);
  });

  it('refuses bad channel options, naming them', () => {
    expect(() => queryChannel(requester, { channel: 'x', codec: textCodec(), responseCodec: null as never })).toThrow(
      expect.objectContaining({ field: 'responseCodec', operation: 'queries.channel' }),
    );
    expect(() => commandChannel(requester, { channel: 'x' } as never)).toThrow(expect.objectContaining({ field: 'codec' }));
  });
});
