/**
 * Small process facts the native servers need. Kept together because each
 * has a platform subtlety worth writing down once.
 */
import { open, readFile } from 'node:fs/promises';

/** True when a process with this pid exists (EPERM means it exists but is not ours — still alive). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Linux: a zombie (exited, not yet reaped by its parent) still answers
 * kill(pid, 0). Its /proc state is "Z"; treat that as gone.
 */
export async function isPidRunning(pid: number): Promise<boolean> {
  if (!isPidAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `pid` has exited; false when it is still running after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isPidRunning(pid))) return true;
    await sleep(50);
  }
  return !(await isPidRunning(pid));
}

/** The last `lines` lines of a text file; empty when it does not exist. Reads at most the last 64 KiB. */
export async function readTail(file: string, lines: number): Promise<string[]> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, size - length);
      return buf
        .toString('utf8')
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '')
        .slice(-lines);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}
