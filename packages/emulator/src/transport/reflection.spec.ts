import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { reflectionResponse } from './reflection.js';

function fields(buf: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  const r = new BinaryReader(buf);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if ((tag & 7) === 2) {
      const f = tag >>> 3;
      out.set(f, [...(out.get(f) ?? []), r.bytes()]);
    } else r.skip(tag & 7);
  }
  return out;
}

describe('reflection', () => {
  it('lists the services and echoes the request', () => {
    const req = Buffer.from(new BinaryWriter().uint32((7 << 3) | 2).string('').finish());
    const res = fields(reflectionResponse(req, ['kubemq.kubemq', 'grpc.reflection.v1alpha.ServerReflection']));
    expect(Buffer.from(res.get(2)![0]!)).toEqual(req);
    const names = fields(res.get(6)![0]!).get(1)!.map((s) => Buffer.from(fields(s).get(1)![0]!).toString());
    expect(names).toEqual(['kubemq.kubemq', 'grpc.reflection.v1alpha.ServerReflection']);
  });

  it('serves kubemq.proto by file name and by symbol, and NOT_FOUND otherwise', () => {
    for (const [field, name] of [
      [3, 'kubemq.proto'],
      [4, 'kubemq.kubemq'],
      [4, 'kubemq.Event'],
    ] as const) {
      const res = fields(reflectionResponse(Buffer.from(new BinaryWriter().uint32((field << 3) | 2).string(name).finish()), []));
      const file = fields(res.get(4)![0]!).get(1)![0]!;
      const fd = fields(file);
      expect(Buffer.from(fd.get(1)![0]!).toString()).toBe('kubemq.proto'); // FileDescriptorProto.name
      expect(Buffer.from(fd.get(2)![0]!).toString()).toBe('kubemq'); // package
    }
    const miss = fields(reflectionResponse(Buffer.from(new BinaryWriter().uint32((4 << 3) | 2).string('other.Thing').finish()), []));
    expect(miss.has(7)).toBe(true);
    expect(miss.has(4)).toBe(false);
  });
});
