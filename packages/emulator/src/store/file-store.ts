// One append-only file per log in the data directory.
// File layout: a header record holding the log's name, then the records, each as
// [u32 little-endian length][bytes]. The file name is a readable slug plus a hash of the
// name, so any channel name (slashes, dots, 1000 characters) maps to a safe, unique file.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessAlive } from './process-alive.js';
import type { RecordLog, Store } from './store.js';

const MAGIC = 'kubemq-emulator-log-v1';
const SUFFIX = '.log';

/** The file name for a log name: `<slug>-<sha256 prefix>.log`, at most ~100 bytes. */
export function logFileName(name: string): string {
  const slug = name.replace(/[^a-zA-Z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, 60);
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 24);
  return `${slug}-${hash}${SUFFIX}`;
}

/** Encodes records as one buffer of length-prefixed frames. */
export function frame(records: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const r of records) size += 4 + r.byteLength;
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for (const r of records) {
    buf.writeUInt32LE(r.byteLength, off);
    buf.set(r, off + 4);
    off += 4 + r.byteLength;
  }
  return buf;
}

/**
 * Splits a buffer into frames. A torn last frame (a kill in the middle of a write) is ignored;
 * `validBytes` says where the intact part ends, so the caller can truncate the tail.
 */
export function unframe(buf: Buffer): { records: Uint8Array[]; validBytes: number } {
  const records: Uint8Array[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (off + 4 + len > buf.length) break;
    records.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return { records, validBytes: off };
}

function header(name: string): Buffer {
  return frame([Buffer.from(`${MAGIC}\n${name}`, 'utf8')]);
}

class FileLog implements RecordLog {
  private fd: number;
  private pending: Uint8Array[] | undefined;

  constructor(
    private readonly path: string,
    private readonly name: string,
    loaded?: Uint8Array[],
  ) {
    this.pending = loaded;
    this.fd = openSync(path, 'a');
    if (fstatSync(this.fd).size === 0) writeSync(this.fd, header(name));
  }

  replay(): Uint8Array[] {
    if (this.pending) {
      const r = this.pending;
      this.pending = undefined;
      return r;
    }
    return readLogFile(this.path)?.records ?? [];
  }

  append(...records: Uint8Array[]): void {
    if (records.length === 0) return;
    writeSync(this.fd, frame(records));
  }

  rewrite(records: Uint8Array[]): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, Buffer.concat([header(this.name), frame(records)]));
    } finally {
      closeSync(fd);
    }
    closeSync(this.fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
  }

  close(): void {
    closeSync(this.fd);
  }
}

interface LoadedFile {
  name: string;
  records: Uint8Array[];
  validBytes: number;
  size: number;
}

function readLogFile(path: string): LoadedFile | undefined {
  const buf = readFileSync(path);
  const { records, validBytes } = unframe(buf);
  const head = records.shift();
  if (!head) return undefined;
  const text = Buffer.from(head).toString('utf8');
  if (!text.startsWith(MAGIC + '\n')) return undefined;
  return { name: text.slice(MAGIC.length + 1), records, validBytes, size: buf.length };
}

const LOCK_FILE = '.lock';
/** Data directories held by stores of this process. */
const heldHere = new Set<string>();

/** The data directory is in use by another live store. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

/**
 * One store per directory, like the server's `.rootdir.lck` (broker-behaviour.md §1.4): a lock file holds
 * the owner's pid; a lock left by a killed process (gone, or a zombie not reaped yet) is taken over.
 */
function lockDir(dataDir: string): () => void {
  const key = resolve(dataDir);
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(key)) throw new StoreLockedError(`data directory ${dataDir} is in use by another emulator in this process`);
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
      throw new StoreLockedError(`data directory ${dataDir} is in use by process ${pid}`);
    }
  } catch (err) {
    if (err instanceof StoreLockedError) throw err;
  }
  writeFileSync(path, String(process.pid));
  heldHere.add(key);
  return () => {
    heldHere.delete(key);
    rmSync(path, { force: true });
  };
}

/**
 * A store in `dataDir` (created if missing). Existing logs are read once at open; a torn
 * tail is cut off so later appends stay readable.
 */
export function fileStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDir(dataDir);
  const logs = new Map<string, FileLog>();
  const known = new Map<string, string>(); // name -> path, for logs on disk not yet opened
  const loaded = new Map<string, Uint8Array[]>();
  for (const file of readdirSync(dataDir)) {
    if (!file.endsWith(SUFFIX)) continue;
    const path = join(dataDir, file);
    const content = readLogFile(path);
    if (!content) continue;
    if (content.validBytes < content.size) {
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, content.validBytes);
      closeSync(fd);
    }
    known.set(content.name, path);
    loaded.set(content.name, content.records);
  }
  let closed = false;
  return {
    durable: true,
    log(name) {
      if (closed) throw new Error('store is closed');
      let log = logs.get(name);
      if (!log) {
        const path = known.get(name) ?? join(dataDir, logFileName(name));
        log = new FileLog(path, name, loaded.get(name));
        loaded.delete(name);
        known.set(name, path);
        logs.set(name, log);
      }
      return log;
    },
    names: () => [...known.keys()],
    remove(name) {
      logs.get(name)?.close();
      logs.delete(name);
      loaded.delete(name);
      const path = known.get(name) ?? join(dataDir, logFileName(name));
      known.delete(name);
      rmSync(path, { force: true });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const log of logs.values()) log.close();
      logs.clear();
      unlock();
    },
  };
}
