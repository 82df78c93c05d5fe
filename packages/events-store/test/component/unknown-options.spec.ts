// Options a call does not know (kubemq-js's requestType and clientId, a misspelling) are refused
// before anything is opened: ignored, a subscription started from new events only.
import { textCodec, ValidationError, type KubemqClient } from '@kubemq/core';
import { attachInternals } from '@kubemq/core/internal';
import { eventsStore, eventStoreChannel, eventStoreStream, StartPosition } from '../../src/index.js';
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

describe('events store: options a call does not know are refused before anything is opened', () => {
  it.each([
    [{ requestType: 2 }, 'requestType', /use startAt: StartPosition\.fromFirst\(\)/],
    [{ requestType: 4, requestTypeValue: 10 }, 'requestType', /use startAt/],
    [{ clientId: 'audit-reader' }, 'clientId', /use group, for a position that outlives this subscription/],
    [{ startPosition: StartPosition.fromFirst() }, 'startPosition', /use startAt$/],
  ])('subscribe(%j) names %s and what to use', (extra, field, hint) => {
    const { client, internals } = fakeClient();
    const err = refusal(() => eventsStore(client).subscribe({ channel: 'audit', ...extra } as never));
    expect(err).toMatchObject({ code: 'VALIDATION', field, operation: 'eventsStore.subscribe', channel: 'audit' });
    expect(err.message).toMatch(hint);
    expect(internals.streams).toHaveLength(0);
  });

  it('eventsStore() and eventStoreStream() refuse them too; known options given as undefined are not given', async () => {
    const { client, internals } = fakeClient();
    expect(refusal(() => eventsStore(client, { mode: 'unary' } as never))).toMatchObject({ field: 'mode', operation: 'eventsStore' });
    expect(refusal(() => eventStoreStream(client, { maxQueue: 5 } as never))).toMatchObject({ field: 'maxQueue', operation: 'eventsStore.stream' });
    const store = eventsStore(client, { sendMode: undefined });
    const sub = store.subscribe({ channel: 'audit', group: undefined, startAt: undefined, bufferSize: undefined }).subscribe(() => undefined);
    await new Promise((r) => setImmediate(r));
    expect(internals.streams).toHaveLength(1);
    sub.unsubscribe();
    await eventStoreStream(client, { maxQueued: undefined }).close();
  });
});

describe('eventStoreChannel(): options that are no object are refused as the untyped call refuses them', () => {
  it.each([5, null, 'x', []])('subscribe(%j) throws the untyped subscribe()\'s ValidationError instead of subscribing from new events only', (options) => {
    const { client, internals } = fakeClient();
    const store = eventsStore(client);
    const audit = eventStoreChannel(store, { channel: 'audit', codec: textCodec() });
    const typed = refusal(() => audit.subscribe(options as never));
    const untyped = refusal(() => store.subscribe(options as never));
    const shape = (err: ValidationError) => ({ code: err.code, field: err.field, operation: err.operation, channel: err.channel, message: err.message });
    expect(shape(typed)).toEqual(shape(untyped));
    expect(typed).toMatchObject({ code: 'VALIDATION', field: 'options', operation: 'eventsStore.subscribe' });
    expect(internals.streams).toHaveLength(0);
  });

  it('a foreign key given to a typed channel is refused as well', () => {
    const { client } = fakeClient();
    const audit = eventStoreChannel(client, { channel: 'audit', codec: textCodec() });
    expect(refusal(() => audit.subscribe({ requestType: 2 } as never))).toMatchObject({ field: 'requestType', channel: 'audit' });
  });
});

describe("events store: a call's own options (CallOptions) are closed too", () => {
  it("send(), a typed send() and a stream's send()/close() refuse kubemq-js's timeout, naming timeoutMs, and send nothing", async () => {
    const { client, internals } = fakeClient();
    const event = { channel: 'audit', body: 'x' };
    const timeoutRefused = { code: 'VALIDATION', field: 'timeout', message: 'invalid timeout: is not an option here: use timeoutMs (milliseconds)' };
    await expect(eventsStore(client).send(event, { timeout: 5000 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'eventsStore.send', channel: 'audit' });
    await expect(eventsStore(client, { sendMode: 'unary' }).send(event, { deadline: 5000 } as never)).rejects.toMatchObject({ field: 'deadline', operation: 'eventsStore.send' });
    await expect(eventStoreChannel(client, { channel: 'audit', codec: textCodec() }).send({ value: 'x' }, { abortSignal: AbortSignal.timeout(1000) } as never)).rejects.toMatchObject({
      field: 'abortSignal',
      message: 'invalid abortSignal: is not an option here: use signal',
    });
    const stream = eventStoreStream(client);
    await expect(stream.send(event, { timeout: 5000 } as never)).rejects.toMatchObject({ ...timeoutRefused, operation: 'eventsStore.stream' });
    await expect(stream.close({ timeOutMs: 0 } as never)).rejects.toMatchObject({ field: 'timeOutMs', operation: 'eventsStore.stream.close' });
    expect(internals.calls).toHaveLength(0);
    expect(internals.unaryCalls).toBe(0);
    await stream.close({ timeoutMs: undefined, signal: undefined });
  });
});
