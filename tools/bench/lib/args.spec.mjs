import { BenchArgsError, DEFAULT_MAX_ROUNDS, DEFAULT_ROUNDS, parseArgs, USAGE } from './args.mjs';

const clients = ['sdk', 'raw', 'kubemq-js'];

describe('bench command line', () => {
  it('runs everything by default: 5 to 12 rounds per scenario, all clients', () => {
    const a = parseArgs([], clients);
    expect(a).toMatchObject({ help: false, renderOnly: false, quick: false, minRounds: DEFAULT_ROUNDS, maxRounds: DEFAULT_MAX_ROUNDS, scenarios: [], clients: [], warmBroker: true });
  });

  it('takes --rounds as the minimum; the maximum is at least as large', () => {
    expect(parseArgs(['--rounds', '3'], clients)).toMatchObject({ minRounds: 3, maxRounds: 12 });
    expect(parseArgs(['--rounds', '15'], clients)).toMatchObject({ minRounds: 15, maxRounds: 15 });
    expect(parseArgs(['--rounds', '2', '--max-rounds', '4'], clients)).toMatchObject({ minRounds: 2, maxRounds: 4 });
  });

  it('a quick run is one round unless told otherwise', () => {
    expect(parseArgs(['--quick'], clients)).toMatchObject({ quick: true, minRounds: 1, maxRounds: 1 });
  });

  it('--render alone only renders; with other options it renders after the run', () => {
    expect(parseArgs(['--render'], clients)).toMatchObject({ renderOnly: true, render: true });
    expect(parseArgs(['--rounds', '3', '--render'], clients)).toMatchObject({ renderOnly: false, render: true, minRounds: 3 });
  });

  it('reads scenario and client lists', () => {
    const a = parseArgs(['--scenario', 'queries-c1,commands-c1', '--clients', 'sdk,raw'], clients);
    expect(a.scenarios.map((s) => s.name)).toEqual(['queries-c1', 'commands-c1']);
    expect(a.clients).toEqual(['sdk', 'raw']);
  });

  it.each([
    [['--rounds', '0'], /--rounds must be a whole number/],
    [['--rounds', 'three'], /--rounds must be a whole number/],
    [['--max-rounds', '2.5'], /--max-rounds must be a whole number/],
    [['--rounds', '6', '--max-rounds', '4'], /--max-rounds 4 is below --rounds 6/],
    [['--rounds'], /--rounds needs a value/],
    [['--scenario', 'nope'], /--scenario: unknown scenario nope/],
    [['--clients', 'sdk,grpcurl'], /--clients: unknown grpcurl/],
    [['--round', '3'], /unknown option --round/],
  ])('refuses %j with a clear error', (argv, message) => {
    expect(() => parseArgs(argv, clients)).toThrow(BenchArgsError);
    expect(() => parseArgs(argv, clients)).toThrow(message);
  });

  it('has a usage text naming every option and the real-server run', () => {
    for (const option of ['--rounds', '--max-rounds', '--quick', '--scenario', '--clients', '--render', '--help', 'KUBEMQ_ADDRESS']) expect(USAGE).toContain(option);
  });
});
