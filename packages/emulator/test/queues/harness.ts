// Raw-gRPC helpers for the queue component tests: an in-process emulator on 127.0.0.1:0 and
// the generated client, no SDK code.
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { KubemqEmulator, type EmulatorStartOptions } from '../../src/emulator.js';
import {
  kubemqClient,
  QueueMessage,
  QueueMessagePolicy,
  type AckAllQueueMessagesRequest,
  type AckAllQueueMessagesResponse,
  type QueueMessagesBatchRequest,
  type QueueMessagesBatchResponse,
  type QueuesInfoRequest,
  type QueuesInfoResponse,
  type ReceiveQueueMessagesRequest,
  type ReceiveQueueMessagesResponse,
  type SendQueueMessageResult,
} from '../../src/generated/kubemq.js';

export interface Broker {
  emu: KubemqEmulator;
  client: kubemqClient;
  close(): Promise<void>;
}

export async function startBroker(options: EmulatorStartOptions = {}): Promise<Broker> {
  const emu = await KubemqEmulator.start({ port: 0, ...options });
  const client = new kubemqClient(emu.address, grpc.credentials.createInsecure());
  return {
    emu,
    client,
    close: async () => {
      client.close();
      await emu.stop();
    },
  };
}

type Unary<Req, Res> = (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall;

/** Calls a unary method and resolves with its response (rejects with the ServiceError). */
export function unary<Req, Res>(method: Unary<Req, Res>, client: kubemqClient, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Calls a unary method and resolves with its error status (fails if it succeeds). */
export function unaryError<Req, Res>(method: Unary<Req, Res>, client: kubemqClient, req: Req): Promise<grpc.ServiceError> {
  return new Promise((resolve, reject) => {
    method.call(client, req, (err) => (err ? resolve(err) : reject(new Error('expected an error'))));
  });
}

/** The unary queue RPCs, typed (the generated overloads defeat inference). */
export function queueApi(client: kubemqClient) {
  return {
    send: (m: QueueMessage) => unary<QueueMessage, SendQueueMessageResult>(client.sendQueueMessage, client, m),
    batch: (r: QueueMessagesBatchRequest) => unary<QueueMessagesBatchRequest, QueueMessagesBatchResponse>(client.sendQueueMessagesBatch, client, r),
    batchError: (r: QueueMessagesBatchRequest) => unaryError<QueueMessagesBatchRequest, QueueMessagesBatchResponse>(client.sendQueueMessagesBatch, client, r),
    receive: (r: ReceiveQueueMessagesRequest) => unary<ReceiveQueueMessagesRequest, ReceiveQueueMessagesResponse>(client.receiveQueueMessages, client, r),
    ackAll: (r: AckAllQueueMessagesRequest) => unary<AckAllQueueMessagesRequest, AckAllQueueMessagesResponse>(client.ackAllQueueMessages, client, r),
    info: (r: QueuesInfoRequest) => unary<QueuesInfoRequest, QueuesInfoResponse>(client.queuesInfo, client, r),
  };
}

export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export function qmsg(channel: string, body: string, fields: Partial<Omit<QueueMessage, 'Policy'>> & { Policy?: Partial<QueueMessagePolicy> } = {}): QueueMessage {
  const { Policy, ...rest } = fields;
  return QueueMessage.fromPartial({
    ClientID: 'tester',
    Channel: channel,
    Body: Buffer.from(body),
    ...rest,
    Policy: Policy ? QueueMessagePolicy.fromPartial(Policy) : undefined,
  });
}

/** Reads a bidi stream's responses in order, with timeouts, and knows when the server ended it. */
export class StreamReader<T, Req = unknown> {
  private readonly buffered: T[] = [];
  private waiter: ((v: T | undefined) => void) | undefined;
  ended = false;
  status: grpc.StatusObject | undefined;

  constructor(readonly call: grpc.ClientDuplexStream<Req, T>) {
    call.on('data', (d: T) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(d);
      } else this.buffered.push(d);
    });
    call.on('status', (s: grpc.StatusObject) => {
      this.status = s;
      this.ended = true;
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
    call.on('error', () => undefined);
  }

  /** The next response within `ms`, or undefined when none came (or the stream ended). */
  next(ms = 5000): Promise<T | undefined> {
    const head = this.buffered.shift();
    if (head !== undefined) return Promise.resolve(head);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, ms);
      this.waiter = (v) => {
        clearTimeout(t);
        resolve(v);
      };
    });
  }

  async expectNext(ms = 5000): Promise<T> {
    const v = await this.next(ms);
    if (v === undefined) throw new Error(`no response within ${ms} ms (ended: ${this.ended})`);
    return v;
  }

  /** Resolves when the server has ended the call, or false after `ms`. */
  async waitEnd(ms = 5000): Promise<boolean> {
    const until = performance.now() + ms;
    while (!this.ended && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    return this.ended;
  }
}
