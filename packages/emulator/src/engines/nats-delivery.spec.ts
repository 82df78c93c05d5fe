/// <reference types="jest" />
import { NATS_PENDING_BYTES_LIMIT, natsDeliverable } from './nats-delivery.js';

const message = (bodyBytes: number) => ({ Body: new Uint8Array(bodyBytes), Metadata: 'm', Tags: { k: 'v' } });

describe('natsDeliverable', () => {
  it('passes a message well under 64 MiB without encoding it', () => {
    const encode = jest.fn(() => 0);
    expect(natsDeliverable(message(1024), encode)).toBe(true);
    expect(encode).not.toHaveBeenCalled();
  });

  it('counts every string of the message in its bound, not only body and metadata', () => {
    const encode = jest.fn(() => NATS_PENDING_BYTES_LIMIT + 1);
    const body = NATS_PENDING_BYTES_LIMIT - 2000;
    expect(natsDeliverable({ ...message(body), Error: 'e'.repeat(5000) }, encode)).toBe(false);
    expect(encode).toHaveBeenCalled();
  });

  it('settles a message near the limit by its encoded size', () => {
    expect(natsDeliverable(message(NATS_PENDING_BYTES_LIMIT - 10), () => NATS_PENDING_BYTES_LIMIT)).toBe(true);
    expect(natsDeliverable(message(NATS_PENDING_BYTES_LIMIT - 10), () => NATS_PENDING_BYTES_LIMIT + 1)).toBe(false);
  });
});
