// How a broker's process ends: never after the process that started it (however that one ends),
// never holding it open, and never hanging stop() or kill(). Against the stand-in broker
// (test/fixtures/fake-broker.cjs), which reports its pid in its Ping.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startKubemq } from '../../src/start-kubemq.js';
import { ping } from '../../src/internal/ping.js';
import type { KubemqBroker } from '../../src/types.js';

const FIXTURES = join(__dirname, '..', 'fixtures');
const FAKE = join(FIXTURES, 'fake-broker.cjs');
const WRAPPER = join(FIXTURES, 'wrapper-broker.sh');
const SRC = join(__dirname, '..', '..', 'src');
const SAVED = { ...process.env };

async function brokerPid(broker: KubemqBroker): Promise<number> {
  return (JSON.parse((await ping({ address: broker.address })).version) as { pid: number }).pid;
}

/** Whether `pid` runs (a zombie, killed but not yet reaped by whoever inherited it, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

/** Waits until `check()` holds, or `ms` pass; returns whether it held. */
async function within(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await delay(25);
  }
  return true;
}

beforeEach(() => {
  for (const key of ['KUBEMQ_ADDRESS', 'KUBEMQ_BINARY', 'KUBEMQ_TESTCONTAINERS', 'KUBEMQ_EMULATOR_BIN', 'FAKE_MODE']) delete process.env[key];
});
afterAll(() => {
  process.env = SAVED;
});

describe('a broker never outlives the process that started it', () => {
  // A process of its own that starts a broker from these sources, prints the broker's pid and
  // temp dir, and then returns (leaving the broker running) or stays until it is signalled.
  const parentScript = `
    const { startKubemq } = require(${JSON.stringify(join(SRC, 'start-kubemq.ts'))});
    const { ping } = require(${JSON.stringify(join(SRC, 'internal', 'ping.ts'))});
    (async () => {
      const broker = await startKubemq();
      const { pid } = JSON.parse((await ping({ address: broker.address })).version);
      const existed = require('node:fs').existsSync(broker.workDir);
      process.stdout.write(JSON.stringify({ pid, workDir: broker.workDir, existed }) + '\\n');
      if (process.env.STAY === '1') setInterval(() => {}, 1000);
    })();`;

  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  async function startParent(stay: boolean) {
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', parentScript], {
      env: { ...process.env, KUBEMQ_EMULATOR_BIN: FAKE, TMPDIR: tmp, STAY: stay ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | string | null>((resolve) => parent.once('exit', (code, signal) => resolve(signal ?? code)));
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0] as string);
      });
      parent.once('exit', () => reject(new Error(`the parent exited before starting its broker: ${text}`)));
    });
    // (checked by the parent: one that returns may be gone, with its broker, by the time we look)
    const { pid, workDir, existed } = JSON.parse(line) as { pid: number; workDir: string; existed: boolean };
    expect(existed).toBe(true);
    if (stay) expect(alive(pid)).toBe(true);
    return { parent, exited, pid, workDir };
  }

  it('a broker nobody stopped neither keeps its parent running nor outlives it', async () => {
    const { exited, pid, workDir } = await startParent(false);
    // Before: the child's handle and pipes kept Node (and jest) waiting for ever.
    await expect(Promise.race([exited, delay(10_000, 'still running')])).resolves.toBe(0);
    expect(await within(5000, () => !alive(pid))).toBe(true);
    expect(await within(5000, () => !existsSync(workDir))).toBe(true);
  }, 30_000);

  it.each(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s sent to the parent alone takes the broker and its temp dir with it', async (signal) => {
    const { parent, exited, pid, workDir } = await startParent(true);
    parent.kill(signal);
    await expect(exited).resolves.toBe(signal);
    expect(await within(5000, () => !alive(pid))).toBe(true);
    expect(await within(5000, () => !existsSync(workDir))).toBe(true);
  }, 30_000);
});

describe("under jest's fake timers", () => {
  it('a broker starts, restarts and stops (only Node’s own timers are used)', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    jest.useFakeTimers();
    try {
      const broker = await startKubemq({ startTimeoutMs: 5000 });
      await broker.restart();
      await broker.kill();
      await broker[Symbol.asyncDispose]();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('a broker behind a wrapper script that does not exec it (KUBEMQ_BINARY)', () => {
  it('kill() and stop() end the whole process group, and return', async () => {
    process.env['KUBEMQ_BINARY'] = WRAPPER;
    await using broker = await startKubemq({ startTimeoutMs: 10_000 });
    const first = await brokerPid(broker);
    await broker.kill();
    expect(alive(first)).toBe(false);
    await broker.restart();
    const second = await brokerPid(broker);
    await broker.stop();
    expect(alive(second)).toBe(false);
  });
});

describe('crash reports', () => {
  it('a death already under way when stop() comes is still a crash', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const broker = await startKubemq();
      process.kill(await brokerPid(broker), 'SIGKILL');
      // Nothing has seen that exit yet: dispose's stop() sends its SIGTERM to a process already dead.
      await broker[Symbol.asyncDispose]();
      expect((broker as unknown as { crashReports: string[] }).crashReports).toEqual([expect.stringMatching(/died unexpectedly \(code null, signal SIGKILL\)/)]);
    } finally {
      spy.mockRestore();
    }
  });

  it('an exit that stop() or kill() asked for is not', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    const broker = await startKubemq();
    await broker.stop();
    await broker.restart();
    await broker.kill();
    await broker[Symbol.asyncDispose]();
    expect((broker as unknown as { crashReports: string[] }).crashReports).toEqual([]);
  });
});
