/** Runs the BUILT `nova-db` bin as a real process (what users and scripts run). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = path.join(repo, 'bin', 'nova-db.js');

/** dist/ is built once per run by test/support/global-setup.ts; this only checks it is there. */
export function buildCli(): void {
  if (!existsSync(path.join(repo, 'dist', 'main', 'cli', 'index.js')))
    throw new Error(
      'dist/ is missing: run the suite through vitest (its global setup builds) or npm test',
    );
}

/** The environment minus any Nova settings of the machine running the tests, so runs are hermetic. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(NOVA_|POSTGRES_|MONGODB_|REDIS_|SQLITE_|DOCKER_)/.test(k)) env[k] = v;
  }
  return { ...env, NOVA_PROFILE: 'embedded', ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nova-db args…` to completion (cwd: a temp dir, so no stray .env is read). */
export function runNova(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nova-db ${args.join(' ')} did not exit in time; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    // 'close', not 'exit': all output has been read by then.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** stderr as lines, without the trailing empty one. */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l !== '');
}
