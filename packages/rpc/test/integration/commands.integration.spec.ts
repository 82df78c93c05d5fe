import { IteratorOverflowError, KubemqError, TimeoutError, ValidationError, type KubemqClient } from '@kubemq/core';
import { commandResponder, commands, isRpcReadinessProbe, type CommandReceive } from '../../src/index.js';
import { probeUntil, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { clientInternals, type Request } from '@kubemq/core/internal';
import { SEND_REQUEST } from '../../src/internal/methods.js';
import { connect, rejectionOf } from './helpers.js';

describe('commands through the broker', () => {
  let requester: KubemqClient;
  let responderClient: KubemqClient;

  beforeAll(async () => {
    requester = await connect(sharedBroker().address, 'rpc-cmd-req');
    responderClient = await connect(sharedBroker().address, 'rpc-cmd-resp');
  });

  afterAll(async () => {
    await requester?.close();
    await responderClient?.close();
  });

  it('round trip: executed, with the responder\'s tags, time and client id', async () => {
    const channel = uniqueChannel('rpc.cmd');
    const seen: CommandReceive[] = [];
    await using responder = commandResponder(responderClient, { channel }, (cmd) => {
      seen.push(cmd);
      return { tags: { device: cmd.text() } };
    });
    await responder.ready();
    const before = Date.now();
    const res = await commands(requester).send({ channel, body: 'dev-7', metadata: 'reboot', tags: { by: 'test' }, timeoutMs: 5000 });
    expect(res.executed).toBe(true);
    expect(res.error).toBeUndefined();
    expect(res.tags).toMatchObject({ device: 'dev-7' });
    expect(res.responderId).toBe(responderClient.clientId);
    expect(res.executedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: res.id, channel, metadata: 'reboot', tags: { by: 'test' }, clientId: requester.clientId, timeoutMs: 5000 });
  });

  it('round trip: a throwing handler is executed = false with its message (returned, not thrown)', async () => {
    const channel = uniqueChannel('rpc.cmd.fail');
    await using responder = commandResponder(responderClient, { channel }, () => {
      throw new Error('device is offline');
    });
    await responder.ready();
    const res = await commands(requester).send({ channel, body: 'dev-8', timeoutMs: 5000 });
    expect(res.executed).toBe(false);
    expect(res.error).toBe('device is offline');
  });

  it('the longest timeout a command takes (2^31 - 1 ms) waits for the responder, and so does a client whose default is longer', async () => {
    const channel = uniqueChannel('rpc.cmd.longest');
    // Node timers fire at once past 2^31 - 1 ms: the request's deadline (its timeout plus a margin)
    // ended the call within milliseconds.
    await using responder = commandResponder(responderClient, { channel }, async () => {
      await new Promise((r) => setTimeout(r, 200));
    });
    await responder.ready();
    expect((await commands(requester).send({ channel, body: 'x', timeoutMs: 2_147_483_647 })).executed).toBe(true);
    const patient = await connect(sharedBroker().address, 'rpc-cmd-patient', { defaultTimeoutMs: 3_000_000_000 });
    try {
      expect((await commands(patient).send({ channel, body: 'y', timeoutMs: 60_000 })).executed).toBe(true);
      // Without a timeout of its own, the request takes the longest the wire holds.
      expect((await commands(patient).send({ channel, body: 'z' })).executed).toBe(true);
      // A binary built without a version stamp answers an empty Version.
      expect(typeof (await patient.ping()).version).toBe('string');
    } finally {
      await patient.close();
    }
  });

  it('a command nobody answers is cancelled with CLOSED when its client closes, not left running until its timeout', async () => {
    const closing = await connect(sharedBroker().address, 'rpc-cmd-closing');
    const pending = rejectionOf(commands(closing).send({ channel: uniqueChannel('rpc.cmd.closing'), body: 'anyone?', timeoutMs: 30_000 }));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await closing.close({ timeoutMs: 100 });
    expect(await pending).toMatchObject({ code: 'CLOSED', operation: 'commands.send' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('no responder: TimeoutError after the command\'s own timeout, not before', async () => {
    const channel = uniqueChannel('rpc.cmd.none');
    const timeoutMs = 1500;
    const started = performance.now();
    const err = await rejectionOf(commands(requester).send({ channel, body: 'anyone?', timeoutMs }));
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutMs, channel });
    // Not early: the broker waited the full timeout. Not late: the answer came by the call's
    // deadline (timeout + 1 s), give or take a loaded machine.
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(elapsed).toBeLessThan(timeoutMs + 1_000 + 3_000);
  });

  it('a group of 3 responders answers each of 300 commands exactly once', async () => {
    const channel = uniqueChannel('rpc.cmd.group');
    const handledBy = new Map<string, number[]>();
    const members = [0, 1, 2].map((member) =>
      commandResponder(responderClient, { channel, group: 'workers' }, (cmd) => {
        handledBy.set(cmd.id, [...(handledBy.get(cmd.id) ?? []), member]);
        return { tags: { member: String(member) } };
      }),
    );
    try {
      await Promise.all(members.map((m) => m.ready()));
      const ids = Array.from({ length: 300 }, (_, i) => `${channel}-${i}`);
      const results = [];
      for (let i = 0; i < ids.length; i += 50) {
        results.push(
          ...(await Promise.all(ids.slice(i, i + 50).map((id) => commands(requester).send({ channel, id, body: id, timeoutMs: 10_000 })))),
        );
      }
      expect(results.every((r) => r.executed)).toBe(true);
      expect(results.map((r) => r.id)).toEqual(ids);
      for (const id of ids) expect(handledBy.get(id)).toHaveLength(1);
      expect(handledBy.size).toBe(300);
      const perMember = [0, 1, 2].map((m) => [...handledBy.values()].filter(([who]) => who === m).length);
      expect(perMember.every((n) => n > 0)).toBe(true);
      // The reply came from the member that ran the handler.
      results.forEach((r) => expect(r.tags['member']).toBe(String(handledBy.get(r.id)?.[0])));
    } finally {
      await Promise.all(members.map((m) => m.stop()));
    }
  }, 60_000);

  it('a wildcard responder serves every channel its pattern matches', async () => {
    const base = uniqueChannel('rpc.cmd.wild');
    await using responder = commandResponder(responderClient, { channel: `${base}.*` }, (cmd) => ({ tags: { served: cmd.channel } }));
    await responder.ready();
    for (const leaf of ['a', 'b']) {
      const res = await commands(requester).send({ channel: `${base}.${leaf}`, body: leaf, timeoutMs: 5000 });
      expect(res.executed).toBe(true);
      expect(res.tags['served']).toBe(`${base}.${leaf}`);
    }
  });

  /** Sends probe commands until one is answered: a raw subscription gives no readiness signal. */
  async function answeredOnce(channel: string): Promise<void> {
    let ok = false;
    await probeUntil(
      async () => {
        // Until the broker has registered the subscription a command times out; keep probing.
        ok = (await commands(requester).send({ channel, body: 'probe', timeoutMs: 500 }).catch(() => undefined))?.executed === true || ok;
      },
      () => ok,
      { timeoutMs: 20_000, intervalMs: 50 },
    );
  }

  it('raw subscribe + explicit reply, probed until answered', async () => {
    const channel = uniqueChannel('rpc.cmd.raw');
    const cmds = commands(responderClient);
    const answered: string[] = [];
    const sub = cmds.subscribe({ channel }).subscribe((cmd) => {
      if (isRpcReadinessProbe(cmd)) return;
      answered.push(cmd.text());
      void cmds.reply(
        { requestId: cmd.id, replyChannel: cmd.replyChannel, executed: cmd.text() !== 'refuse', error: cmd.text() === 'refuse' ? 'refused' : undefined },
        { timeoutMs: 5000 },
      ).catch(() => undefined);
    });
    try {
      await answeredOnce(channel);
      const refused = await commands(requester).send({ channel, body: 'refuse', timeoutMs: 5000 });
      expect(refused).toMatchObject({ executed: false, error: 'refused', responderId: responderClient.clientId });
    } finally {
      sub.unsubscribe();
    }
  });

  it("raw subscribe + reply answers a command whose id another SDK's sender chose with a space in it", async () => {
    const channel = uniqueChannel('rpc.cmd.foreign-id');
    const cmds = commands(responderClient);
    const sub = cmds.subscribe({ channel }).subscribe((cmd) => {
      if (!isRpcReadinessProbe(cmd)) void cmds.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel, executed: true }, { timeoutMs: 5000 }).catch(() => undefined);
    });
    try {
      await answeredOnce(channel);
      // This SDK's own ids have no whitespace; the broker takes any non-empty one.
      const foreign: Request = {
        RequestID: 'order 42',
        RequestTypeData: 1,
        ClientID: 'other-sdk',
        Channel: channel,
        Metadata: '',
        Body: Buffer.from('x'),
        ReplyChannel: '',
        Timeout: 5000,
        CacheKey: '',
        CacheTTL: 0,
        Span: Buffer.alloc(0),
        Tags: {},
      };
      const res = await clientInternals(requester).unary(SEND_REQUEST, foreign, { operation: 'raw.send', channel, timeoutMs: 10_000 });
      expect(res).toMatchObject({ RequestID: 'order 42', Executed: true });
    } finally {
      sub.unsubscribe();
    }
  });

  it('a raw subscribe + reply that has a command in hand when its client closes still answers it', async () => {
    const channel = uniqueChannel('rpc.cmd.raw-close');
    const own = await connect(sharedBroker().address, 'rpc-cmd-raw-close');
    const cmds = commands(own);
    let closing: Promise<void> | undefined;
    const sub = cmds.subscribe({ channel }).subscribe((cmd) => {
      if (cmd.text() === 'probe') {
        void cmds.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel, executed: true }).catch(() => undefined);
        return;
      }
      // The service is told to stop while it runs this command: its reply must still reach the sender.
      closing = own.close();
      void (async () => {
        await new Promise((r) => setTimeout(r, 100));
        await cmds.reply({ requestId: cmd.id, replyChannel: cmd.replyChannel, executed: true, tags: { by: 'raw' } });
      })();
    });
    try {
      await answeredOnce(channel);
      const res = await commands(requester).send({ channel, body: 'work', timeoutMs: 5000 });
      expect(res).toMatchObject({ executed: true, tags: { by: 'raw' } });
      await closing;
    } finally {
      sub.unsubscribe();
      await own.close();
    }
  });

  it('send() takes a signal: aborting it ends the wait for a responder with CANCELLED', async () => {
    const channel = uniqueChannel('rpc.cmd.abort');
    const abort = new AbortController();
    const pending = rejectionOf(commands(requester).send({ channel, body: 'anyone?', timeoutMs: 60_000 }, { signal: abort.signal }));
    abort.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(KubemqError);
    expect(err).toMatchObject({ code: 'CANCELLED', operation: 'commands.send' });
  });

  it('a raw subscription\'s bufferSize bounds how far a for-await loop may fall behind', async () => {
    const channel = uniqueChannel('rpc.cmd.buffer');
    const iterator = commands(responderClient).subscribe({ channel, bufferSize: 1 })[Symbol.asyncIterator]();
    try {
      // No readiness signal for a raw subscription: send until the first command arrives (nobody
      // replies, so each send times out).
      let first: IteratorResult<unknown> | undefined;
      const firstArrived = iterator.next().then((result) => (first = result));
      await probeUntil(
        () => commands(requester).send({ channel, body: 'probe', timeoutMs: 300 }).catch(() => undefined),
        () => first !== undefined,
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      await firstArrived;
      // The loop takes no more while three commands arrive: one fits in the buffer, the next
      // overflows it. Each send ends with the broker's timeout, after it delivered the command.
      await Promise.all(['a', 'b', 'c'].map((body) => commands(requester).send({ channel, body, timeoutMs: 1000 }).catch(() => undefined)));
      let overflow: unknown;
      for (let read = 0; read < 4 && overflow === undefined; read++) {
        overflow = await iterator.next().then(
          () => undefined,
          (err: unknown) => err,
        );
      }
      expect(overflow).toBeInstanceOf(IteratorOverflowError);
      expect(overflow).toMatchObject({ bufferSize: 1 });
    } finally {
      await iterator.return?.();
    }
  });

  it('bad input is refused before sending, naming the field', async () => {
    const channel = uniqueChannel('rpc.cmd.bad');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ channel: 'has space', body: 'x' }, 'channel'],
      [{ channel: `${channel}.*`, body: 'x' }, 'channel'],
      [{ channel, body: 'x', timeoutMs: 0 }, 'timeoutMs'],
      [{ channel, body: 'x', timeoutMs: 2.5 }, 'timeoutMs'],
      [{ channel }, 'body'],
    ];
    for (const [message, field] of cases) {
      const err = await rejectionOf(commands(requester).send(message as never));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
    const replyErr = await rejectionOf(commands(requester).reply({ requestId: '', replyChannel: 'x' }));
    expect((replyErr as ValidationError).field).toBe('requestId');
    const misplacedTimeout = await rejectionOf(commands(requester).send({ channel, body: 'x' }, { timeoutMs: 1000 } as never));
    expect(misplacedTimeout).toMatchObject({ name: 'ValidationError', field: 'timeoutMs' });
  });
});
