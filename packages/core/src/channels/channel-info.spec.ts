import { parseChannelList } from './channel-info.js';

const body = (json: unknown) => Buffer.from(JSON.stringify(json));
const at = (lastActivity: unknown) => parseChannelList(body([{ name: 'c', lastActivity }]))[0]?.lastActivityAt.toISOString();

describe('parseChannelList', () => {
  it("reads the broker's lastActivity in any Unix unit, or as an ISO string, into lastActivityAt", () => {
    const iso = '2025-11-28T03:20:00.000Z';
    expect(at(1_764_300_000)).toBe(iso);
    expect(at(1_764_300_000_000)).toBe(iso);
    expect(at(1_764_300_000_000_000)).toBe(iso);
    expect(at(1_764_300_000_000_000_000)).toBe(iso);
    expect(at(iso)).toBe(iso);
    expect(at(undefined)).toBe('1970-01-01T00:00:00.000Z');
  });
  it('treats an empty body or null as no channels', () => {
    expect(parseChannelList(new Uint8Array(0))).toEqual([]);
    expect(parseChannelList(Buffer.from(' null '))).toEqual([]);
  });
  it('rejects what is not a channel list', () => {
    expect(() => parseChannelList(Buffer.from('nope'))).toThrow(/not JSON/);
    expect(() => parseChannelList(body({}))).toThrow(/not a JSON array/);
    expect(() => parseChannelList(body([1]))).toThrow(/item 0 is not an object/);
    expect(() => parseChannelList(body([{}]))).toThrow(/item 0 has no name/);
  });
});
