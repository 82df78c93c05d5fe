// Re-subscription through core's real recoverable(), over the in-memory broker: a stream the broker
// ends is re-opened, and readiness must be proven again on the new one.
import { KubemqError, ValidationError } from '@kubemq/core';
import { mapError } from '@kubemq/core/internal';
import { commandResponder, commands, queries } from '../../src/index.js';
import { FakeBroker } from './fake-broker.js';

jest.mock('@kubemq/core/internal', () => ({
  ...jest.requireActual('@kubemq/core/internal'),
  clientInternals: (client: { __internals: unknown }) => client.__internals,
}));

// What core delivers for a CANCELLED status nobody here asked for (a broker shutting down).
const cancelledByBroker = () =>
  mapError({ code: 1, details: 'Call cancelled', metadata: {} }, { operation: 'commands.subscribe' }, { cancelRequested: false });

describe('responder recovery (core recoverable)', () => {
  it('a stream the broker cancels (graceful shutdown) is re-opened and serves again', async () => {
    const broker = new FakeBroker();
    const client = broker.client();
    let handled = 0;
    const responder = commandResponder(client, { channel: 'svc' }, () => void handled++);
    await responder.ready();
    const opened = broker.callsTo('SubscribeToRequests').length;

    broker.breakStreams(cancelledByBroker());
    // The old proof is void: ready() probes until the re-opened stream answers.
    await responder.ready({ timeoutMs: 5_000 });
    expect(broker.callsTo('SubscribeToRequests').length).toBe(opened + 1);
    expect((await commands(client).send({ channel: 'svc', body: 'after', timeoutMs: 1_000 })).executed).toBe(true);
    expect(handled).toBe(1);
    await responder.stop();
    await expect(responder.done).resolves.toBeUndefined();
  });

  it('a raw subscription is re-opened after a retryable break, without an error to the subscriber', async () => {
    const broker = new FakeBroker();
    const q = queries(broker.client());
    const errors: unknown[] = [];
    const seen: string[] = [];
    const sub = q.subscribe({ channel: 'raw' }).subscribe({ next: (m) => seen.push(m.metadata), error: (e) => errors.push(e) });
    await new Promise((r) => setImmediate(r));
    broker.breakStreams(new KubemqError({ code: 'UNAVAILABLE', message: 'down', operation: 'x', retryable: true }));
    await new Promise((r) => setTimeout(r, 300));
    broker.deliver({ Channel: 'raw', RequestID: '1', Metadata: 'after', ReplyChannel: 'i', RequestTypeData: 2 });
    expect(seen).toEqual(['after']);
    expect(errors).toEqual([]);
    sub.unsubscribe();
    expect(broker.openStreams).toBe(0);
  });

  it('a permanent failure ends the responder (done rejects with it)', async () => {
    const broker = new FakeBroker();
    const reported: unknown[] = [];
    const responder = commandResponder(broker.client(), { channel: 'svc', onError: (e) => reported.push(e) }, () => undefined);
    await new Promise((r) => setImmediate(r));
    const refused = new ValidationError({ message: 'Error 102: invalid channel value, cannot be empty', operation: 'x', field: 'Channel' });
    broker.breakStreams(refused);
    await expect(responder.done).rejects.toBe(refused);
    expect(reported).toContain(refused);
  });
});
