// Options a call does not know (kubemq-js's timeout and cacheTTL, a misspelling) are refused before
// anything is sent: ignored, the client's default timeout or no cache took over, in a unit that
// differs between the two.
import { textCodec, ValidationError } from '@kubemq/core';
import { commandChannel, commandResponder, commands, queries, queryChannel, queryResponder } from '../../src/index.js';
import { FakeBroker } from './fake-broker.js';

jest.mock('@kubemq/core/internal', () => {
  const actual = jest.requireActual('@kubemq/core/internal');
  return {
    ...actual,
    clientInternals: (client: { __internals: unknown }) => client.__internals,
    recoverable: (_internals: unknown, open: (attempt: number, established: () => void) => unknown) => open(0, () => undefined),
  };
});

/** The ValidationError `call` throws or rejects with (it fails the test when the call succeeds). */
async function refusal(call: () => unknown): Promise<ValidationError> {
  try {
    await call();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('the call succeeded');
}

let broker: FakeBroker;
beforeEach(() => {
  broker = new FakeBroker();
});

describe('rpc: options a call does not know are refused before anything is sent', () => {
  it("send() refuses kubemq-js's timeout and cacheTTL, naming what to use, and a command's cache fields", async () => {
    await expect(commands(broker.client()).send({ channel: 'c', body: 'b', timeout: 1000 } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'timeout',
      operation: 'commands.send',
      channel: 'c',
      message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds: how long the broker waits for a responder)',
    });
    await expect(queries(broker.client()).send({ channel: 'q', body: 'b', cacheKey: 'k', cacheTTL: 60 } as never)).rejects.toMatchObject({
      field: 'cacheTTL',
      operation: 'queries.send',
      message: 'invalid cacheTTL: is not an option here: use cacheTtlSeconds (whole seconds)',
    });
    await expect(commands(broker.client()).send({ channel: 'c', body: 'b', cacheKey: 'k' } as never)).rejects.toMatchObject({ field: 'cacheKey' });
    // The send's own options: `timeout` there is no deadline either.
    await expect(commands(broker.client()).send({ channel: 'c', body: 'b' }, { timeout: 1000 } as never)).rejects.toMatchObject({
      field: 'timeout',
      operation: 'commands.send',
      message: 'invalid timeout: is not an option here: use timeoutMs on the command',
    });
    // A typed channel's request spreads into the untyped one: refused the same way.
    const typed = queryChannel(broker.client(), { channel: 'q', codec: textCodec(), responseCodec: textCodec() });
    await expect(typed.send({ value: 'x', timeout: 1000 } as never)).rejects.toMatchObject({ field: 'timeout', channel: 'q' });
    expect(broker.calls).toHaveLength(0);
  });

  it('subscribe() and the responders refuse a key they do not take', async () => {
    expect((await refusal(() => commands(broker.client()).subscribe({ channel: 'c', clientId: 'mine' } as never))).message).toBe(
      "invalid clientId: is not an option here: use KubemqClient.connect({ clientId }): a subscription is its client's",
    );
    expect(await refusal(() => queries(broker.client()).subscribe({ channel: 'q', concurrency: 4 } as never))).toMatchObject({ field: 'concurrency', operation: 'queries.subscribe', channel: 'q' });
    expect(await refusal(() => commandResponder(broker.client(), { channel: 'c', bufferSize: 10 } as never, () => undefined))).toMatchObject({
      field: 'bufferSize',
      operation: 'commands.handle',
      channel: 'c',
      message: 'invalid bufferSize: is not an option here (the options are channel, group, concurrency, signal, onError)',
    });
    const typed = commandChannel(broker.client(), { channel: 'c', codec: textCodec() });
    expect(await refusal(() => commandResponder(typed, { groupName: 'g' } as never, () => undefined))).toMatchObject({ field: 'groupName', operation: 'commands.handle', channel: 'c' });
    expect(await refusal(() => queryResponder(broker.client(), { channel: 'q', concurency: 2 } as never, () => ({ body: 'x' })))).toMatchObject({ field: 'concurency', operation: 'queries.handle' });
    expect(broker.calls).toHaveLength(0);
  });

  it('takes known keys given as undefined as not given', async () => {
    const sub = commands(broker.client()).subscribe({ channel: 'c', group: undefined, bufferSize: undefined }).subscribe(() => undefined);
    const responder = queryResponder(broker.client(), { channel: 'q', group: undefined, concurrency: undefined, signal: undefined, onError: undefined }, () => ({ body: 'x' }));
    sub.unsubscribe();
    await responder.stop();
    const sent = queries(broker.client()).send({ channel: 'q', body: 'b', metadata: undefined, id: undefined, timeoutMs: 50, cacheKey: undefined, cacheTtlSeconds: undefined }, { signal: undefined });
    await expect(sent).rejects.not.toBeInstanceOf(ValidationError);
  });
});

describe('typed channels: options that are no object are refused as the untyped call refuses them', () => {
  it.each([5, null, 'x', []])('subscribe(%j) throws the untyped subscribe()\'s ValidationError instead of subscribing with the defaults', async (options) => {
    const shape = (err: ValidationError) => ({ code: err.code, field: err.field, operation: err.operation, channel: err.channel, message: err.message });
    const cmds = commands(broker.client());
    const typedCommands = await refusal(() => commandChannel(cmds, { channel: 'c', codec: textCodec() }).subscribe(options as never));
    expect(shape(typedCommands)).toEqual(shape(await refusal(() => cmds.subscribe(options as never))));
    expect(typedCommands).toMatchObject({ code: 'VALIDATION', field: 'options', operation: 'commands.subscribe' });
    const qs = queries(broker.client());
    const typedQueries = await refusal(() => queryChannel(qs, { channel: 'q', codec: textCodec(), responseCodec: textCodec() }).subscribe(options as never));
    expect(shape(typedQueries)).toEqual(shape(await refusal(() => qs.subscribe(options as never))));
    expect(broker.calls).toHaveLength(0);
  });

  it('a responder on a typed channel refuses an array as its options', async () => {
    const typed = commandChannel(broker.client(), { channel: 'c', codec: textCodec() });
    expect(await refusal(() => commandResponder(typed, [] as never, () => undefined))).toMatchObject({ field: 'options', operation: 'commands.handle' });
  });
});

describe("rpc: a call's own options (CallOptions) are closed too", () => {
  it("reply(), a typed reply() and a responder's ready() refuse kubemq-js's timeout, naming timeoutMs, and send nothing", async () => {
    const timeoutRefused = { code: 'VALIDATION', field: 'timeout', message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)' };
    const reply = { requestId: 'r1', replyChannel: 'inbox', executed: true };
    await expect(commands(broker.client()).reply(reply, { timeout: 1000 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'commands.reply' });
    await expect(queries(broker.client()).reply({ requestId: 'r1', replyChannel: 'inbox', body: 'v' }, { abortSignal: AbortSignal.timeout(1000) } as never)).rejects.toMatchObject({
      field: 'abortSignal',
      operation: 'queries.reply',
      message: 'invalid abortSignal: is not an option here: use signal',
    });
    await expect(commandChannel(broker.client(), { channel: 'c', codec: textCodec() }).reply(reply, { deadline: 1000 } as never)).rejects.toMatchObject({ field: 'deadline' });
    const responder = commandResponder(broker.client(), { channel: 'c' }, () => undefined);
    await expect(responder.ready({ timeout: 100 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'commands.ready', channel: 'c' });
    await responder.stop();
    expect(broker.callsTo('SendResponse')).toHaveLength(0);
    expect(broker.callsTo('SendRequest')).toHaveLength(0);
  });
});
