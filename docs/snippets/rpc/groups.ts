import { type KubemqClient } from '@kubemq/core';
import { commandResponder, type Responder } from '@kubemq/rpc';

// Three workers in one group share the load: each command reaches exactly one of them.
// Without a group, every responder receives every command and the first answer wins.
export async function startWorkers(client: KubemqClient): Promise<Responder[]> {
  const workers = [1, 2, 3].map((n) =>
    commandResponder(client, { channel: 'jobs.resize', group: 'resizers' }, (cmd) => {
      console.log(`worker ${n} resizes ${cmd.text()}`);
    }),
  );
  await Promise.all(workers.map((w) => w.ready()));
  return workers;
}
