// Device control over KubeMQ commands: a device agent (responder) and an operator console
// (requester) in one process. Shows an executed command, a failed one (executed: false, returned
// as a value) and a timeout (nobody serves that channel).
//
//   KUBEMQ_ADDRESS=localhost:50000 npx tsx --tsconfig examples/rpc/tsconfig.json examples/rpc/device-control/main.ts
import { KubemqClient, TimeoutError } from '@kubemq/core';
import { commandResponder, commands } from '@kubemq/rpc';

const offline = new Set(['dev-offline']);

async function main(): Promise<number> {
  const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
  const client = await KubemqClient.connect({ address, clientId: `device-control-${process.pid}` });
  const run = `${process.pid}-${Date.now()}`;
  const channel = `examples.devices.${run}.reboot`;
  try {
    // The device agent: reboots a device, or refuses when it is offline.
    await using agent = commandResponder(client, { channel, group: 'device-agents' }, (cmd) => {
      const deviceId = cmd.text();
      if (offline.has(deviceId)) throw new Error(`device ${deviceId} is offline`);
      console.log(`[agent] rebooting ${deviceId} (asked by ${cmd.clientId})`);
      return { tags: { device: deviceId } };
    });
    // The broker registers a subscription without saying so: prove it before sending.
    await agent.ready({ timeoutMs: 15_000 });

    const console_ = commands(client);
    const ok = await console_.send({ channel, body: 'dev-1', timeoutMs: 5_000 });
    console.log(`[console] dev-1: executed=${ok.executed} by ${ok.responderId} at ${ok.executedAt?.toISOString()}`);

    const refused = await console_.send({ channel, body: 'dev-offline', timeoutMs: 5_000 });
    console.log(`[console] dev-offline: executed=${refused.executed} error="${refused.error}"`);

    let timedOut = false;
    try {
      await console_.send({ channel: `examples.devices.${run}.nobody`, body: 'dev-2', timeoutMs: 1_000 });
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      timedOut = true;
      console.log(`[console] dev-2: no agent answered within ${err.timeoutMs} ms`);
    }

    const asExpected = ok.executed && !refused.executed && refused.error === 'device dev-offline is offline' && timedOut;
    console.log(asExpected ? 'device-control: done' : 'device-control: unexpected results');
    return asExpected ? 0 : 1;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('device-control failed:', err);
    process.exit(1);
  },
);
