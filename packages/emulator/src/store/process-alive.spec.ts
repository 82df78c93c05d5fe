import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStore } from './file-store.js';
import { isProcessAlive, processState } from './process-alive.js';

const onLinux = process.platform === 'linux' ? it : it.skip;

/** Resolves once the child has exited and been reaped. */
function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('close', () => resolve()));
}

/**
 * A zombie: `sh` starts a short `sleep` in the background, prints its pid and replaces itself
 * with a long `sleep` that never reaps it, so once the short one ends it stays a zombie until
 * its parent ends. Resolves with the zombie's pid and the parent (ours to kill).
 */
async function zombie(): Promise<{ pid: number; parent: ChildProcess }> {
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    parent.once('error', reject);
  });
  const deadline = Date.now() + 10_000;
  while (processState(pid) !== 'Z') {
    if (Date.now() > deadline) throw new Error(`process ${pid} never became a zombie (state ${String(processState(pid))})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { pid, parent };
}

describe('processState', () => {
  it('reads the state after the last parenthesis, whatever the command name holds', () => {
    const root = mkdtempSync(join(tmpdir(), 'proc-'));
    try {
      mkdirSync(join(root, '42'));
      writeFileSync(join(root, '42', 'stat'), '42 (odd) name) R (x) Z 1 42 42 0 -1');
      expect(processState(42, root)).toBe('Z');
      expect(processState(43, root)).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('isProcessAlive', () => {
  it('is true for a running process and false once it has exited', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '']);
    await exited(child);
    expect(isProcessAlive(child.pid as number)).toBe(false);
  });

  onLinux('is false for a zombie, although kill(pid, 0) still succeeds for it', async () => {
    const { pid, parent } = await zombie();
    try {
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
      await exited(parent);
    }
  });
});

describe('fileStore lock left by a killed process', () => {
  onLinux('is taken over while the killed owner is still a zombie (a restart right after a kill)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-zombie-'));
    const { pid, parent } = await zombie();
    try {
      writeFileSync(join(dir, '.lock'), String(pid));
      const store = fileStore(dir);
      await store.close();
    } finally {
      parent.kill('SIGKILL');
      await exited(parent);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
