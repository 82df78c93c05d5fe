import * as wire from '@kubemq/emulator/wire';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { Observable, toArray, lastValueFrom } from 'rxjs';
import { KubemqClient } from '../../src/index.js';
import {
  clientInternals,
  EventReceive,
  recoverable,
  serverStreamMethod,
  Subscribe,
  type ClientInternals,
} from '../../src/internal/index.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { rejection } from './support/wait.js';

const SUBSCRIBE = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);

/** The stream a pattern would open: a cold Observable over clientInternals().serverStream. */
function subscribe(internals: ClientInternals, fromSequence: number): Observable<EventReceive> {
  return new Observable<EventReceive>((subscriber) => {
    const call = internals.serverStream(SUBSCRIBE, wire.Subscribe.create({ Channel: 'ch', EventsStoreTypeValue: BigInt(fromSequence) }), subscriber, {
      operation: 'events-store.subscribe',
      channel: 'ch',
    });
    return () => call.cancel();
  });
}

describe('recoverable()', () => {
  let server: TestServer;
  let opens = 0;
  let breakWith = status.UNAVAILABLE;

  beforeAll(async () => {
    // Six stored events; the first call breaks after exactly three of them.
    server = await startTestServer({
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        opens++;
        const from = Number(call.request.EventsStoreTypeValue);
        const last = opens === 1 ? 3 : 6;
        for (let seq = from; seq <= last; seq++) call.write(wire.EventReceive.create({ Channel: 'ch', Sequence: BigInt(seq) }));
        if (opens === 1) call.emit('error', { code: breakWith, details: 'broken on purpose after 3 messages' });
        else call.end();
      },
    });
  });
  beforeEach(() => {
    opens = 0;
  });
  afterAll(() => server.stop());

  it('re-opens a stream broken with UNAVAILABLE at the next position; the consumer sees every message in order', async () => {
    breakWith = status.UNAVAILABLE;
    await using client = await KubemqClient.connect({ address: server.address, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    const internals = clientInternals(client);
    let lastSeen = 0;
    const recovered: number[] = [];
    const seen = await lastValueFrom(
      recoverable(
        internals,
        (attempt) =>
          new Observable<string>((subscriber) =>
            subscribe(internals, lastSeen + 1).subscribe({
              next: (m) => {
                lastSeen = Number(m.Sequence);
                subscriber.next(`${m.Sequence}@${attempt}`);
              },
              error: (e: unknown) => subscriber.error(e),
              complete: () => subscriber.complete(),
            }),
          ),
        { operation: 'events-store.subscribe', channel: 'ch', onRecover: (attempt) => recovered.push(attempt) },
      ).pipe(toArray()),
    );
    expect(seen).toEqual(['1@0', '2@0', '3@0', '4@1', '5@1', '6@1']);
    expect(recovered).toEqual([1]);
    expect(opens).toBe(2);
  });

  it('ends with the error when it is not retryable', async () => {
    breakWith = status.INVALID_ARGUMENT;
    await using client = await KubemqClient.connect({ address: server.address });
    const internals = clientInternals(client);
    const err = await rejection(
      lastValueFrom(recoverable(internals, () => subscribe(internals, 1), { operation: 'events-store.subscribe', channel: 'ch' })),
    );
    expect(err).toMatchObject({ code: 'VALIDATION', retryable: false, channel: 'ch' });
    expect(opens).toBe(1);
  });

  it('treats a normal end as a break with completeIsBreak, and completes when the client closes', async () => {
    breakWith = status.UNAVAILABLE;
    const client = await KubemqClient.connect({ address: server.address, reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    const internals = clientInternals(client);
    let count = 0;
    const done = new Promise<string>((resolve, reject) =>
      recoverable(internals, () => subscribe(internals, 4), { operation: 'events.subscribe', completeIsBreak: true }).subscribe({
        next: () => {
          if (++count === 9) void client.close();
        },
        error: reject,
        complete: () => resolve('completed'),
      }),
    );
    await expect(done).resolves.toBe('completed');
    expect(opens).toBeGreaterThanOrEqual(3);
  });

  it('unsubscribing cancels the inner stream and stops re-opening', async () => {
    breakWith = status.UNAVAILABLE;
    await using client = await KubemqClient.connect({ address: server.address, reconnect: { initialDelayMs: 10, maxDelayMs: 10 } });
    const internals = clientInternals(client);
    const seen: string[] = [];
    // Unsubscribe on the first message, before the break that follows it is reported.
    const subscription = recoverable(internals, () => subscribe(internals, 1), { operation: 'events.subscribe' }).subscribe({
      next: () => {
        seen.push('value');
        subscription.unsubscribe();
      },
      error: () => seen.push('error'),
      complete: () => seen.push('complete'),
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(['value']);
    expect(opens).toBe(1);
  });
});
