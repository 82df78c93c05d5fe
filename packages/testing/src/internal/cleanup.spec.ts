import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WATCHDOG_SOURCE, currentWatchdog, groupRuns, trackDir, untrackDir } from './cleanup.js';

/** A process that would run for a minute, in a group of its own (as brokers are started). */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

async function within(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await delay(20);
  }
  return true;
}

describe('the watchdog', () => {
  it('at the end of its input kills the process groups and removes the dirs it was told of, then exits', async () => {
    const group = sleeper();
    const dir = mkdtempSync(join(tmpdir(), 'watchdog-'));
    const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
    const exited = once(watchdog, 'exit');
    watchdog.stdin?.write(`${JSON.stringify(['+pid', group.pid])}\n${JSON.stringify(['+dir', dir])}\n`);
    await delay(300);
    expect(groupRuns(group.pid as number)).toBe(true);
    expect(existsSync(dir)).toBe(true);
    watchdog.stdin?.destroy(); // what the death of its parent does to the pipe
    await exited;
    expect(groupRuns(group.pid as number)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('forgets what it is told to forget', async () => {
    const group = sleeper();
    const dir = mkdtempSync(join(tmpdir(), 'watchdog-'));
    const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
    const exited = once(watchdog, 'exit');
    for (const line of [['+pid', group.pid], ['+dir', dir], ['-pid', group.pid], ['-dir', dir]]) watchdog.stdin?.write(`${JSON.stringify(line)}\n`);
    watchdog.stdin?.end();
    await exited;
    expect(groupRuns(group.pid as number)).toBe(true);
    expect(existsSync(dir)).toBe(true);
    process.kill(-(group.pid as number), 'SIGKILL');
  });
});

describe('tracking', () => {
  it('runs a watchdog only while something is tracked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracked-'));
    trackDir(dir);
    const watchdog = currentWatchdog();
    expect(watchdog).toBeDefined();
    const exited = once(watchdog as ChildProcess, 'exit');
    untrackDir(dir);
    expect(currentWatchdog()).toBeUndefined();
    await exited;
    expect(existsSync(dir)).toBe(true); // untracked: not removed
  });

  it('a watchdog that was killed is replaced, and told everything still tracked', async () => {
    const first = mkdtempSync(join(tmpdir(), 'tracked-'));
    trackDir(first);
    const killed = currentWatchdog() as ChildProcess;
    killed.kill('SIGKILL');
    await once(killed, 'exit');
    const second = mkdtempSync(join(tmpdir(), 'tracked-'));
    trackDir(second);
    const replacement = currentWatchdog() as ChildProcess;
    expect(replacement).not.toBe(killed);
    // As if this process died: the replacement removes both.
    const exited = once(replacement, 'exit');
    replacement.stdin?.destroy();
    await exited;
    expect(await within(2000, () => !existsSync(first) && !existsSync(second))).toBe(true);
    untrackDir(first);
    untrackDir(second);
  });
});
