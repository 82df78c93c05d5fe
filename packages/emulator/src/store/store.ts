// Persistence for the engines: a named append-only log of opaque records.
// Engines encode their own records; the store only keeps bytes in order.

/** One named, append-only log of opaque records, kept in order by a {@link Store}. */
export interface RecordLog {
  /** Every record appended (or last rewritten) so far, oldest first. */
  replay(): Uint8Array[];
  /**
   * Appends records in one write. For a file store the bytes reach the OS before this returns,
   * so appended records survive a SIGKILL of the process (not a power loss: no fsync). When an
   * engine answers before or after its append is its own choice (the events store answers first).
   */
  append(...records: Uint8Array[]): void;
  /** Replaces the whole log (compaction). Atomic: a crash leaves the old or the new content. */
  rewrite(records: Uint8Array[]): void;
}

/**
 * Persistence for the emulator's engines: named logs of opaque records. {@link memoryStore}
 * keeps them in memory, {@link fileStore} in a directory (`dataDir`).
 */
export interface Store {
  /** The log with this name, created empty on first use. Any string is a valid name. */
  log(name: string): RecordLog;
  /** Names of the logs that exist (including those found on disk at open). */
  names(): string[];
  /** Deletes a log and its content. */
  remove(name: string): void;
  /** True when data survives a restart of the emulator. */
  readonly durable: boolean;
  /** Closes every open log and releases the store (a file store's directory lock). Idempotent. */
  close(): Promise<void>;
}
