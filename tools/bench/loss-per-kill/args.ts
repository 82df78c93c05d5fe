// Command line of `npm run chaos:loss-per-kill`. Every bad value is an error naming the flag.
// eslint-disable-next-line @nx/enforce-module-boundaries -- a script beside the reliability project, whose flag parsing it shares (not a package)
import { flagNumber } from '../../reliability/src/flag-number.js';

export interface LossPerKillArgs {
  help: boolean;
  maxItemsValues: number[];
  concurrencies: number[];
  /** Kills per setting and load. */
  kills: number;
  /** How long the handler waits per message (simulated I/O). */
  handlerMs: number;
  /** The steady load's rate (messages per second). */
  ratePerS: number;
  /** Messages consumed for the throughput figure. */
  throughputMessages: number;
}

export const USAGE = `usage: npm run chaos:loss-per-kill -- [--max-items 1,10,50,100] [--concurrency 1,4] [--kills 5]
       [--handler-ms 2] [--rate 100] [--throughput-messages 3000]
For each consume() setting (maxItems × concurrency), against a broker of its own (startKubemq():
the emulator, or KUBEMQ_BINARY; a broker that cannot be killed is refused):
  throughput  a backlog of --throughput-messages consumed without kills (messages per second)
  backlog     --kills times: a fresh queue with a backlog, the broker SIGKILLed at a random moment
              while the consumer drains it, restarted; messages that never reach the handler
  steady      --kills times: a producer at --rate messages/s, the broker SIGKILLed at a random moment,
              restarted; confirmed messages that never reach the handler
Each kill also checks the consumer's own bound:
  missing <= (transactionsOpenAtLoss + pollsInFlightAtLoss) x maxItems.
  --max-items            consume() maxItems values (default 1,10,50,100)
  --concurrency          consume() concurrency values (default 1,4)
  --kills                kills per setting and load (default 5)
  --handler-ms           the handler waits this long per message, like an I/O call (default 2; 0 = no wait)
  --rate                 the steady load (default 100 messages/s)
  --throughput-messages  messages in the throughput backlog (default 3000)
Prints a markdown table (mean and max missing per kill) for docs/benchmarks.md.`;

function list(flag: string, value: string | undefined): number[] {
  const items = (value ?? '').split(',');
  const values = items.map((v) => flagNumber(flag, v));
  return [...new Set(values)];
}

export function parseArgs(argv: readonly string[]): LossPerKillArgs {
  const args: LossPerKillArgs = {
    help: false,
    maxItemsValues: [1, 10, 50, 100],
    concurrencies: [1, 4],
    kills: 5,
    handlerMs: 2,
    ratePerS: 100,
    throughputMessages: 3000,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--max-items':
        args.maxItemsValues = list(flag, value());
        break;
      case '--concurrency':
        args.concurrencies = list(flag, value());
        break;
      case '--kills':
        args.kills = flagNumber(flag, value());
        break;
      case '--handler-ms':
        args.handlerMs = flagNumber(flag, value(), { allowZero: true });
        break;
      case '--rate':
        args.ratePerS = flagNumber(flag, value());
        break;
      case '--throughput-messages':
        args.throughputMessages = flagNumber(flag, value());
        break;
      default:
        throw new TypeError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  return args;
}
