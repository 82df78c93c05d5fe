import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';

// No broker may outlive the process that started it, however that process ends. An 'exit'
// handler is not enough: jest gives each test file its own `process` (its 'exit' never fires
// here), force-exits workers, and nothing runs on SIGKILL or on a signal without a handler. So a
// small watchdog process holds a pipe from this one; when the pipe ends (this process exited, by
// any means) it SIGKILLs the brokers' process groups and removes their temp dirs. It has nothing
// to do, and exits, once nothing is tracked. The 'exit' handler stays for plain Node: it acts at
// once, before the watchdog notices.

/**
 * The watchdog, run with `node -e`: lines of JSON `[op, value]` on stdin (`+pid`/`-pid` a process
 * group, `+dir`/`-dir` a temp dir); at end of input it kills, waits for the groups to go (at most
 * 5 s), removes the dirs and exits. Terminal signals are ignored: a Ctrl-C that reaches it too
 * must not stop it before it has cleaned up.
 */
export const WATCHDOG_SOURCE = `
const { readFileSync, readdirSync, rmSync } = require('node:fs');
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(s, () => {});
const groups = new Set();
const dirs = new Set();
let buffered = '';
const kill = (pid, signal) => {
  if (process.platform !== 'win32') { try { process.kill(-pid, signal); } catch {} }
  try { process.kill(pid, signal); } catch {}
};
const alive = (pid) => {
  try { process.kill(process.platform === 'win32' ? pid : -pid, 0); } catch { return false; }
  if (process.platform !== 'linux') return true;
  // Zombies (killed, never reaped) do not count.
  try {
    return readdirSync('/proc').some((e) => {
      try {
        const stat = readFileSync('/proc/' + e + '/stat', 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return pgrp === String(pid) && state !== 'Z';
      } catch { return false; }
    });
  } catch { return true; }
};
let done = false;
const finish = () => {
  if (done) return;
  done = true;
  for (const pid of groups) kill(pid, 'SIGKILL');
  const deadline = Date.now() + 5000;
  const wait = () => {
    if ([...groups].some(alive) && Date.now() < deadline) return void setTimeout(wait, 20);
    for (const dir of dirs) { try { rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {} }
    process.exit(0);
  };
  wait();
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let at;
  while ((at = buffered.indexOf('\\n')) >= 0) {
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    let op, value;
    try { [op, value] = JSON.parse(line); } catch { continue; }
    if (op === '+pid') groups.add(value);
    else if (op === '-pid') groups.delete(value);
    else if (op === '+dir') dirs.add(value);
    else if (op === '-dir') dirs.delete(value);
  }
});
process.stdin.on('end', finish);
process.stdin.on('close', finish);
process.stdin.on('error', finish);
`;

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let watchdog: ChildProcess | undefined;
let hooked = false;

/** Signals a child's process group (a wrapper script's children too), or the child alone on Windows. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (process.platform !== 'win32') {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // no such group (already gone): try the process itself
    }
  }
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * Whether a process of the group `pgid` still runs. A killed process whose parent is gone stays a
 * zombie until something reaps it (some container inits never do); on Linux those do not count.
 */
export function groupRuns(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (pgrp === String(pgid) && state !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const child of children) signalGroup(child, 'SIGKILL');
    for (const dir of dirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit; the watchdog tries again
      }
    }
  });
}

/** A watchdog that holds our pipe; it must never keep this process alive. */
function startWatchdog(): ChildProcess | undefined {
  const env = { ...process.env };
  delete env['NODE_OPTIONS']; // no loaders or inspector for a process that runs a few lines
  let started: ChildProcess;
  try {
    started = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own process group and session: a signal sent to ours (a Ctrl-C, `timeout`, a CI
      // runner stopping the job) must leave it to clean up after us.
      detached: true,
      env,
      windowsHide: true,
    });
  } catch {
    return undefined; // the 'exit' handler still covers a normal exit
  }
  started.on('error', () => undefined);
  started.stdin?.on('error', () => undefined);
  // Killed by someone: the next change starts another and tells it everything.
  started.once('exit', () => {
    if (watchdog === started) watchdog = undefined;
  });
  started.unref();
  (started.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return started;
}

type Op = ['+pid' | '-pid', number] | ['+dir' | '-dir', string];

/** Tells the watchdog about one change (starting one, told the whole state, if none runs). */
function update(op: Op): void {
  const empty = children.size === 0 && dirs.size === 0;
  let ops: Op[] = [op];
  if (watchdog === undefined) {
    if (empty) return;
    watchdog = startWatchdog();
    ops = [...[...children].map((c): Op => ['+pid', c.pid as number]), ...[...dirs].map((d): Op => ['+dir', d])];
  }
  for (const line of ops) watchdog?.stdin?.write(`${JSON.stringify(line)}\n`);
  if (empty) {
    // Nothing left to watch (it has just been told to forget the last one): let it go.
    watchdog?.stdin?.end();
    watchdog = undefined;
  }
}

/** Kills `child`'s process group when this process ends, unless it exited first. */
export function trackChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  hook();
  const pid = child.pid;
  children.add(child);
  update(['+pid', pid]);
  child.once('exit', () => {
    children.delete(child);
    update(['-pid', pid]);
  });
}

/** Removes `dir` when this process ends, unless untracked first. */
export function trackDir(dir: string): void {
  hook();
  dirs.add(dir);
  update(['+dir', dir]);
}

export function untrackDir(dir: string): void {
  if (!dirs.delete(dir)) return;
  update(['-dir', dir]);
}

/** The watchdog now running, if any (for tests). */
export function currentWatchdog(): ChildProcess | undefined {
  return watchdog;
}
