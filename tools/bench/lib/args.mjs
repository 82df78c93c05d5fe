// The bench's command line. Every bad value is an error naming the flag, so a typo never turns
// into a different (and long) run.
import { scenarioByName } from '../scenarios.mjs';

export const USAGE = `usage: npm run bench -- [options]
This SDK vs raw grpc-js vs kubemq-js against one broker: the emulator in its own process, or the
server at KUBEMQ_ADDRESS (host:port). Build first: npx nx run-many -t build.

  (no options)            full run against the emulator: tools/bench/results/latest.json and docs/benchmarks.md
  --rounds N              at least N rounds per scenario (default 5; 1 with --quick)
  --max-rounds N          at most N rounds (default 12, or N of --rounds if larger): after the minimum, a
                          scenario runs more rounds until the spread of its ours/raw throughput ratio
                          across rounds is under 10%, or says that it was not
  --quick                 counts ÷ 5, 1 round: results/quick.json only (table on stdout)
  --scenario a,b          only these scenarios (partial run: results/partial.json only)
  --clients sdk,raw       only these clients (partial run)
  --startup / --bundle    also measure startup / bundle sizes in a partial run
  --v8-defaults           client processes without --initial-heap-size=64
  --no-broker-warm-up     skip the unmeasured raw run that warms the broker before each scenario
  --render                alone: rewrite docs/benchmarks.md from results/latest.json (+ real-server.json) and
                          findings.md, without measuring. With a full run against KUBEMQ_ADDRESS: also
                          rewrite docs/benchmarks.md, its "Against a real server" section from that run
  --help                  this text

A full run against KUBEMQ_ADDRESS writes results/real-server.json (latest.json stays the emulator's run):
  KUBEMQ_ADDRESS=host:50000 npm run bench -- --rounds 3 --render`;

/** A command line the bench refuses; the message names the flag. */
export class BenchArgsError extends Error {
  name = 'BenchArgsError';
}

export const DEFAULT_ROUNDS = 5;
export const DEFAULT_MAX_ROUNDS = 12;

const FLAGS = new Set(['--help', '-h', '--quick', '--render', '--startup', '--bundle', '--v8-defaults', '--no-broker-warm-up']);
const VALUED = new Set(['--rounds', '--max-rounds', '--scenario', '--clients']);

/**
 * @param {string[]} argv the arguments after the script
 * @param {readonly string[]} knownClients
 */
export function parseArgs(argv, knownClients) {
  const flags = new Set();
  const values = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (FLAGS.has(a)) {
      flags.add(a === '-h' ? '--help' : a);
    } else if (VALUED.has(a)) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new BenchArgsError(`${a} needs a value`);
      values.set(a, [...(values.get(a) ?? []), ...v.split(',').filter((x) => x !== '')]);
      i++;
    } else {
      throw new BenchArgsError(`unknown option ${a}`);
    }
  }
  const quick = flags.has('--quick');
  const count = (name, fallback) => {
    const given = values.get(name);
    if (given === undefined) return fallback;
    const n = Number(given.at(-1));
    if (!Number.isInteger(n) || n < 1) throw new BenchArgsError(`${name} must be a whole number ≥ 1, got ${given.at(-1)}`);
    return n;
  };
  const minRounds = count('--rounds', quick ? 1 : DEFAULT_ROUNDS);
  // A quick run is one look, not a measurement: it stops at its minimum unless told otherwise.
  const maxRounds = count('--max-rounds', quick ? minRounds : Math.max(DEFAULT_MAX_ROUNDS, minRounds));
  if (maxRounds < minRounds) throw new BenchArgsError(`--max-rounds ${maxRounds} is below --rounds ${minRounds}`);
  let scenarios;
  try {
    scenarios = (values.get('--scenario') ?? []).map(scenarioByName);
  } catch (err) {
    throw new BenchArgsError(`--scenario: ${err.message}`);
  }
  const clients = values.get('--clients') ?? [];
  const unknown = clients.filter((c) => !knownClients.includes(c));
  if (unknown.length > 0) throw new BenchArgsError(`--clients: unknown ${unknown.join(', ')}; known: ${knownClients.join(', ')}`);
  return {
    help: flags.has('--help'),
    // --render on its own re-renders; next to any other option it renders after that run.
    renderOnly: flags.has('--render') && argv.length === 1,
    render: flags.has('--render'),
    quick,
    minRounds,
    maxRounds,
    scenarios,
    clients,
    startup: flags.has('--startup'),
    bundle: flags.has('--bundle'),
    v8Defaults: flags.has('--v8-defaults'),
    warmBroker: !flags.has('--no-broker-warm-up'),
  };
}
