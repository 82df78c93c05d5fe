import { TimeoutError, type KubemqClient } from '@kubemq/core';
import { commands } from '@kubemq/rpc';

// A command gets exactly one answer: executed or not. `executed: false` is the responder's
// answer and comes back as a value; no answer at all is a TimeoutError. The command's timeoutMs is
// how long the broker waits for a responder; the send options take only a signal.
export async function rebootDevice(client: KubemqClient, deviceId: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await commands(client).send(
      {
        channel: 'devices.reboot',
        body: deviceId,
        tags: { requestedBy: 'ops-console' },
        timeoutMs: 5_000,
      },
      { signal },
    );
    if (!res.executed) console.error(`reboot refused by ${res.responderId}: ${res.error}`);
    else console.log(`rebooted at ${res.executedAt?.toISOString() ?? 'an unknown time'}`);
    return res.executed;
  } catch (err) {
    if (err instanceof TimeoutError) {
      // Never sent (the broker was unreachable): safe to send again. Sent and unanswered: the
      // device may have rebooted all the same.
      if (err.sent === false) console.error(`not sent: ${err.message}`);
      else console.error(`no device agent answered within ${err.timeoutMs} ms`);
      return false;
    }
    throw err;
  }
}
