/**
 * The client's connection state:
 * `connecting` → `ready` → (`reconnecting` → `ready`)* → `closed`.
 * Only `ready` sends right away; during `reconnecting` calls wait for the connection (at most
 * `maxPendingCalls` of them).
 */
export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';
