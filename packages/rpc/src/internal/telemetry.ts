import type { MessagingOperation } from '@kubemq/core';
import type { Request } from '@kubemq/core/internal';
import type { BuiltRequest } from './build/request.js';
import type { RequestKind } from './kind.js';

/** The `send` operation of a command or query; its tags receive the trace context. */
export function requestSendOperation(kind: RequestKind, built: BuiltRequest): MessagingOperation {
  return {
    pattern: kind.name,
    type: 'send',
    name: 'send',
    channel: built.channel,
    messageId: built.id,
    bodySize: built.wire.Body.length,
    tags: [built.wire.Tags],
  };
}

/** The `process` operation of a received command or query; its tags hold the sender's context. */
export function requestProcessOperation(kind: RequestKind, wire: Request, group: string | undefined): MessagingOperation {
  return {
    pattern: kind.name,
    type: 'process',
    name: 'process',
    channel: wire.Channel,
    messageId: wire.RequestID,
    bodySize: wire.Body.length,
    ...(group && { group }),
    tags: [wire.Tags],
  };
}
