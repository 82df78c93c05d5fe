// Just enough of the wire protocol to put a message in a queue and take it out again, for
// checking what a broker keeps across restarts. Hand-written: @kubemq/testing has no codecs.
import * as grpc from '@grpc/grpc-js';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

function encodeQueueMessage(clientId: string, channel: string, body: string): Buffer {
  const w = new BinaryWriter();
  w.uint32((2 << 3) | 2).string(clientId);
  w.uint32((3 << 3) | 2).string(channel);
  w.uint32((5 << 3) | 2).bytes(Buffer.from(body));
  return Buffer.from(w.finish());
}

function encodeReceive(clientId: string, channel: string): Buffer {
  const w = new BinaryWriter();
  w.uint32((2 << 3) | 2).string(clientId);
  w.uint32((3 << 3) | 2).string(channel);
  w.uint32(4 << 3).int32(10); // MaxNumberOfMessages
  w.uint32(5 << 3).int32(1); // WaitTimeSeconds
  return Buffer.from(w.finish());
}

/** SendQueueMessageResult: IsError (5) and Error (6). */
function decodeSendResult(buf: Buffer): { isError: boolean; error: string } {
  const r = new BinaryReader(buf);
  const out = { isError: false, error: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 5) out.isError = r.bool();
    else if (tag >>> 3 === 6) out.error = r.string();
    else r.skip(tag & 7);
  }
  return out;
}

/** ReceiveQueueMessagesResponse: the bodies of Messages (2 → QueueMessage.Body 5), Error (7). */
function decodeReceive(buf: Buffer): { bodies: string[]; error: string } {
  const r = new BinaryReader(buf);
  const out = { bodies: [] as string[], error: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 2) {
      const m = new BinaryReader(r.bytes());
      while (m.pos < m.len) {
        const t = m.uint32();
        if (t >>> 3 === 5) out.bodies.push(Buffer.from(m.bytes()).toString());
        else m.skip(t & 7);
      }
    } else if (tag >>> 3 === 7) out.error = r.string();
    else r.skip(tag & 7);
  }
  return out;
}

function call<Res>(address: string, method: string, req: Buffer, decode: (b: Buffer) => Res, authToken?: string): Promise<Res> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (authToken !== undefined) metadata.set('authorization', authToken);
  return new Promise<Res>((resolve, reject) => {
    client.makeUnaryRequest(
      `/kubemq.kubemq/${method}`,
      (b: Buffer) => b,
      decode,
      req,
      metadata,
      { deadline: Date.now() + 10_000 },
      (err, value) => {
        client.close();
        if (err) reject(err);
        else resolve(value as Res);
      },
    );
  });
}

export async function sendToQueue(address: string, channel: string, body: string, authToken?: string): Promise<void> {
  const result = await call(address, 'SendQueueMessage', encodeQueueMessage('testing-it', channel, body), decodeSendResult, authToken);
  if (result.isError) throw new Error(`SendQueueMessage failed: ${result.error}`);
}

export async function receiveFromQueue(address: string, channel: string): Promise<string[]> {
  const result = await call(address, 'ReceiveQueueMessages', encodeReceive('testing-it', channel), decodeReceive);
  if (result.error !== '' && !result.error.startsWith('Error 138')) throw new Error(`ReceiveQueueMessages: ${result.error}`);
  return result.bodies;
}
