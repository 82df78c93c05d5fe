// Whether the process that left a data-directory lock still runs. `process.kill(pid, 0)` alone
// says yes for a zombie (a killed process its parent has not reaped yet), which would refuse a
// restart right after a kill, so on Linux the process state decides too.
import { readFileSync } from 'node:fs';

/**
 * The state letter of a process from `/proc/<pid>/stat` (`R`, `S`, `Z`, …), or undefined where
 * there is no procfs or the process is gone. The command name in parentheses may itself contain
 * spaces and parentheses, so the state is read after the last `)`.
 */
export function processState(pid: number, procRoot = '/proc'): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  return stat.slice(end + 1).trim().charAt(0) || undefined;
}

/** True while `pid` runs: it exists (or belongs to another user) and is not a zombie or dead (`Z`, `X`). */
export function isProcessAlive(pid: number, procRoot = '/proc'): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid, procRoot);
  return state !== 'Z' && state !== 'X';
}
