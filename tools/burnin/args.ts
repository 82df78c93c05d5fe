// Command line of the burn-in. Every bad value is an error naming the flag.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools/burnin is a script beside the reliability project whose runner it shares (not a package)
import { WORKLOAD_NAMES, type WorkloadName } from '../reliability/src/workloads.js';

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
  downMs: number;
  rates: Record<WorkloadName, number>;
  payloadBytes: number;
  warmupS: number;
  sampleEveryS: number;
}

export const USAGE = `usage: npm run burnin -- [--duration <s>] [--restart-every <s>] [--down <ms>] [--payload <bytes>]
       [--rate <workload>=<per s>]... [--warmup <s>] [--sample-every <s>]
  --duration       how long producers run (default 60)
  --restart-every  SIGKILL the broker every <s> seconds and restart it (local brokers only)
  --down           how long the broker stays down per restart (default 2000 ms)
  --payload        body size in bytes (default 1024)
  --rate           per-workload rate, e.g. --rate events=200 --rate commands=0 (workloads: ${WORKLOAD_NAMES.join(', ')};
                   defaults ${WORKLOAD_NAMES.map((n) => `${n}=${DEFAULT_RATES[n]}`).join(' ')})
  --warmup         seconds before the RSS baseline is taken (default: min(30, duration / 4))
  --sample-every   seconds between RSS/throughput lines (default: 5, or 60 for runs of an hour or more)`;

function positive(flag: string, value: string | undefined, { integer = true, allowZero = false } = {}): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0 || (!allowZero && n === 0)) {
    throw new TypeError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): BurninArgs {
  const args: BurninArgs = {
    help: false,
    durationS: 60,
    restartEveryS: undefined,
    downMs: 2000,
    rates: { ...DEFAULT_RATES },
    payloadBytes: 1024,
    warmupS: NaN,
    sampleEveryS: NaN,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--duration':
        args.durationS = positive(flag, value());
        break;
      case '--restart-every':
        args.restartEveryS = positive(flag, value());
        break;
      case '--down':
        args.downMs = positive(flag, value(), { allowZero: true });
        break;
      case '--payload':
        args.payloadBytes = positive(flag, value());
        break;
      case '--warmup':
        args.warmupS = positive(flag, value(), { allowZero: true });
        break;
      case '--sample-every':
        args.sampleEveryS = positive(flag, value());
        break;
      case '--rate': {
        const [name, rate] = (value() ?? '').split('=');
        if (!WORKLOAD_NAMES.includes(name as WorkloadName)) throw new TypeError(`--rate: unknown workload ${JSON.stringify(name)} (one of ${WORKLOAD_NAMES.join(', ')})`);
        args.rates[name as WorkloadName] = positive(`--rate ${name}`, rate, { integer: false, allowZero: true });
        break;
      }
      default:
        throw new TypeError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  if (Number.isNaN(args.warmupS)) args.warmupS = Math.min(30, Math.floor(args.durationS / 4));
  if (Number.isNaN(args.sampleEveryS)) args.sampleEveryS = args.durationS >= 3600 ? 60 : 5;
  if (args.warmupS >= args.durationS) throw new TypeError(`--warmup (${args.warmupS}) must be shorter than --duration (${args.durationS})`);
  return args;
}
