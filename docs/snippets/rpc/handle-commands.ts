import { type KubemqClient } from '@kubemq/core';
import { commandResponder, type Responder } from '@kubemq/rpc';

declare function reboot(deviceId: string, signal: AbortSignal): Promise<void>;

// Return normally: executed. Throw: executed = false, with the error's message as `error`.
// The helper subscribes, replies for you and re-subscribes after a reconnect.
export async function serveReboots(client: KubemqClient): Promise<Responder> {
  const responder = commandResponder(client, { channel: 'devices.reboot' }, async (cmd, { signal }) => {
    const deviceId = cmd.text();
    if (deviceId === '') throw new Error('no device id');
    await reboot(deviceId, signal); // signal aborts when the sender stops waiting
    return { tags: { device: deviceId } };
  });
  // Optional: wait until the broker routes commands to this responder (see "Readiness").
  await responder.ready();
  return responder; // later: await responder.stop()
}
