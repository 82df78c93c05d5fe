import { TimeoutError, type KubemqClient } from '@kubemq/core';
import { commandResponder, commands, type CommandResponse } from '@kubemq/rpc';

// Case 1: you own the responder. ready() sends probes to its channel until this responder
// answers one, which proves the broker routes requests to it.
export async function startAndProve(client: KubemqClient): Promise<void> {
  const responder = commandResponder(client, { channel: 'billing.recalculate' }, () => undefined);
  await responder.ready({ timeoutMs: 10_000 });
}

// Case 2: you only send, and the responder may be starting up. A timeout is retryable:
// retry a bounded number of times (only for commands that are safe to repeat).
export async function sendWhenServed(client: KubemqClient): Promise<CommandResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await commands(client).send({ channel: 'billing.recalculate', metadata: 'all', timeoutMs: 2_000 });
    } catch (err) {
      if (!(err instanceof TimeoutError) || attempt === 5) throw err;
    }
  }
}
