import type { RecordLog, Store } from './store.js';

class MemoryLog implements RecordLog {
  private records: Uint8Array[] = [];

  replay(): Uint8Array[] {
    return this.records.slice();
  }

  append(...records: Uint8Array[]): void {
    for (const r of records) this.records.push(r);
  }

  rewrite(records: Uint8Array[]): void {
    this.records = records.slice();
  }
}

/** A store that lives as long as the emulator: nothing survives a restart. */
export function memoryStore(): Store {
  const logs = new Map<string, MemoryLog>();
  return {
    durable: false,
    log(name) {
      let log = logs.get(name);
      if (!log) {
        log = new MemoryLog();
        logs.set(name, log);
      }
      return log;
    },
    names: () => [...logs.keys()],
    remove: (name) => void logs.delete(name),
    close: async () => undefined,
  };
}
