/**
 * The client's connection state:
 * `connecting` → `ready` → (`reconnecting` → `ready`)* → `closed`.
 * Only `ready` sends right away; during `reconnecting` unary calls wait in the send buffer.
 */
export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';
