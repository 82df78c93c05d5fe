// Command line of the burn-in. Every bad value is an error naming the flag.
import { ACK_BEFORE_PERSIST_MS } from '../loss-account.js';
import { BROKER_SIGNALS, OUTAGE_WINDOW, type BrokerSignal } from '../outage-window.js';
import { flagNumber } from '../flag-number.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../workloads.js';

export const DEFAULT_RATES: Record<WorkloadName, number> = {
  events: 100,
  'events-store': 100,
  'queue-stream': 50,
  'queue-simple': 50,
  commands: 20,
  queries: 20,
};

export interface BurninArgs {
  help: boolean;
  durationS: number;
  restartEveryS: number | undefined;
  /** How the broker is stopped before each restart. */
  signal: BrokerSignal;
  downMs: number;
  rates: Record<WorkloadName, number>;
  payloadBytes: number;
  warmupS: number;
  sampleEveryS: number;
}

/** SIGKILL by default: a crash is what a restart test is for, and what has to be explained message by message. */
export const DEFAULT_SIGNAL: BrokerSignal = 'KILL';

const graceS = OUTAGE_WINDOW.graceMs / 1000;
const beforeS = OUTAGE_WINDOW.missingBeforeSignalMs / 1000;

export const USAGE = `usage: npm run burnin -- [--duration <s>] [--restart-every <s> [--signal KILL|TERM] [--down <ms>]]
       [--payload <bytes>] [--rate <workload>=<per s>]... [--warmup <s>] [--sample-every <s>]
  --duration       how long producers run (default 60)
  --restart-every  stop the broker every <s> seconds and restart it on the same store (local brokers only)
  --signal         how it is stopped: KILL (SIGKILL, a crash) or TERM (SIGTERM, a graceful stop); default
                   ${DEFAULT_SIGNAL}: a crash is what a restart test is for, and the harder case to account for
  --down           how long the broker stays down per restart (default 2000 ms)
  --payload        body size in bytes (default 1024)
  --rate           per-workload rate, e.g. --rate events=200 --rate commands=0 (workloads: ${WORKLOAD_NAMES.join(', ')};
                   defaults ${WORKLOAD_NAMES.map((n) => `${n}=${DEFAULT_RATES[n]}`).join(' ')})
  --warmup         seconds before the RSS baseline is taken (default: min(30, duration / 4))
  --sample-every   seconds between RSS/throughput lines (default: 5, or 60 for runs of an hour or more)

Outage windows. An outage runs from the signal until the restarted broker answers a Ping, plus a
${graceS} s grace: the SDK's default reconnect policy (4 s backoff ceiling) has every stream and responder
back within ${graceS} s of the broker's return, and sends made meanwhile wait for that. A message sent in a
window, or in flight when a signal was sent, counts as "during an outage"; a missing message (never
delivered) counts so when sent from ${beforeS} s before a signal to the end of the grace.

Verdict (exit 1 on FAIL). Outside the windows: p99 <= 1 s, p99.9 <= 5 s, errors <= 0.1% of sends.
Inside them, latency and errors are printed, not judged, but every workload must deliver again within
${graceS} s of each return. Everywhere: duplicates <= 0.1%, no untyped error, no send left unsettled, peak
RSS <= 2x the post-warm-up baseline. "Missing" = confirmed by the SDK, never received; the missing ones
the broker's own behaviour explains are reported by kind, the rest are "lost" and fail the run:
  events        fire-and-forget: missing within a window is reported; outside one it is lost.
  events-store  KILL: the broker answers Sent:true before persisting, so an event acknowledged at most
                ${ACK_BEFORE_PERSIST_MS} ms before the kill (or after it) and absent when the store is read back is
                "unpersisted"; any other missing event is lost (also one the store holds).
                TERM: every missing event is lost.
  queue-stream  KILL: the broker keeps an open transaction's messages for good, and deals later ones to
                it; each kill adds the consumer's (transactionsOpenAtLoss + pollsInFlightAtLoss) x maxItems
                of room, and missing messages sent before that kill or after it are "stranded" (listed by
                sequence) while room is left. Beyond that, one sent after a kill that left dead consumers
                (those counters above 0) is "handed-to-dead-consumers", with a warning: the broker may hand
                a message any consumer gives back unsettled to them past their room, which cannot be told
                from a loss; any other is lost. TERM: every missing message is lost.
  queue-simple  KILL: a receive is acked on arrival, so messages in a receive a kill cut off are gone:
                missing messages sent within a window are "at-most-once" (with how many the cut-off
                receives could hold, and a warning beyond it); outside a window they are lost.
                TERM: every missing message is lost.
  commands,     an answered request reached its responder: every missing one is lost, either signal.
  queries       Requests cut off by an outage fail with a typed error (counted inside the windows).`;

export function parseArgs(argv: readonly string[]): BurninArgs {
  const args: BurninArgs = {
    help: false,
    durationS: 60,
    restartEveryS: undefined,
    signal: DEFAULT_SIGNAL,
    downMs: 2000,
    rates: { ...DEFAULT_RATES },
    payloadBytes: 1024,
    warmupS: NaN,
    sampleEveryS: NaN,
  };
  let signalGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--duration':
        args.durationS = flagNumber(flag, value());
        break;
      case '--restart-every':
        args.restartEveryS = flagNumber(flag, value());
        break;
      case '--signal': {
        const signal = (value() ?? '').toUpperCase().replace(/^SIG/, '');
        if (!BROKER_SIGNALS.includes(signal as BrokerSignal)) throw new TypeError(`--signal must be KILL or TERM, got ${JSON.stringify(argv[i])}`);
        args.signal = signal as BrokerSignal;
        signalGiven = true;
        break;
      }
      case '--down':
        args.downMs = flagNumber(flag, value(), { allowZero: true });
        break;
      case '--payload':
        args.payloadBytes = flagNumber(flag, value());
        break;
      case '--warmup':
        args.warmupS = flagNumber(flag, value(), { allowZero: true });
        break;
      case '--sample-every':
        args.sampleEveryS = flagNumber(flag, value());
        break;
      case '--rate': {
        const [name, rate] = (value() ?? '').split('=');
        if (!WORKLOAD_NAMES.includes(name as WorkloadName)) throw new TypeError(`--rate: unknown workload ${JSON.stringify(name)} (one of ${WORKLOAD_NAMES.join(', ')})`);
        args.rates[name as WorkloadName] = flagNumber(`--rate ${name}`, rate, { integer: false, allowZero: true });
        break;
      }
      default:
        throw new TypeError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (signalGiven && args.restartEveryS === undefined) throw new TypeError('--signal needs --restart-every (without restarts the broker is never stopped)');
  if (Number.isNaN(args.warmupS)) args.warmupS = Math.min(30, Math.floor(args.durationS / 4));
  if (Number.isNaN(args.sampleEveryS)) args.sampleEveryS = args.durationS >= 3600 ? 60 : 5;
  if (args.warmupS >= args.durationS) throw new TypeError(`--warmup (${args.warmupS}) must be shorter than --duration (${args.durationS})`);
  return args;
}
