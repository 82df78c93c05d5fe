import { breaksPublisher, isStanChannelValid } from './stan.js';

describe('stan channel rules', () => {
  it('refuses `/` and empty tokens', () => {
    expect(isStanChannelValid('a.b')).toBe(true);
    for (const bad of ['', 'a/b', 'a..b', '.a', 'a.']) expect(isStanChannelValid(bad)).toBe(false);
  });

  it('a control character, or a publish line over 4096 bytes, breaks the shared publisher', () => {
    expect(breaksPublisher('a.b')).toBe(false);
    for (const bad of ['a\tb', 'a\rb', 'a\nb']) expect(breaksPublisher(bad)).toBe(true);
    expect(breaksPublisher('a'.repeat(3900))).toBe(false);
    expect(breaksPublisher('a'.repeat(4050))).toBe(true);
  });
});
