// `npm run burnin -- --duration <seconds> [--restart-every <seconds> --signal KILL|TERM] [...]`: the
// soak test. Runs the six workloads of tools/reliability at configured rates against one broker
// (startKubemq(): KUBEMQ_ADDRESS, KUBEMQ_BINARY, or the emulator in a child process), optionally
// stopping (SIGKILL or SIGTERM) and restarting the broker, and reports loss (apart from what the
// broker strands by design), duplication, latency in and out of outages, throughput, error rate
// and RSS over time. Prints the verdict last; exits 1 when a threshold is missed (`--help`).
import { startKubemq } from '@kubemq/testing';
import { formatReport, runScenario } from '../scenario.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../workloads.js';
import { parseArgs, USAGE, type BurninArgs } from './args.js';
import { judge, type RssSample } from './verdict.js';

async function main(): Promise<number> {
  let args: BurninArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    // A bad command line is no verdict: say what is wrong, and where the usage is.
    console.error(`burn-in: ${err instanceof Error ? err.message : String(err)} (--help for the usage)`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  await using broker = await startKubemq();
  const canRestart = broker.capabilities.restart && (args.signal === 'TERM' || broker.capabilities.kill);
  console.log(`burn-in: ${args.durationS} s against the ${broker.kind} broker at ${broker.address}; rates/s ${WORKLOAD_NAMES.map((n) => `${n}=${args.rates[n]}`).join(' ')}; ${args.payloadBytes} B payloads`);
  if (args.restartEveryS && !canRestart) console.log(`burn-in: --restart-every ignored: the ${broker.kind} broker cannot be ${args.signal === 'KILL' ? 'killed' : 'restarted'} from here`);
  if (args.restartEveryS && canRestart) console.log(`burn-in: SIG${args.signal} every ${args.restartEveryS} s, down ${args.downMs} ms before each restart`);
  const restarts = args.restartEveryS && canRestart
    ? {
        everyMs: args.restartEveryS * 1000,
        downMs: args.downMs,
        signal: args.signal,
        broker: { kill: () => broker.kill(), stop: () => broker.stop(), restart: () => broker.restart() },
      }
    : undefined;

  const rss: RssSample[] = [];
  const last = new Map<WorkloadName, { sent: number; received: number }>();
  let lastAt = 0;
  const report = await runScenario({
    address: broker.address,
    rates: args.rates,
    payloadBytes: args.payloadBytes,
    durationMs: args.durationS * 1000,
    ...(restarts && { restarts }),
    progressEveryMs: args.sampleEveryS * 1000,
    onProgress: (elapsedMs, trackers) => {
      const mem = process.memoryUsage();
      rss.push({ atMs: elapsedMs, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed });
      const dt = (elapsedMs - lastAt) / 1000;
      lastAt = elapsedMs;
      const rates = trackers.map((t) => {
        const prev = last.get(t.name as WorkloadName) ?? { sent: 0, received: 0 };
        const now = { sent: t.confirmedCount, received: t.receivedCount };
        last.set(t.name as WorkloadName, now);
        return `${t.name} ${Math.round((now.sent - prev.sent) / dt)}/${Math.round((now.received - prev.received) / dt)}`;
      });
      console.log(
        `[+${(elapsedMs / 1000).toFixed(0).padStart(5)} s] rss ${mb(mem.rss)} MB heap ${mb(mem.heapUsed)} MB | sent/recv per s: ${rates.join(', ')}`,
      );
    },
    log: (line) => console.log(`burn-in: ${line}`),
  });

  console.log(`\nper workload (latency in ms, p50..p99.9 outside outages; recover ms per restart):\n${formatReport(report)}`);
  const verdict = judge(report, rss, { warmupMs: args.warmupS * 1000 });
  console.log('');
  for (const line of verdict.lines) console.log(line);
  console.log(verdict.pass ? 'VERDICT: PASS' : `VERDICT: FAIL (${verdict.failures.join('; ')})`);
  return verdict.pass ? 0 : 1;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log('VERDICT: FAIL (the burn-in did not complete)');
    process.exit(1);
  },
);
