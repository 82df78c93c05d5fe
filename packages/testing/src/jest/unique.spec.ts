import { randomSuffix, uniqueChannel, uniqueClientId } from './unique.js';

describe('unique names', () => {
  it('uniqueChannel is prefix.<8 safe chars> and differs each call', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueChannel('orders.v1')));
    expect(names.size).toBe(200);
    for (const name of names) expect(name).toMatch(/^orders\.v1\.[a-z0-9]{8}$/);
    expect(uniqueChannel()).toMatch(/^test\.[a-z0-9]{8}$/);
  });

  it('uniqueClientId matches ^[a-zA-Z0-9_-]+$ (events-store durables)', () => {
    const id = uniqueClientId('sub_A-1');
    expect(id).toMatch(/^sub_A-1-[a-z0-9]{8}$/);
    expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
  });

  it('rejects prefixes that would make an unsafe name', () => {
    for (const bad of ['a b', 'a.*', 'a.>', 'a/b', 'a..b', '.a', 'a.', 'a:b', 'a\tb', '']) {
      expect(() => uniqueChannel(bad)).toThrow('uniqueChannel: prefix');
    }
    for (const bad of ['a.b', 'a b', 'a:b', '']) {
      expect(() => uniqueClientId(bad)).toThrow('uniqueClientId: prefix');
    }
  });

  it('randomSuffix has the asked length', () => {
    expect(randomSuffix(3)).toMatch(/^[a-z0-9]{3}$/);
  });
});
