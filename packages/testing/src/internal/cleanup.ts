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

/** Starts the watchdog if none runs; it must never keep this process alive. */
function send(op: '+pid' | '-pid' | '+dir' | '-dir', value: number | string): void {
  if (watchdog === undefined) {
    if (op === '-pid' || op === '-dir') return;
    const env = { ...process.env };
    delete env['NODE_OPTIONS']; // no loaders or inspector for a process that runs a few lines
    try {
      watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
        stdio: ['pipe', 'ignore', 'ignore'],
        // Its own process group and session: a signal sent to ours (a Ctrl-C, `timeout`, a CI
        // runner stopping the job) must leave it to clean up after us.
        detached: true,
        env,
        windowsHide: true,
      });
    } catch {
      return; // the 'exit' handler still covers a normal exit
    }
    watchdog.on('error', () => undefined);
    watchdog.stdin?.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${JSON.stringify([op, value])}\n`);
  if (children.size === 0 && dirs.size === 0) {
    // Nothing left to watch: let it go (a later broker starts a new one).
    watchdog.stdin?.end();
    watchdog = undefined;
  }
}

/** Kills `child`'s process group and removes nothing else when this process ends; forgets it on exit. */
export function trackChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  hook();
  const pid = child.pid;
  children.add(child);
  send('+pid', pid);
  child.once('exit', () => {
    children.delete(child);
    send('-pid', pid);
  });
}

/** Removes `dir` when this process ends, unless untracked first. */
export function trackDir(dir: string): void {
  hook();
  dirs.add(dir);
  send('+dir', dir);
}

export function untrackDir(dir: string): void {
  if (!dirs.delete(dir)) return;
  send('-dir', dir);
}
