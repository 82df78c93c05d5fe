import { KubemqClient } from '@kubemq/core';
import { commandResponder, commands, queries, queryResponder } from '@kubemq/rpc';

// A responder for each pattern and a requester, on one client. ready() proves the broker routes
// requests to a responder before the first send (the broker gives no other "subscribed" signal).
export async function quickStart(): Promise<void> {
  await using client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'rpc-quick-start' });
  await using agent = commandResponder(client, { channel: 'devices.reboot' }, (cmd) => console.log('rebooting', cmd.text()));
  await using stock = queryResponder(client, { channel: 'inventory.stock' }, (q) => ({ body: JSON.stringify({ sku: q.text(), available: 3 }) }));
  await agent.ready();
  await stock.ready();
  const reboot = await commands(client).send({ channel: 'devices.reboot', body: 'dev-1', timeoutMs: 5000 });
  const answer = await queries(client).send({ channel: 'inventory.stock', body: 'sku-1', timeoutMs: 5000 });
  console.log(reboot.executed, answer.json());
}
