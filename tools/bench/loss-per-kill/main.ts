// `npm run chaos:loss-per-kill -- [--max-items 1,10,50,100] [--concurrency 1,4] [--kills 5] [...]`:
// what one broker crash costs a consume() consumer, per maxItems and concurrency, against its
// throughput. The broker keeps an open transaction's messages for good after a SIGKILL, so each
// kill may strand the messages of the poll that was waiting for its answer (`--help`).
import { cpus, loadavg, availableParallelism } from 'node:os';
import { KubemqClient } from '@kubemq/core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a script, not a library: the lazy-load rule is about bundles (tools/bench/run.mjs loads it lazily)
import { startKubemq } from '@kubemq/testing';
import { parseArgs, USAGE, type LossPerKillArgs } from './args.js';
import { killUnderBacklog, killUnderLoad, KILL_WITHIN_MS, measureThroughput, type ConsumeSetting, type MeasureContext } from './measure.js';
import { killStats, markdownTable, type SettingResult } from './summary.js';

/** The backlog must outlast the random kill moment: this many seconds of the setting's throughput. */
const BACKLOG_SECONDS = 3;

async function main(): Promise<number> {
  let args: LossPerKillArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`loss-per-kill: ${err instanceof Error ? err.message : String(err)} (--help for the usage)`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  await using broker = await startKubemq();
  if (!broker.capabilities.kill || !broker.capabilities.restart) {
    console.error(`loss-per-kill: the ${broker.kind} broker cannot be killed and restarted from here (KUBEMQ_ADDRESS); use the emulator or KUBEMQ_BINARY`);
    return 1;
  }
  const load = loadavg().map((l) => l.toFixed(2)).join(' / ');
  const startedAt = new Date();
  // A quick reconnect policy only shortens each cycle: what a kill strands is decided at the kill.
  const options = { address: broker.address, reconnect: { initialDelayMs: 50, maxDelayMs: 250 } };
  const runId = `r${Date.now().toString(36)}`;
  await using producer = await KubemqClient.connect({ ...options, clientId: `lpk-prod-${runId}` });
  await using consumer = await KubemqClient.connect({ ...options, clientId: `lpk-cons-${runId}` });
  const ctx: MeasureContext = { producer, consumer, broker, runId, handlerMs: args.handlerMs };
  console.log(
    `loss-per-kill: ${broker.kind} broker at ${broker.address}; handler waits ${args.handlerMs} ms; ${args.kills} kills per setting and load; steady load ${args.ratePerS}/s`,
  );

  const results: SettingResult[] = [];
  for (const maxItems of args.maxItemsValues) {
    for (const concurrency of args.concurrencies) {
      const setting: ConsumeSetting = { maxItems, concurrency };
      const name = `maxItems ${maxItems} concurrency ${concurrency}`;
      const throughput = await measureThroughput(ctx, setting, args.throughputMessages);
      const backlog = Math.max(10 * maxItems, Math.ceil((throughput * (BACKLOG_SECONDS * 1000 + KILL_WITHIN_MS)) / 1000));
      console.log(`${name}: ${Math.round(throughput)} msg/s without kills; backlog per kill ${backlog}`);
      const result: SettingResult = { setting, throughput, backlog: [], steady: [] };
      for (let k = 0; k < args.kills; k++) {
        result.backlog.push(await killUnderBacklog(ctx, setting, backlog));
        result.steady.push(await killUnderLoad(ctx, setting, args.ratePerS));
        const [b, s] = [result.backlog.at(-1), result.steady.at(-1)];
        console.log(`  kill ${k + 1}: backlog ${JSON.stringify(b)}; steady ${JSON.stringify(s)}`);
      }
      const [b, s] = [killStats(result.backlog, maxItems), killStats(result.steady, maxItems)];
      console.log(`  missing per kill: backlog mean ${b.meanMissing.toFixed(1)} max ${b.maxMissing}; steady mean ${s.meanMissing.toFixed(1)} max ${s.maxMissing}`);
      results.push(result);
    }
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const given = process.argv.slice(2).join(' ');
  console.log(`\nCommand: \`npm run chaos:loss-per-kill${given === '' ? '' : ` -- ${given}`}\``);
  console.log(
    `Run ${startedAt.toISOString()} against the ${broker.kind} (its own process, sharing the machine); ${availableParallelism()} cores (${cpu}), ` +
      `Node ${process.version}, load average before ${load}, after ${loadavg().map((l) => l.toFixed(2)).join(' / ')}; handler ${args.handlerMs} ms a message; ${args.kills} kills per cell.\n`,
  );
  console.log(markdownTable(results, args.ratePerS));
  const overBound = results.reduce((n, r) => n + killStats(r.backlog, r.setting.maxItems).overBound + killStats(r.steady, r.setting.maxItems).overBound, 0);
  if (overBound > 0) console.log(`\nloss-per-kill: ${overBound} kill(s) cost more than the consumer's own bound ((transactionsOpenAtLoss + pollsInFlightAtLoss) × maxItems)`);
  return overBound > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
