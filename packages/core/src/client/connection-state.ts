/**
 * The client's connection state:
 * `connecting` → `ready` → (`reconnecting` → `ready`)* → `closed`.
 * Only `ready` sends right away; during `reconnecting` calls wait for the connection (unary calls:
 * at most `maxPendingCalls` of them; send streams hold their own bounded queues).
 */
export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';
