import { randomUUID } from 'node:crypto';

/** A random id (UUID v4) for EventID, RequestID, MessageID and generated client ids. */
export function newId(): string {
  return randomUUID();
}
