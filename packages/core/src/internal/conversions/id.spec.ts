import { newId } from './id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('makes UUID v4 text, different every time, across several refills of the random pool', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every hex digit in every free position (the random bytes reach the text)', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...newId()].forEach((c, at) => seen[at]?.add(c));
    const fixed = new Map([[8, 1], [13, 1], [18, 1], [23, 1], [14, 1], [19, 4]]);
    seen.forEach((chars, at) => expect([at, chars.size]).toEqual([at, fixed.get(at) ?? 16]));
  });
});
