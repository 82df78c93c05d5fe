import { StanCaseIndex, goToLower } from './stan-case.js';

describe('goToLower (Go strings.ToLower)', () => {
  it('lowers each code point on its own, as Go does', () => {
    expect(goToLower('Orders.NEW_1')).toBe('orders.new_1');
    expect(goToLower('İ')).toBe('i'); // JS: i + a combining dot
    expect(goToLower('ΟΔΟΣ')).toBe('οδοσ'); // JS: a final ς
    expect(goToLower('ÄÖÜ𝐀')).toBe('äöü𝐀');
  });
});

describe('StanCaseIndex (stan channelStore.checkCase)', () => {
  it('names the existing channel a case variant collides with, not the channel itself', () => {
    const index = new StanCaseIndex();
    index.add('orders');
    index.add('Orders'); // a second variant (from an older store) keeps the first
    expect(index.conflict('ORDERS')).toBe('orders');
    expect(index.conflict('orders')).toBeUndefined();
    expect(index.conflict('other')).toBeUndefined();
    expect(index.conflict('ΟΔΟΣ')).toBeUndefined();
    index.add('οδοσ');
    expect(index.conflict('ΟΔΟΣ')).toBe('οδοσ');
    index.remove('orders');
    expect(index.conflict('ORDERS')).toBeUndefined();
  });
});
