import type { KubemqClient } from '@kubemq/core';
import { fakeInternals } from '@kubemq/test-fakes';
import { queues } from '../../src/index.js';
import { attachInternals } from '@kubemq/core/internal';

/** A unary call the fake broker holds until the test answers it. */
interface Held {
  path: string;
  request: { Channel: string };
  ctx: { timeoutMs?: number; maxWaitMs?: number };
  answer(): void;
}

/** A client whose receives, peeks and purges reach a fake broker that answers only when told. */
function heldBroker() {
  const held: Held[] = [];
  const internals = fakeInternals({
    unary: (path, request, ctx) =>
      new Promise((resolve) => {
        const answer = () =>
          resolve(path.endsWith('AckAllQueueMessages') ? { AffectedMessages: 0n, IsError: false, Error: '' } : { Messages: [], MessagesExpired: 0, IsError: false, Error: '' });
        held.push({ path, request: request as Held['request'], ctx: ctx as Held['ctx'], answer });
      }),
  });
  const client = {};
  attachInternals(client, internals);
  return { client: client as KubemqClient, held, internals };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a client's simple calls on one queue take turns", () => {
  it('a call goes out once the one before it is answered, with what is left of its timeout, and may wait for a reconnect only as long as its wait still fits', async () => {
    const { client, held } = heldBroker();
    const q = queues(client);
    const first = q.receive({ channel: 'q', waitTimeoutSeconds: 1 }, { timeoutMs: 5000 });
    const second = q.receive({ channel: 'q', waitTimeoutSeconds: 1 }, { timeoutMs: 3500 });
    const elsewhere = q.peek({ channel: 'other', waitTimeoutSeconds: 1 });
    await sleep(20);
    expect(held.map((h) => h.request.Channel)).toEqual(['q', 'other']);
    expect(held[0]!.ctx).toMatchObject({ timeoutMs: 5000, maxWaitMs: 3000 });
    await sleep(500);
    held[0]!.answer();
    await first;
    await sleep(20);
    expect(held).toHaveLength(3);
    const sent = held[2]!.ctx;
    // 3500 ms less the time it waited; of that, the broker's 1 s wait and a second for its answer are kept.
    expect(sent.timeoutMs).toBeGreaterThan(2000);
    expect(sent.timeoutMs).toBeLessThanOrEqual(3000);
    expect(sent.maxWaitMs).toBe(sent.timeoutMs! - 2000);
    held[2]!.answer();
    held[1]!.answer();
    await Promise.all([second, elsewhere]);
  });

  it('a receive or purge left with less than its wait and a second when its turn comes fails unsent; a peek still goes', async () => {
    const { client, held } = heldBroker();
    const q = queues(client);
    const first = q.peek({ channel: 'q', waitTimeoutSeconds: 1 });
    const receive = q.receive({ channel: 'q', waitTimeoutSeconds: 1 }, { timeoutMs: 2300 }).catch((e: unknown) => e);
    const purge = q.purge({ channel: 'q', waitTimeoutSeconds: 1 }, { timeoutMs: 2300 }).catch((e: unknown) => e);
    const peek = q.peek({ channel: 'q', waitTimeoutSeconds: 1 }, { timeoutMs: 2300 });
    await sleep(500);
    held[0]!.answer();
    await first;
    for (const err of [await receive, await purge]) {
      expect(err).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', channel: 'q', sent: false });
      expect((err as Error).message).toMatch(/was not sent/);
    }
    await sleep(20);
    expect(held.map((h) => h.path.split('/').pop())).toEqual(['ReceiveQueueMessages', 'ReceiveQueueMessages']); // the two peeks
    held[1]!.answer();
    await peek;
  });

  it('the client closing fails the calls still waiting for their turn, unsent', async () => {
    const { client, held, internals } = heldBroker();
    const q = queues(client);
    const first = q.receive({ channel: 'q', waitTimeoutSeconds: 1 });
    const waiting = q.receive({ channel: 'q', waitTimeoutSeconds: 1 }).catch((e: unknown) => e);
    await sleep(20);
    for (const resource of internals.tracked) await resource.drain();
    expect(await waiting).toMatchObject({ code: 'CLOSED', channel: 'q', message: expect.stringMatching(/was not sent: the client closed/) });
    held[0]!.answer();
    await first;
    await sleep(20);
    expect(held).toHaveLength(1);
  });

  it("a purge's timeoutMs must cover its whole wait and a second, as a receive's must", async () => {
    const { client, held } = heldBroker();
    await expect(queues(client).purge({ channel: 'q', waitTimeoutSeconds: 2 }, { timeoutMs: 2500 })).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'callOptions.timeoutMs',
    });
    expect(held).toHaveLength(0);
  });
});
