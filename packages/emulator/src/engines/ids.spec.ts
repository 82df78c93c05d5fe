import { Nuid, nuid, uuid } from './ids.js';

describe('nuid', () => {
  it('is 22 characters of [0-9A-Za-z], a fixed prefix and a growing sequence', () => {
    const g = new Nuid();
    const ids = Array.from({ length: 1000 }, () => g.next());
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(new Set(ids.map((id) => id.slice(0, 12))).size).toBe(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids); // base-62 digits in ASCII order: the sequence part sorts
  });

  it('differs between generators and for the shared one', () => {
    expect(new Nuid().next().slice(0, 12)).not.toBe(new Nuid().next().slice(0, 12));
    const ids = new Set(Array.from({ length: 10_000 }, () => nuid()));
    expect(ids.size).toBe(10_000);
  });
});

describe('uuid', () => {
  it('is a v4 UUID', () => {
    expect(uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
