/**
 * The release workflow (.github/workflows/release.yml) cannot run here; this
 * keeps it consistent with what it drives: a desktop job per operating
 * system, the npm scripts it calls exist, the files it uploads are the ones
 * electron-builder.yml and scripts/package-server.mjs produce, and a release
 * is only published from a version tag after every build succeeded.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(repo, file), 'utf8');

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  needs?: string[];
  if?: string;
  strategy?: { matrix: { os: string[] } };
  steps: Step[];
}

const workflow = yaml.load(read('.github/workflows/release.yml')) as {
  on: { push: { tags: string[] } };
  jobs: Record<string, Job>;
};
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const builder = yaml.load(read('electron-builder.yml')) as { directories: { output: string } };
const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run] : []));
const uploads = (job: Job) =>
  job.steps
    .filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
    .flatMap((s) => String(s.with?.path).trim().split('\n'));

describe('release workflow', () => {
  it('runs on version tags', () => {
    expect(workflow.on.push.tags).toEqual(['v*']);
  });

  it('builds the desktop installers on Linux, Windows and macOS runners', () => {
    const desktop = workflow.jobs.desktop!;
    const oses = desktop.strategy!.matrix.os;
    expect(oses.some((os) => os.startsWith('ubuntu'))).toBe(true);
    expect(oses.some((os) => os.startsWith('windows'))).toBe(true);
    expect(oses.some((os) => os.startsWith('macos'))).toBe(true);
    expect(runs(desktop)).toEqual(['npm ci --no-audit --no-fund', 'npm run package:desktop']);
  });

  it('uploads what electron-builder writes: AppImage, deb, exe, dmg from its output folder', () => {
    const paths = uploads(workflow.jobs.desktop!);
    expect(paths.map((p) => path.posix.dirname(p))).toEqual(
      Array(4).fill(builder.directories.output),
    );
    expect(paths.map((p) => path.posix.extname(p)).sort()).toEqual(
      ['.AppImage', '.deb', '.dmg', '.exe'].sort(),
    );
  });

  it('builds the server binary on Linux with Node.js 20 and uploads the tarball', () => {
    const server = workflow.jobs.server!;
    expect(server['runs-on']).toMatch(/^ubuntu-/);
    const node = server.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(node?.with?.['node-version']).toBe(20);
    expect(runs(server)).toContain('npm run package:server');
    expect(uploads(server)).toEqual(['release/nova-db-*-linux-x64.tar.gz']);
  });

  it('calls only npm scripts that exist', () => {
    const called = Object.values(workflow.jobs)
      .flatMap(runs)
      .flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(called.length).toBeGreaterThan(1);
    for (const name of called) expect(scripts, name).toHaveProperty(name);
  });

  it('publishes only from a tag, after every build job', () => {
    const publish = workflow.jobs.publish!;
    expect(publish.needs?.sort()).toEqual(['desktop', 'server']);
    expect(publish.if).toBe("startsWith(github.ref, 'refs/tags/v')");
  });
});
