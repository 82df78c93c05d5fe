// The queue streams stop reading requests while a client leaves their replies unread, as
// SendEventsStream does (see transport/reply-backpressure.ts), and catch up once it reads.
import type * as grpc from '@grpc/grpc-js';
import type { KubemqEmulator } from '../../src/emulator.js';
import {
  QueuesDownstreamRequest,
  QueuesDownstreamRequestType,
  StreamQueueMessagesRequest,
  StreamRequestType,
  type kubemqClient,
  type QueuesUpstreamRequest,
} from '../../src/generated/kubemq.js';
import { capturingLogger, closeSafely, connect, holdBackUnreadClient, startEmulator, stoppedReading } from './support/harness.js';

const log = capturingLogger();
let emu: KubemqEmulator;
let c: kubemqClient;
beforeAll(async () => {
  emu = await startEmulator({ logger: log });
  c = connect(emu.address);
});
afterAll(async () => {
  c.close();
  await emu.stop();
});

/** Far more replies than every HTTP/2 window and socket buffer between the two can hold. */
const TOTAL = 20_000;
/** A request id long enough that the requests, too, outgrow every window. */
const id = (i: number): string => `request-${String(i).padStart(40, '0')}`;

async function holdsBackAnUnreadClient<Req, Res extends { IsError: boolean }>(
  method: string,
  stream: grpc.ClientDuplexStream<Req, Res>,
  request: (i: number) => Req,
): Promise<void> {
  try {
    const held = await holdBackUnreadClient(log, method, stream, TOTAL, request);
    expect(held.writtenWhenStalled).toBeLessThan(TOTAL);
    expect(held.replies).toHaveLength(TOTAL);
    expect(held.replies.every((r) => r.IsError)).toBe(true); // each request answered, with its error
    expect(stoppedReading(log, method)).toBe(false); // reading again
  } finally {
    await closeSafely(c, stream as grpc.ClientDuplexStream<unknown, unknown>);
  }
}

const title = 'stops reading while a client leaves its replies unread, and catches up when it reads';

describe('QueuesUpstream', () => {
  it(title, () => holdsBackAnUnreadClient('QueuesUpstream', c.queuesUpstream(), (i): QueuesUpstreamRequest => ({ RequestID: id(i), Messages: [] })), 90_000); // "no messages to send"
});

describe('QueuesDownstream', () => {
  it(title, () =>
    holdsBackAnUnreadClient('QueuesDownstream', c.queuesDownstream(), (i) =>
      // "transaction is completed or transaction id not found"
      QueuesDownstreamRequest.fromPartial({ RequestID: id(i), ClientID: 'c', RequestTypeData: QueuesDownstreamRequestType.AckAll, RefTransactionId: 'none' }),
    ), 90_000);
});

describe('StreamQueueMessage', () => {
  it(title, () =>
    holdsBackAnUnreadClient('StreamQueueMessage', c.streamQueueMessage(), (i) =>
      // Error 125; validation errors keep the stream open
      StreamQueueMessagesRequest.fromPartial({ RequestID: id(i), ClientID: 'c', StreamRequestTypeData: StreamRequestType.AckMessage, RefSequence: 0n }),
    ), 90_000);
});
