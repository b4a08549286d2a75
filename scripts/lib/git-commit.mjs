// The commit a build is made from, for dist/build-info.json and the single
// binary: 12 hex digits, `-dirty` when tracked files differ from it, and
// 'unknown' outside a git checkout (a source tarball, git not installed).
import { execFileSync } from 'node:child_process';

export function gitCommit(root) {
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}
