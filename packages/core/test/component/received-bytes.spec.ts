// Received bodies are views of the message buffer grpc-js hands to the deserializer (no copy, see
// tools/proto/generate.mjs). That is only safe while grpc-js never reuses such a buffer: this
// keeps every received body and checks them all after many more messages went through the same
// stream, with bodies that fit one HTTP/2 frame, span several, and sit in Node's buffer pool.
import * as wire from '@kubemq/emulator/wire';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { KubemqClient } from '../../src/index.js';
import { clientInternals, EventReceive, serverStreamMethod, Subscribe } from '../../src/internal/index.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { until } from './support/wait.js';

const SUBSCRIBE_TO_EVENTS = serverStreamMethod('SubscribeToEvents', Subscribe, EventReceive);
const COUNT = 3000;
const SIZES = [1, 64, 1000, 5000, 40_000];

/** Body i: its size from SIZES, every byte derived from i and its position. */
function body(i: number): Buffer {
  const b = Buffer.allocUnsafe(SIZES[i % SIZES.length] as number);
  for (let k = 0; k < b.length; k++) b[k] = (i * 31 + k) & 0xff;
  return b;
}

describe('received bytes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      SubscribeToEvents: (call: ServerWritableStream<Subscribe, EventReceive>) => {
        let i = 0;
        const pump = (): void => {
          while (i < COUNT) {
            const ok = call.write(wire.EventReceive.create({ EventID: String(i), Channel: 'c', Body: body(i) }));
            i++;
            if (!ok) return void call.once('drain', pump);
          }
          call.end();
        };
        pump();
      },
    });
  });
  afterAll(() => server.stop());

  it('stay intact after later messages arrive on the same stream (grpc-js reuses no message buffer)', async () => {
    await using client = await KubemqClient.connect({ address: server.address });
    const kept: Buffer[] = [];
    let done = false;
    let failure: unknown;
    clientInternals(client).serverStream(
      SUBSCRIBE_TO_EVENTS,
      wire.Subscribe.create({ Channel: 'c', ClientID: 'bytes-test', SubscribeTypeData: 1 }),
      {
        next: (e) => kept.push(e.Body),
        error: (err) => (failure = err),
        complete: () => (done = true),
      },
      { operation: 'test.subscribe' },
    );
    await until(() => done || failure !== undefined, 20_000);
    expect(failure).toBeUndefined();
    expect(kept).toHaveLength(COUNT);
    const damaged = kept.flatMap((b, i) => (Buffer.isBuffer(b) && b.equals(body(i)) ? [] : [i]));
    expect(damaged).toEqual([]);
  });
});
