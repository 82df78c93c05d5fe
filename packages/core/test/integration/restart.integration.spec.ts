import { KubemqClient, type ConnectionState } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { itWhen, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { readStored, sendStored } from './support/raw.js';

const reach = (client: KubemqClient, state: ConnectionState) =>
  firstValueFrom(client.state$.pipe(filter((s) => s === state), timeout(60_000)));

// One broker of our own: these tests stop, kill and restart it.
describe('the client across broker restarts (own broker)', () => {
  let broker: KubemqBroker | undefined;

  beforeAll(async () => {
    if (expectedCapabilities().restart) broker = await startKubemq();
  }, 90_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  /** Takes the broker down with `down`, sends while it is down, restarts it; the send lands. */
  async function survives(down: (b: KubemqBroker) => Promise<void>, tag: string): Promise<void> {
    const b = broker as KubemqBroker;
    await using client = await KubemqClient.connect({ address: b.address, clientId: uniqueClientId('core-restart'), reconnect: { initialDelayMs: 200, maxDelayMs: 2000 } });
    expect((await client.ping()).host).toBeTruthy();
    const channel = uniqueChannel(`core.${tag}`);
    await sendStored(client, channel, 'before');
    // Sent:true comes before the broker's store has the event, so a kill -9 right after it may lose
    // it (docs/broker-behaviour.md §2.2); once a subscriber reads it back, it is stored.
    expect(await readStored(client, channel, 1)).toEqual(['before']);
    const states: ConnectionState[] = [];
    const watch = client.state$.subscribe((s) => states.push(s));

    await down(b);
    await reach(client, 'reconnecting');
    // Issued during the outage: waits in the send buffer, goes out once the broker is back.
    const during = sendStored(client, channel, 'during', 90_000);
    await b.restart();
    await expect(during).resolves.toMatchObject({ Sent: true });
    await reach(client, 'ready');
    watch.unsubscribe();

    expect(states[0]).toBe('ready');
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('ready');
    expect(await readStored(client, channel, 2)).toEqual(['before', 'during']);
    expect((await client.ping()).host).toBeTruthy();
  }

  itWhen('restart', expectedCapabilities())('survives a graceful stop and restart; a send issued during the outage is delivered', async () => {
    await survives((b) => b.stop(), 'stop');
  }, 180_000);

  itWhen('kill', expectedCapabilities())('survives kill -9 and a restart; a send issued during the outage is delivered', async () => {
    await survives((b) => b.kill(), 'kill');
  }, 180_000);
});
