import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStore, logFileName } from './file-store.js';
import { memoryStore } from './memory-store.js';

const b = (s: string) => Buffer.from(s);
const text = (rs: Uint8Array[]) => rs.map((r) => Buffer.from(r).toString());

describe('fileStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays appended records after a reopen, per log name', async () => {
    const s1 = fileStore(dir);
    s1.log('a').append(b('1'), b('2'));
    s1.log('a').append(b('3'));
    s1.log('b/with/slashes and spaces').append(b('x'));
    await s1.close();
    const s2 = fileStore(dir);
    expect(s2.names().sort()).toEqual(['a', 'b/with/slashes and spaces']);
    expect(text(s2.log('a').replay())).toEqual(['1', '2', '3']);
    expect(text(s2.log('b/with/slashes and spaces').replay())).toEqual(['x']);
    s2.log('a').append(b('4'));
    expect(text(s2.log('a').replay())).toEqual(['1', '2', '3', '4']);
    await s2.close();
  });

  it('gives any name a safe, short, unique file name', () => {
    const long = 'x'.repeat(1000);
    expect(logFileName(long).length).toBeLessThan(120);
    expect(logFileName('../../etc/passwd')).not.toContain('/');
    expect(logFileName('a.b')).not.toBe(logFileName('a_b'));
  });

  it('ignores a torn last record and keeps appending after it', async () => {
    const s1 = fileStore(dir);
    s1.log('q').append(b('good'));
    await s1.close();
    const file = join(dir, readdirSync(dir)[0]!);
    // A kill in the middle of a write: a length prefix promising 100 bytes, then 3 bytes.
    const torn = Buffer.alloc(7);
    torn.writeUInt32LE(100, 0);
    appendFileSync(file, torn);
    const sizeWithTear = statSync(file).size;
    const s2 = fileStore(dir);
    expect(text(s2.log('q').replay())).toEqual(['good']);
    expect(statSync(file).size).toBe(sizeWithTear - 7);
    s2.log('q').append(b('after'));
    await s2.close();
    expect(text(fileStore(dir).log('q').replay())).toEqual(['good', 'after']);
  });

  it('rewrites (compacts) and removes logs', async () => {
    const s = fileStore(dir);
    s.log('c').append(b('1'), b('2'), b('3'));
    s.log('c').rewrite([b('3')]);
    s.log('c').append(b('4'));
    expect(text(s.log('c').replay())).toEqual(['3', '4']);
    s.remove('c');
    expect(s.names()).toEqual([]);
    await s.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(text(fileStore(dir).log('c').replay())).toEqual([]);
  });
});

describe('memoryStore', () => {
  it('keeps records in order and forgets removed logs', () => {
    const s = memoryStore();
    s.log('a').append(b('1'));
    s.log('a').append(b('2'), b('3'));
    expect(text(s.log('a').replay())).toEqual(['1', '2', '3']);
    s.log('a').rewrite([b('9')]);
    expect(text(s.log('a').replay())).toEqual(['9']);
    s.remove('a');
    expect(s.names()).toEqual([]);
    expect(s.durable).toBe(false);
  });
});

describe('fileStore lock', () => {
  it('refuses a second store on the same directory until the first closes, and takes over a dead owner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    try {
      const a = fileStore(dir);
      expect(() => fileStore(dir)).toThrow(/in use/);
      await a.close();
      const b = fileStore(dir);
      await b.close();
      writeFileSync(join(dir, '.lock'), '999999999'); // a killed process's pid
      const c = fileStore(dir);
      await c.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
