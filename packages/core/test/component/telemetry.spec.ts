import * as wire from '@kubemq/emulator/wire';
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { KubemqClient, refreshingCredentials, type Instrumentation, type RetryReason, type Telemetry, type TelemetryClientInfo } from '../../src/index.js';
import { clientInternals, Event, EventReceive, recoverable, Result, serverStreamMethod, Subscribe, traced, unaryMethod } from '../../src/internal/index.js';
import { pingHandler, startTestServer, type TestServer } from './support/test-server.js';
import { reachState, until } from './support/wait.js';

const SEND_EVENT = unaryMethod('SendEvent', Event, Result);
const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
const fastReconnect = { initialDelayMs: 20, maxDelayMs: 100 };

/** A Telemetry that records what the client tells it. */
function recordingTelemetry() {
  const clients: TelemetryClientInfo[] = [];
  const reconnects: number[] = [];
  const retries: [string, RetryReason][] = [];
  const telemetry: Telemetry = {
    instrument(client) {
      clients.push(client);
      const instrumentation: Instrumentation = {
        start: () => ({ run: (fn) => fn(), end: () => undefined }),
        reconnected: () => reconnects.push(Date.now()),
        retried: (operation, reason) => retries.push([operation, reason]),
      };
      return instrumentation;
    },
  };
  return { telemetry, clients, reconnects, retries };
}

describe('the telemetry option', () => {
  let server: TestServer;
  let opened = 0;
  let acceptToken = 'good';
  beforeEach(async () => {
    opened = 0;
    server = await startTestServer({
      Ping: pingHandler,
      SendEvent: (call: ServerUnaryCall<Event, Result>, cb: sendUnaryData<Result>) => {
        if (String(call.metadata.get('authorization')[0] ?? '') !== acceptToken) return cb({ code: status.UNAUTHENTICATED, details: 'invalid token' });
        cb(null, wire.Result.create({ EventID: call.request.EventID, Sent: true }));
      },
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        call.write(wire.EventReceive.create({ Channel: 'ch', EventID: `open-${++opened}` }));
      },
    });
  });
  afterEach(() => server.stop());

  it('is bound to the client at connect and exposed to the patterns; without one there is none', async () => {
    const recorded = recordingTelemetry();
    await using client = await KubemqClient.connect({ address: server.address, clientId: 'svc-1', telemetry: recorded.telemetry });
    expect(recorded.clients).toEqual([{ address: server.address, clientId: 'svc-1' }]);
    expect(clientInternals(client).telemetry).toBeDefined();
    await using plain = await KubemqClient.connect({ address: server.address });
    expect(clientInternals(plain).telemetry).toBeUndefined();
  });

  it('refuses a value that is not a Telemetry, naming the option', async () => {
    await expect(KubemqClient.connect({ address: server.address, telemetry: {} as Telemetry })).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'telemetry',
    });
  });

  it('hears about each reconnection and each stream re-opened after it', async () => {
    const recorded = recordingTelemetry();
    await using client = await KubemqClient.connect({ address: server.address, reconnect: fastReconnect, telemetry: recorded.telemetry });
    const internals = clientInternals(client);
    const ids: string[] = [];
    const subscription = recoverable(
      internals,
      () =>
        new Observable<EventReceive>((subscriber) => {
          const call = internals.serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch' }), subscriber, { operation: 'events.subscribe', channel: 'ch' });
          return () => call.cancel();
        }),
      { operation: 'events.subscribe', channel: 'ch' },
    ).subscribe((m) => ids.push(m.EventID));
    await until(() => ids.length === 1);
    await server.stop();
    await reachState(client, 'reconnecting');
    server = await startTestServer(
      { Ping: pingHandler, SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => call.write(wire.EventReceive.create({ EventID: 'back' })) },
      { port: server.port },
    );
    await until(() => ids.length === 2);
    subscription.unsubscribe();
    expect(recorded.reconnects).toHaveLength(1);
    expect(recorded.retries).toEqual([['events.subscribe', 'stream_reopen']]);
  });

  it('hears about a call repeated after a token refresh', async () => {
    const recorded = recordingTelemetry();
    let issued = 0;
    acceptToken = 'token-2';
    await using client = await KubemqClient.connect({
      address: server.address,
      credentials: refreshingCredentials({ getToken: async () => ({ token: `token-${++issued}` }) }),
      telemetry: recorded.telemetry,
    });
    const result = await clientInternals(client).unary(SEND_EVENT, wire.Event.create({ EventID: 'e', Channel: 'c', Body: Buffer.from('x') }), {
      operation: 'events.send',
    });
    expect(result.Sent).toBe(true);
    expect(recorded.retries).toEqual([['events.send', 'token_refresh']]);
    acceptToken = 'good';
  });

  it('a Telemetry that throws never breaks the client: its operations run unrecorded, with one warning', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };
    const bug = (): never => {
      throw new Error('exporter bug');
    };
    const throwing: Telemetry = { instrument: () => ({ start: bug, reconnected: bug, retried: bug }) };
    await using client = await KubemqClient.connect({ address: server.address, telemetry: throwing, logger, logLevel: 'warn' });
    const telemetry = clientInternals(client).telemetry;
    const result = await traced(telemetry, () => ({ pattern: 'events', type: 'send', name: 'send', channel: 'c' }), async () => 'sent');
    expect(result).toBe('sent');
    expect(() => telemetry?.retried('events.send', 'token_refresh')).not.toThrow();
    expect(warnings).toEqual([expect.stringContaining('exporter bug')]);

    // One whose instrument() throws: the client connects without telemetry.
    await using untraced = await KubemqClient.connect({ address: server.address, telemetry: { instrument: bug }, logger, logLevel: 'warn' });
    expect(clientInternals(untraced).telemetry).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });
});
