import type { KubemqError } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { commandResponder, commands, queries, queryResponder } from '../../src/index.js';
import { connect } from './helpers.js';

describe("rpc: what a responder's handler sends while close() drains (integration)", () => {
  it('a command and a query of its own go out, so it replies executed; a new responder is refused with CLOSED meanwhile, and a send after the drain too', async () => {
    const channel = uniqueChannel('rpc.drain.in');
    const downstream = uniqueChannel('rpc.drain.cmd');
    const lookup = uniqueChannel('rpc.drain.query');
    const other = await connect(sharedBroker().address, 'rpc-drain-other');
    const client = await connect(sharedBroker().address, 'rpc-drain');
    try {
      const done: string[] = [];
      await using downstreamResponder = commandResponder(other, { channel: downstream }, (cmd) => void done.push(cmd.text()));
      await using lookupResponder = queryResponder(other, { channel: lookup }, (q) => ({ body: `found ${q.text()}` }));
      await Promise.all([downstreamResponder.ready(), lookupResponder.ready()]);

      const outcomes: Record<string, unknown> = {};
      let started!: () => void;
      const handling = new Promise<void>((resolve) => (started = resolve));
      const responder = commandResponder(client, { channel }, async (cmd) => {
        started();
        // close() has begun: the handler finishes its work, calls of its own included.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const found = await queries(client).send({ channel: lookup, body: cmd.text(), timeoutMs: 5000 });
        outcomes['query'] = found.text();
        const sent = await commands(client).send({ channel: downstream, body: cmd.text(), timeoutMs: 5000 });
        outcomes['command'] = sent.executed;
        const late = commandResponder(client, { channel: uniqueChannel('rpc.drain.late') }, () => undefined);
        outcomes['new responder'] = await late.done.then(() => 'ended', (err: KubemqError) => err.code);
      });
      await responder.ready();
      const reply = commands(other).send({ channel, body: 'job-1', timeoutMs: 10_000 });
      await handling;
      await client.close();
      expect(await reply).toMatchObject({ executed: true });
      expect(outcomes).toEqual({ query: 'found job-1', command: true, 'new responder': 'CLOSED' });
      expect(done).toEqual(['job-1']);
      await expect(commands(client).send({ channel: downstream, body: 'after', timeoutMs: 1000 })).rejects.toMatchObject({ code: 'CLOSED' });
    } finally {
      await client.close();
      await other.close();
    }
  });
});
