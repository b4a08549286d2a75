/**
 * Runs one `nova-db` invocation in-process (the same entry as the bin) with
 * its output captured, for tests that check exit codes, stdout and stderr.
 * Signals never arrive: the shutdown hook's promise stays pending.
 */
import { runCli } from '../../main/cli/run.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(
  args: string[],
  options: { env: Record<string, string | undefined>; cwd: string },
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: options.env,
    cwd: options.cwd,
    onShutdown: () => ({ stopped: new Promise(() => undefined), dispose: () => undefined }),
  });
  return { code, stdout, stderr };
}
