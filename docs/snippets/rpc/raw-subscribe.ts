import { type KubemqClient } from '@kubemq/core';
import { commands, isRpcReadinessProbe } from '@kubemq/rpc';

// Full control: a cold stream of received commands (Observable and async iterable), answered
// with an explicit reply that echoes the request id and the reply channel the broker filled in.
// A loop that falls more than bufferSize commands behind ends with an IteratorOverflowError.
// Aborting the signal ends the loop and cancels the subscription, also while it waits.
export async function serveByHand(client: KubemqClient, signal: AbortSignal): Promise<void> {
  const cmds = commands(client);
  for await (const cmd of cmds.subscribe({ channel: 'devices.*.reboot', bufferSize: 256, signal })) {
    if (isRpcReadinessProbe(cmd)) continue; // a probe from a responder on the same channel
    const ok = cmd.channel !== 'devices.locked.reboot';
    await cmds.reply(
      {
        requestId: cmd.id,
        replyChannel: cmd.replyChannel,
        executed: ok,
        ...(ok ? {} : { error: 'device is locked' }),
      },
      { timeoutMs: 2_000 }, // CallOptions: how long this reply call may take
    );
  }
}
