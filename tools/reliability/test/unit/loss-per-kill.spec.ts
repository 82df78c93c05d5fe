// The loss-per-kill bench's command line and figures (tools/bench/loss-per-kill), without a broker.
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench beside this project that shares its broker control
import { parseArgs, USAGE } from '../../../bench/loss-per-kill/args.js';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import type { KillSample } from '../../../bench/loss-per-kill/measure.js';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { killStats, markdownTable } from '../../../bench/loss-per-kill/summary.js';

const kill = (missing: number, pollsInFlightAtLoss = 1, transactionsOpenAtLoss = 0): KillSample => ({ missing, duplicates: 0, pollsInFlightAtLoss, transactionsOpenAtLoss, unsettledAtLoss: 0 });

describe('loss-per-kill arguments', () => {
  it('defaults to batch sizes 1, 10, 50, 100, concurrency 1 and 4, 5 kills, a 2 ms handler and 100/s', () => {
    expect(parseArgs([])).toEqual({ help: false, maxItemsValues: [1, 10, 50, 100], concurrencies: [1, 4], kills: 5, handlerMs: 2, ratePerS: 100, throughputMessages: 3000 });
  });

  it('reads lists and numbers', () => {
    expect(parseArgs(['--max-items', '5,20,5', '--concurrency', '8', '--kills', '3', '--handler-ms', '0', '--rate', '50', '--throughput-messages', '500'])).toEqual({
      help: false,
      maxItemsValues: [5, 20],
      concurrencies: [8],
      kills: 3,
      handlerMs: 0,
      ratePerS: 50,
      throughputMessages: 500,
    });
    expect(parseArgs(['--help']).help).toBe(true);
    expect(USAGE).toMatch(/missing <= \(transactionsOpenAtLoss \+ pollsInFlightAtLoss\) x maxItems/);
  });

  it('refuses bad values naming the flag', () => {
    expect(() => parseArgs(['--max-items', '10,x'])).toThrow('--max-items must be a positive integer, got "x"');
    expect(() => parseArgs(['--max-items', '10,'])).toThrow('--max-items must be a positive integer, got ""');
    expect(() => parseArgs(['--kills', '0'])).toThrow('--kills must be a positive integer, got "0"');
    expect(() => parseArgs(['--handler-ms', '-1'])).toThrow('--handler-ms must be a non-negative integer, got "-1"');
    expect(() => parseArgs(['--rate'])).toThrow('--rate must be a positive integer, got undefined');
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
  });
});

describe('loss-per-kill figures', () => {
  it('gives mean and max missing per kill, and counts kills over the consumer bound', () => {
    expect(killStats([kill(0), kill(10), kill(5), kill(12, 1)], 10)).toEqual({ kills: 4, meanMissing: 6.75, maxMissing: 12, overBound: 1, duplicates: 0 });
    // An open transaction at the kill adds maxItems of room: what it captured and what the restarted broker deals it.
    expect(killStats([kill(12, 1, 1), kill(21, 1, 1), kill(10, 0, 1)], 10)).toMatchObject({ overBound: 1 });
    expect(killStats([], 10)).toEqual({ kills: 0, meanMissing: 0, maxMissing: 0, overBound: 0, duplicates: 0 });
  });

  it('renders a markdown row per setting', () => {
    const table = markdownTable(
      [
        { setting: { maxItems: 10, concurrency: 1 }, throughput: 1234.4, backlog: [kill(0), kill(10)], steady: [kill(4), kill(6)] },
        { setting: { maxItems: 1, concurrency: 4 }, throughput: 300, backlog: [kill(2, 1)], steady: [kill(1, 1)] },
      ],
      100,
    );
    expect(table.split('\n')).toEqual([
      '| maxItems | concurrency | msg/s without kills | missing per kill, backlog (mean / max) | missing per kill, steady 100/s (mean / max) | consumer\'s bound |',
      '|---:|---:|---:|---:|---:|---|',
      '| 10 | 1 | 1,234 | 5.0 / 10 | 5.0 / 6 | held |',
      '| 1 | 4 | 300 | 2.0 / 2 | 1.0 / 1 | **exceeded 1×** |',
    ]);
  });
});
