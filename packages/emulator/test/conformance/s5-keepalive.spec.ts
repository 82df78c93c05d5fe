// docs/broker-behaviour.md §0.8, §4, §5.4: keepalive enforcement (grpc-go defaults: pings at most every
// 5 min). Slow (60 s): both clients run at the same time.
import * as grpc from '@grpc/grpc-js';
import { Subscribe_SubscribeType as ST } from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import { closeAll, connect, sleep } from './support/raw.js';
import { readyEvents } from './support/ready.js';

afterAll(closeAll);

describe('§5.4 keepalive', () => {
  it(
    '§0.8/§5.4 [seen] an idle SubscribeToEvents stream of a client pinging every 10 s is cut within 60 s (RESOURCE_EXHAUSTED, too_many_pings); without keepalive it stays open',
    async () => {
      const pinging = connect(undefined, { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 });
      const quiet = connect(undefined, {});
      const a = await readyEvents(pinging, { SubscribeTypeData: ST.Events, ClientID: cid(), Channel: ch('s54.ka.ping') });
      const b = await readyEvents(quiet, { SubscribeTypeData: ST.Events, ClientID: cid(), Channel: ch('s54.ka.quiet') });
      const started = performance.now();
      const cut = await a.end(60_000);
      expect(cut.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(performance.now() - started).toBeLessThan(60_000);
      const left = 60_000 - (performance.now() - started);
      if (left > 0) await sleep(left);
      expect(b.done).toBeUndefined();
      b.cancel();
    },
    100_000,
  );
});
