import { bytesCodec } from './bytes-codec.js';
import { jsonCodec } from './json-codec.js';
import { textCodec } from './text-codec.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('jsonCodec', () => {
  it('round-trips a value as UTF-8 JSON', () => {
    const codec = jsonCodec<{ id: number; name: string }>();
    const body = codec.encode({ id: 7, name: 'zoë' });
    expect(new TextDecoder().decode(body as Uint8Array)).toBe('{"id":7,"name":"zoë"}');
    expect(codec.decode(body as Uint8Array)).toEqual({ id: 7, name: 'zoë' });
    expect(codec.name).toBe('json');
  });

  it('refuses values with no JSON representation and bodies that are not JSON or not UTF-8', () => {
    const codec = jsonCodec<unknown>();
    expect(() => codec.encode(undefined)).toThrow(/no JSON representation/);
    expect(() => codec.encode(() => 1)).toThrow(/no JSON representation/);
    expect(() => codec.encode(10n)).toThrow(TypeError);
    expect(() => codec.decode(utf8('{"id":'))).toThrow(SyntaxError);
    expect(() => codec.decode(new Uint8Array(0))).toThrow(SyntaxError);
    expect(() => codec.decode(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/not valid/);
  });

  it('carries the validation hook, and none without one', () => {
    const validate = (v: unknown) => v as number;
    expect(jsonCodec<number>({ validate }).validate).toBe(validate);
    expect(jsonCodec<number>().validate).toBeUndefined();
  });
});

describe('textCodec', () => {
  it('sends strings as they are (the client encodes UTF-8) and decodes strict UTF-8', () => {
    const codec = textCodec();
    expect(codec.encode('héllo')).toBe('héllo');
    expect(codec.decode(utf8('héllo'))).toBe('héllo');
    expect(() => codec.decode(new Uint8Array([0xc3]))).toThrow(/not valid/);
    expect(() => codec.encode(42 as unknown as string)).toThrow(/expected a string, got number/);
  });
});

describe('bytesCodec', () => {
  it('passes bytes through both ways, Buffers included', () => {
    const codec = bytesCodec();
    const bytes = new Uint8Array([1, 2, 3]);
    expect(codec.encode(bytes)).toBe(bytes);
    expect(codec.decode(bytes)).toBe(bytes);
    expect(codec.encode(Buffer.from('x'))).toEqual(Buffer.from('x'));
    expect(() => codec.encode('text' as unknown as Uint8Array)).toThrow(/expected a Uint8Array/);
  });
});
