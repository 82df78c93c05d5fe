import type { Codec } from '../../codecs/codec.js';
import { jsonCodec } from '../../codecs/json-codec.js';
import { DecodeError, KubemqError, ValidationError } from '../errors/kubemq-error.js';
import { decodeBody, encodeValue, validateCodec, withDecoded } from './typed-body.js';

const ctx = { operation: 'events.subscribe', channel: 'orders', messageId: 'm-1' };
const isOrder = (v: unknown): { id: number } => {
  if (typeof (v as { id?: unknown })?.id !== 'number') throw new TypeError('not an order');
  return v as { id: number };
};

describe('validateCodec', () => {
  it('accepts an object with encode and decode', () => {
    const codec = jsonCodec();
    expect(validateCodec(codec)).toBe(codec);
  });

  it.each<[unknown, string]>([
    [undefined, 'codec'],
    [null, 'codec'],
    ['json', 'codec'],
    [{ encode: () => '' }, 'codec'],
    [{ encode: () => '', decode: () => 1, validate: 'yes' }, 'codec.validate'],
  ])('refuses %p with a ValidationError naming %s', (codec, field) => {
    expect(() => validateCodec(codec)).toThrow(expect.objectContaining({ name: 'ValidationError', field }));
  });
});

describe('encodeValue', () => {
  it('validates, then encodes', () => {
    const seen: unknown[] = [];
    const codec: Codec<number> = {
      encode: (v) => String(v),
      decode: Number,
      validate: (v) => {
        seen.push(v);
        return (v as number) * 2;
      },
    };
    expect(encodeValue(codec, 21, { operation: 'events.send' })).toBe('42');
    expect(seen).toEqual([21]);
  });

  it('turns a refusal of validate or encode into a ValidationError naming the field, with the cause', () => {
    const codec = jsonCodec<{ id: number }>({ validate: isOrder });
    let caught: unknown;
    try {
      encodeValue(codec, { nope: true } as unknown as { id: number }, { operation: 'queues.send', channel: 'q' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ field: 'value', operation: 'queues.send', channel: 'q', retryable: false });
    expect((caught as Error).message).toBe('invalid value: the json codec refused it: not an order');
    expect((caught as Error).cause).toBeInstanceOf(TypeError);
    expect(() => encodeValue(jsonCodec(), undefined, { operation: 'x', field: 'reply.value' })).toThrow(
      expect.objectContaining({ field: 'reply.value' }),
    );
  });

  it('refuses an encode() that returns something other than a string or bytes', () => {
    const codec = { encode: () => 42, decode: () => 1 } as unknown as Codec<number>;
    expect(() => encodeValue(codec, 1, { operation: 'x' })).toThrow(/custom codec's encode\(\) must return a string or a Uint8Array/);
  });
});

describe('decodeBody and withDecoded', () => {
  it('gives the value when the body decodes and validates', () => {
    const decoded = decodeBody(jsonCodec({ validate: isOrder }), new TextEncoder().encode('{"id":3}'), ctx);
    expect(decoded).toEqual({ ok: true, value: { id: 3 } });
  });

  it('gives a DecodeError (never throws) when decode or validate fails', () => {
    for (const body of ['{"id"', '{"name":"x"}']) {
      const decoded = decodeBody(jsonCodec({ validate: isOrder }), new TextEncoder().encode(body), ctx);
      expect(decoded.ok).toBe(false);
      const error = decoded.decodeError;
      if (error === undefined) throw new Error('expected a decode error');
      expect(error).toBeInstanceOf(DecodeError);
      expect(KubemqError.isKubemqError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'DECODE_FAILED', codec: 'json', messageId: 'm-1', channel: 'orders', operation: 'events.subscribe', retryable: false });
      expect(error.message).toMatch(/^message m-1 on orders: the json codec could not decode its body: /);
      expect(error.toJSON()).toMatchObject({ codec: 'json', messageId: 'm-1' });
    }
  });

  it('merges the outcome into the message itself, keeping its methods', () => {
    const message = { id: 'm-1', text: () => 'raw' };
    const ok = withDecoded(message, jsonCodec<number>(), new TextEncoder().encode('5'), ctx);
    expect(ok).toBe(message);
    expect(ok).toMatchObject({ ok: true, value: 5 });
    expect(ok.text()).toBe('raw');
    const bad = withDecoded({ id: 'm-2' }, jsonCodec<number>(), new Uint8Array(0), { ...ctx, messageId: 'm-2' });
    expect(bad.ok).toBe(false);
    expect(bad.value).toBeUndefined();
    expect(bad.decodeError).toBeInstanceOf(DecodeError);
  });
});
