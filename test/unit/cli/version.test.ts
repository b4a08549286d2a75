/**
 * `nova-db --version`: the package version and the commit the build came
 * from (dist/build-info.json, written by `npm run build`; the single binary
 * has both compiled in — see integration/packaging/server-binary).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';

const repo = path.resolve(import.meta.dirname, '../../..');

describe('nova-db --version', () => {
  it('prints the version and the commit of the build (one of this checkout)', async () => {
    let stdout = '';
    const code = await runCli(['--version'], { stdout: (s) => void (stdout += s) });
    expect(code).toBe(0);
    const { version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { commit } = JSON.parse(
      readFileSync(path.join(repo, 'dist', 'build-info.json'), 'utf8'),
    ) as { commit: string };
    // The commit of the last build: one of this checkout's, HEAD or before it.
    const hash = /^([0-9a-f]{12})(-dirty)?$/.exec(commit)?.[1];
    expect(hash, commit).toBeDefined();
    execFileSync('git', ['merge-base', '--is-ancestor', hash!, 'HEAD'], { cwd: repo });
    expect(stdout).toBe(`${version} (commit ${commit})\n`);
  });
});
