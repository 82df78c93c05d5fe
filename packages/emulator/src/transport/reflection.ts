// gRPC server reflection, v1alpha, as the real server registers it (broker-behaviour.md §6: reflection
// lists kubemq.kubemq and grpc.reflection.v1alpha.ServerReflection). It answers `list_services`,
// and serves kubemq.proto's descriptor by file name or by any `kubemq.` symbol, so grpcurl can
// describe the service; other requests get an error_response (NOT_FOUND). Messages are
// hand-encoded: there is no generated code for the reflection proto.
import type * as grpc from '@grpc/grpc-js';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { endStreamOk } from '../service/status.js';
import { KUBEMQ_FILE_DESCRIPTOR_BASE64 } from './kubemq-descriptor.js';

const KUBEMQ_FILE = 'kubemq.proto';
let descriptor: Uint8Array | undefined;
const kubemqDescriptor = (): Uint8Array => (descriptor ??= Buffer.from(KUBEMQ_FILE_DESCRIPTOR_BASE64, 'base64'));

export const REFLECTION_SERVICE = 'grpc.reflection.v1alpha.ServerReflection';
const NOT_FOUND = 5;

const identity = (b: Buffer): Buffer => b;

export const reflectionDefinition: grpc.ServiceDefinition = {
  serverReflectionInfo: {
    path: `/${REFLECTION_SERVICE}/ServerReflectionInfo`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} as grpc.ServiceDefinition;

interface ReflectionRequest {
  host: string;
  /** The oneof field number that was set (3 file_by_filename … 7 list_services). */
  kind: number;
  /** The file name or symbol for kinds 3 and 4. */
  name: string;
}

function decodeRequest(buf: Buffer): ReflectionRequest {
  const r = new BinaryReader(buf);
  const req: ReflectionRequest = { host: '', kind: 0, name: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) req.host = r.string();
    else if (field === 3 || field === 4) {
      req.kind = field;
      req.name = r.string();
    } else if (field >= 5 && field <= 7) {
      req.kind = field;
      r.skip(tag & 7);
    } else r.skip(tag & 7);
  }
  return req;
}

/** The response for one request: `original_request` echoed, then list_services or an error. */
export function reflectionResponse(raw: Buffer, services: readonly string[]): Buffer {
  const req = decodeRequest(raw);
  const w = new BinaryWriter();
  if (req.host) w.uint32((1 << 3) | 2).string(req.host);
  w.uint32((2 << 3) | 2).bytes(raw);
  if (req.kind === 7) {
    const list = new BinaryWriter();
    for (const name of services) list.uint32((1 << 3) | 2).bytes(new BinaryWriter().uint32((1 << 3) | 2).string(name).finish());
    w.uint32((6 << 3) | 2).bytes(list.finish());
  } else if ((req.kind === 3 && req.name === KUBEMQ_FILE) || (req.kind === 4 && req.name.startsWith('kubemq.'))) {
    // file_descriptor_response { repeated bytes file_descriptor_proto = 1 }
    w.uint32((4 << 3) | 2).bytes(new BinaryWriter().uint32((1 << 3) | 2).bytes(kubemqDescriptor()).finish());
  } else {
    const err = new BinaryWriter().uint32((1 << 3) | 0).int32(NOT_FOUND).uint32((2 << 3) | 2).string(`not found: ${req.name || 'request'}`).finish();
    w.uint32((7 << 3) | 2).bytes(err);
  }
  return Buffer.from(w.finish());
}

export function reflectionHandler(services: readonly string[]): grpc.handleBidiStreamingCall<Buffer, Buffer> {
  return (call) => {
    call.on('data', (raw: Buffer) => call.write(reflectionResponse(raw, services)));
    call.on('end', () => endStreamOk(call));
    call.on('error', () => undefined);
  };
}
