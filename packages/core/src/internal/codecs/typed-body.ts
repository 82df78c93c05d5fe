import type { MessageBody } from '../../client/body.js';
import type { Codec, Decoded } from '../../codecs/codec.js';
import { errorText } from '../errors/error-text.js';
import { DecodeError, ValidationError } from '../errors/kubemq-error.js';
import { fail } from '../validation/fail.js';

/** A codec given to a typed channel: an object with encode and decode functions (ValidationError naming `field` otherwise). */
export function validateCodec<T>(codec: unknown, field = 'codec'): Codec<T> {
  const c = codec as Partial<Codec<T>> | null | undefined;
  if (typeof c !== 'object' || c === null || typeof c.encode !== 'function' || typeof c.decode !== 'function') {
    fail(field, 'must be a codec: an object with encode(value) and decode(body) (e.g. jsonCodec())');
  }
  if (c.validate !== undefined && typeof c.validate !== 'function') fail(`${field}.validate`, 'must be a function when given');
  return c as Codec<T>;
}

function codecName(codec: Codec<unknown>): string {
  return typeof codec.name === 'string' && codec.name !== '' ? codec.name : 'custom';
}

/**
 * The body for a typed value: validated, then encoded. A throw from either becomes a
 * ValidationError naming `field`, with the codec's error as `cause` (nothing is sent).
 */
export function encodeValue<T>(codec: Codec<T>, value: T, ctx: { operation: string; channel?: string; field?: string }): MessageBody {
  const field = ctx.field ?? 'value';
  let body: unknown;
  try {
    body = codec.encode(codec.validate === undefined ? value : codec.validate(value));
  } catch (err) {
    throw new ValidationError({
      operation: ctx.operation,
      ...(ctx.channel !== undefined && { channel: ctx.channel }),
      field,
      message: `invalid ${field}: the ${codecName(codec)} codec refused it: ${errorText(err)}`,
      cause: err,
    });
  }
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new ValidationError({
      operation: ctx.operation,
      ...(ctx.channel !== undefined && { channel: ctx.channel }),
      field,
      message: `invalid ${field}: the ${codecName(codec)} codec's encode() must return a string or a Uint8Array`,
    });
  }
  return body;
}

/** Decodes one received body: the typed value, or the DecodeError that says why not. */
export function decodeBody<T>(
  codec: Codec<T>,
  body: Uint8Array,
  ctx: { operation: string; channel: string; messageId: string },
): Decoded<T> {
  try {
    const decoded = codec.decode(body);
    return { ok: true, value: codec.validate === undefined ? decoded : codec.validate(decoded) };
  } catch (err) {
    const name = codecName(codec);
    return {
      ok: false,
      decodeError: new DecodeError({
        operation: ctx.operation,
        channel: ctx.channel,
        codec: name,
        messageId: ctx.messageId,
        message: `message ${ctx.messageId} on ${ctx.channel}: the ${name} codec could not decode its body: ${errorText(err)}`,
        cause: err,
      }),
    };
  }
}

/**
 * A received message with its decoded body merged in (`ok`, `value`, `decodeError`). The message
 * object is the SDK's own, fresh per delivery, so it is extended in place: methods bound to it
 * (ack, text, …) keep working.
 */
export function withDecoded<M extends object, T>(
  message: M,
  codec: Codec<T>,
  body: Uint8Array,
  ctx: { operation: string; channel: string; messageId: string },
): M & Decoded<T> {
  const decoded = decodeBody(codec, body, ctx);
  return Object.assign(message, decoded.ok ? { ok: true, value: decoded.value } : { ok: false, decodeError: decoded.decodeError }) as M &
    Decoded<T>;
}
