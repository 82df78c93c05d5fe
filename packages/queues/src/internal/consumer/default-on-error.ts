import { KubemqError } from '@kubemq/core';
import type { ClientInternals } from '@kubemq/core/internal';
import type { PolledQueueMessage } from '../../types.js';

/** What a consumer does with an error when its options have no `onError`: a warning through the client's logger. */
export function warnThroughLogger(internals: ClientInternals, channel: string): (error: unknown, message?: PolledQueueMessage) => void {
  return (error, message) => {
    const fields = { channel, error: error instanceof Error ? error.message : String(error) };
    if (message) {
      // A handler may have settled its message before it threw: then the consumer leaves it so.
      const outcome = message.settlement === 'pending' ? 'its message was nacked' : `its message stays ${message.settlement}, as the handler settled it`;
      internals.logger.warn(`queues: a consumer's handler threw; ${outcome}`, { ...fields, sequence: message.sequence, messageId: message.id });
    } else if (KubemqError.isKubemqError(error) && /^queues\.(transaction|message)\./.test(error.operation)) {
      internals.logger.warn('queues: the broker did not confirm a consumer\'s settlement; the batch will be delivered again', fields);
    } else {
      // What ended the consumer (a reconnect policy that gave up, say): done rejects with it too.
      internals.logger.warn('queues: a consumer stopped on an error', { ...fields, ...(KubemqError.isKubemqError(error) && { code: error.code }) });
    }
  };
}
