import type { Encoder } from '../generated/kubemq.js';
import { BinaryWriter } from '../wire/binary.js';

/** A writer whose buffer grew past this is dropped after use, so an odd large message is not kept. */
export const SCRATCH_WRITER_LIMIT = 256 * 1024;

/**
 * The writer every encode reuses. ts-proto's `encode(msg)` otherwise makes a BinaryWriter per
 * message, whose buffer starts at 128 bytes and doubles (a copy each time) up to the message's
 * size: 2-3 µs of CPU per small message and about half of a 64 KB one's encoding. The bytes are
 * copied out into a `Buffer.allocUnsafe` (a slice of Node's pool for messages under 4 KiB, no
 * zero-fill for larger ones), so what grpc-js sends shares no memory with the writer.
 */
let scratch: BinaryWriter | undefined;

/**
 * grpc-js's serializer for a codec: the encoded message as a Buffer. The writer is taken while
 * encoding and only given back after a complete encode, so an encode that throws half-way (or one
 * that somehow ran inside another) never leaves bytes behind for the next message.
 */
export function serializer<T>(codec: Encoder<T>): (value: T) => Buffer {
  return (value) => {
    const writer = scratch ?? new BinaryWriter();
    scratch = undefined;
    const bytes = codec.encode(value, writer).finishInto(Buffer.allocUnsafe);
    if (bytes.byteLength <= SCRATCH_WRITER_LIMIT) scratch = writer;
    return bytes;
  };
}
