import { SubjectRouter, hasWildcard, subjectMatches } from './subjects.js';

describe('subjectMatches', () => {
  it.each([
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a.b.c', false],
    ['a.*', 'a', false],
    ['*.b', 'x.b', true],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'a', false],
    ['>', 'a', true],
    ['>', 'a.b', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['a.*.>', 'a.b.c', true],
    ['a.*.>', 'a.b', false],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('knows wildcards', () => {
    expect(hasWildcard('a.*')).toBe(true);
    expect(hasWildcard('a.>')).toBe(true);
    expect(hasWildcard('a.b')).toBe(false);
  });
});

describe('SubjectRouter', () => {
  function setup() {
    const router = new SubjectRouter<string>();
    const got: Record<string, string[]> = {};
    const sub = (name: string, pattern: string, group = '') => {
      got[name] = [];
      return router.add(pattern, group, (m) => got[name]!.push(m));
    };
    return { router, got, sub };
  }

  it('gives every ungrouped subscriber a copy', () => {
    const { router, got, sub } = setup();
    sub('a', 'ch');
    sub('b', 'ch');
    sub('c', 'other');
    expect(router.publish('ch', 'm1')).toBe(2);
    expect(got).toEqual({ a: ['m1'], b: ['m1'], c: [] });
  });

  it('gives one member per group each message, and every group its copy', () => {
    const { router, got, sub } = setup();
    sub('g1a', 'ch', 'g1');
    sub('g1b', 'ch', 'g1');
    sub('g2a', 'ch', 'g2');
    sub('free', 'ch');
    for (let i = 0; i < 10; i++) router.publish('ch', `m${i}`);
    expect(got['g1a']!.length + got['g1b']!.length).toBe(10);
    expect(got['g1a']).not.toEqual(got['g1b']); // one copy each: never both members
    expect(got['g2a']).toHaveLength(10);
    expect(got['free']).toHaveLength(10);
  });

  it('groups by name across matching patterns, as NATS does', () => {
    const { router, got, sub } = setup();
    sub('exact', 'a.b', 'g');
    sub('wild', 'a.*', 'g');
    for (let i = 0; i < 4; i++) router.publish('a.b', `m${i}`);
    expect(got['exact']!.length + got['wild']!.length).toBe(4);
  });

  it('routes wildcards and stops after remove', () => {
    const { router, got, sub } = setup();
    const s = sub('star', 'x.*');
    sub('tail', 'x.>');
    router.publish('x.y', '1');
    router.publish('x.y.z', '2');
    router.remove(s);
    router.publish('x.q', '3');
    expect(got['star']).toEqual(['1']);
    expect(got['tail']).toEqual(['1', '2', '3']);
    expect(router.size).toBe(1);
    expect(router.hasSubscribers('x.a.b')).toBe(true);
    expect(router.hasSubscribers('y')).toBe(false);
  });
});
