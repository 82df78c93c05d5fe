// Options a call does not know (another SDK's names, a misspelling, a listener's option given to
// subscribe()) are refused before anything is opened, instead of being ignored.
import { textCodec, ValidationError, type KubemqClient } from '@kubemq/core';
import { attachInternals } from '@kubemq/core/internal';
import { eventChannel, eventListener, events, eventStream } from '../../src/index.js';
import { fakeInternals, type FakeInternals } from './fake-internals.js';

function fakeClient(): { client: KubemqClient; internals: FakeInternals } {
  const internals = fakeInternals();
  const client = {};
  attachInternals(client, internals);
  return { client: client as KubemqClient, internals };
}

/** The ValidationError `call` throws (it fails the test when the call succeeds). */
function refusal(call: () => unknown): ValidationError {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('the call succeeded');
}

describe('events: options a call does not know are refused before anything is opened', () => {
  it('subscribe() refuses a key it does not know, naming the one to use for kubemq-js\'s clientId', () => {
    const { client, internals } = fakeClient();
    const e = events(client);
    expect(refusal(() => e.subscribe({ channel: 'orders', clientId: 'mine' } as never))).toMatchObject({
      code: 'VALIDATION',
      field: 'clientId',
      operation: 'events.subscribe',
      channel: 'orders',
      message: "invalid clientId: is not an option here: use KubemqClient.connect({ clientId }): a subscription is its client's",
    });
    // A listener's option is not a subscription's.
    expect(refusal(() => e.subscribe({ channel: 'orders', concurrency: 4 } as never)).message).toBe(
      'invalid concurrency: is not an option here (the options are channel, group, bufferSize, signal)',
    );
    expect(internals.streams).toHaveLength(0);
  });

  it('eventListener(), events() and eventStream() refuse them too; a listener takes its own options', () => {
    const { client, internals } = fakeClient();
    expect(refusal(() => eventListener(client, { channel: 'orders', groupName: 'g' } as never, () => undefined))).toMatchObject({
      field: 'groupName',
      operation: 'events.listen',
      message: expect.stringContaining('(the options are channel, group, bufferSize, concurrency, signal, onError)'),
    });
    expect(refusal(() => events(client, { mode: 'unary' } as never))).toMatchObject({ field: 'mode', operation: 'events' });
    expect(refusal(() => eventStream(client, { maxQueue: 5 } as never))).toMatchObject({ field: 'maxQueue', operation: 'events.stream' });
    expect(internals.streams).toHaveLength(0);
  });

  it('takes a known option given as undefined as not given', async () => {
    const { client, internals } = fakeClient();
    const sub = events(client, { sendMode: undefined }).subscribe({ channel: 'orders', group: undefined, bufferSize: undefined }).subscribe(() => undefined);
    const listener = eventListener(client, { channel: 'orders', group: undefined, bufferSize: undefined, concurrency: undefined, signal: undefined, onError: undefined }, () => undefined);
    await new Promise((r) => setImmediate(r));
    expect(internals.streams.length).toBeGreaterThanOrEqual(2);
    sub.unsubscribe();
    await listener.stop();
    await eventStream(client, { maxQueued: undefined }).close();
  });
});

describe('eventChannel(): options that are no object are refused as the untyped call refuses them', () => {
  it.each([5, null, 'x', []])('subscribe(%j) throws the untyped subscribe()\'s ValidationError instead of subscribing with the defaults', (options) => {
    const { client, internals } = fakeClient();
    const e = events(client);
    const orders = eventChannel(e, { channel: 'orders', codec: textCodec() });
    const typed = refusal(() => orders.subscribe(options as never));
    const untyped = refusal(() => e.subscribe(options as never));
    const shape = (err: ValidationError) => ({ code: err.code, field: err.field, operation: err.operation, channel: err.channel, message: err.message });
    expect(shape(typed)).toEqual(shape(untyped));
    expect(typed).toMatchObject({ code: 'VALIDATION', field: 'options', operation: 'events.subscribe' });
    expect(internals.streams).toHaveLength(0);
  });

  it('a foreign key given to a typed channel, or a listener\'s options that are an array, are refused as well', () => {
    const { client } = fakeClient();
    const orders = eventChannel(client, { channel: 'orders', codec: textCodec() });
    expect(refusal(() => orders.subscribe({ clientId: 'mine' } as never))).toMatchObject({ field: 'clientId', channel: 'orders' });
    expect(refusal(() => eventListener(orders, [] as never, () => undefined))).toMatchObject({ field: 'options', operation: 'events.listen' });
    expect(refusal(() => eventListener(orders, { concurency: 2 } as never, () => undefined))).toMatchObject({ field: 'concurency' });
  });
});

describe("events: a call's own options (CallOptions) are closed too", () => {
  it("send(), a stream's send()/flush()/close(), a typed send() and ready() refuse kubemq-js's timeout, naming timeoutMs, and send nothing", async () => {
    const { client, internals } = fakeClient();
    const e = events(client);
    const event = { channel: 'orders', body: 'x' };
    const timeoutRefused = { code: 'VALIDATION', field: 'timeout', message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)' };
    await expect(e.send(event, { timeout: 5000 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'events.send', channel: 'orders' });
    await expect(events(client, { sendMode: 'unary' }).send(event, { deadline: 5000 } as never)).rejects.toMatchObject({ field: 'deadline', operation: 'events.send' });
    await expect(eventChannel(e, { channel: 'orders', codec: textCodec() }).send({ value: 'x' }, { abortSignal: AbortSignal.timeout(1000) } as never)).rejects.toMatchObject({
      field: 'abortSignal',
      message: 'invalid abortSignal: is not an option here: use signal',
    });
    const stream = eventStream(client);
    await expect(stream.send(event, { timeout: 5000 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'events.stream' });
    await expect(stream.flush({ timeOutMs: 10 } as never)).rejects.toMatchObject({ field: 'timeOutMs', operation: 'events.stream.flush' });
    await expect(stream.close({ timeout: 0 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'events.stream.close' });
    const listener = eventListener(client, { channel: 'orders' }, () => undefined);
    await expect(listener.ready({ timeout: 100 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'events.ready', channel: 'orders' });
    await listener.stop();
    expect(internals.calls).toHaveLength(0);
    expect(internals.unaryCalls).toBe(0);
    await stream.close({ timeoutMs: undefined, signal: undefined });
  });
});
