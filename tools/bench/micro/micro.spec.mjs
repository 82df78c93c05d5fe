// Every micro-benchmark still runs: they reach into internal modules, so a moved file or a renamed
// export breaks them without breaking anything else. Each runs briefly (a few rounds) and must exit
// 0 and print its figure.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchDir } from '../lib/paths.mjs';

const run = promisify(execFile);

const BRIEF = {
  'consumer-path': { args: ['20'], prints: /µs CPU per message/ },
  'encode-writer': { args: ['200'], prints: /ns CPU per encode/ },
  'requester-path': { args: ['20'], prints: /µs CPU per request/ },
  'responder-path': { args: ['20'], prints: /µs CPU per request/ },
  'stream-consumer': { args: ['20'], prints: /sdk .* µs CPU per message/ },
  'telemetry-overhead': { args: [], prints: /CPU per operation/ },
};

describe('micro-benchmarks', () => {
  test('every one that reaches into the sources is run here', () => {
    const dir = join(benchDir, 'micro');
    const internal = readdirSync(dir)
      .filter((file) => file.endsWith('.bench.mjs') && readFileSync(join(dir, file), 'utf8').includes('importSources('))
      .map((file) => file.replace(/\.bench\.mjs$/, ''));
    expect(internal.sort()).toEqual(Object.keys(BRIEF).sort());
  });

  test.each(Object.entries(BRIEF))('%s runs', async (name, { args, prints }) => {
    const { stdout } = await run(process.execPath, [join(benchDir, 'micro', `${name}.bench.mjs`), ...args], { timeout: 60_000 });
    expect(stdout).toMatch(prints);
  }, 90_000);
});
