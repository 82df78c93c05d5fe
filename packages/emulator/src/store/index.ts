export type { RecordLog, Store } from './store.js';
export { memoryStore } from './memory-store.js';
export { StoreLockedError, fileStore, logFileName } from './file-store.js';
