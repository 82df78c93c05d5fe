import type { Instrumentation, MessagingOperation } from '../../telemetry/telemetry.js';
import { traced } from './traced.js';

/**
 * traced() for a send whose size was checked when it was built, before its span wrote the trace
 * context into its tags (`traceparent`, `tracestate`: up to some 600 bytes a message). With
 * telemetry, `recheck` measures it again once they are in, before `run`: grpc-js encodes them too,
 * and cancels a call whose message is over the client's `maxMessageBytes` (on a send stream, every
 * send in flight with it; a cancelled QueuesUpstream can crash the broker). Its ValidationError
 * rejects the send (the span records it), and nothing is sent. Without telemetry nothing was
 * added, so it never runs.
 */
export function tracedSend<T>(
  telemetry: Instrumentation | undefined,
  describe: () => MessagingOperation,
  recheck: () => void,
  run: () => Promise<T>,
): Promise<T> {
  if (telemetry === undefined) return run();
  return traced(telemetry, describe, () => {
    try {
      recheck();
    } catch (err) {
      return Promise.reject(err);
    }
    return run();
  });
}
