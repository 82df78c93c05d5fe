import { bytesCodec, jsonCodec, textCodec, type Codec } from '@kubemq/core';

interface Order {
  id: number;
  total: number;
}

// JSON with a check of its own: runs before each send and after each decode (a schema's
// `parse` fits here, e.g. validate: (v) => OrderSchema.parse(v)).
export const orders = jsonCodec<Order>({
  validate: (value) => {
    const order = value as Order;
    if (!Number.isInteger(order?.id) || typeof order.total !== 'number') throw new TypeError('not an Order');
    return order;
  },
});

export const lines = textCodec(); // strict UTF-8 text
export const blobs = bytesCodec(); // the body as it is

// A codec of your own: 8-byte little-endian doubles.
export const temperatures: Codec<number> = {
  name: 'float64',
  encode: (value) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return bytes;
  },
  decode: (body) => {
    if (body.length !== 8) throw new RangeError(`expected 8 bytes, got ${body.length}`);
    return new DataView(body.buffer, body.byteOffset, 8).getFloat64(0, true);
  },
};
