/**
 * `nova-db service install|uninstall` against a scratch folder (--target-dir)
 * instead of /etc/systemd/system, with systemd's own `systemd-analyze verify`
 * as the judge of the unit it writes; a unit someone else wrote, a still
 * enabled service and folders that do not exist are refused.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UNIT_MARKER } from '../../../main/cli/actions/service.js';
import { runCliCaptured } from '../../support/run-cli-captured.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const template = readFileSync(path.join(repo, 'resources', 'nova-db.service'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'nova-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return runCliCaptured(args, { env: { NOVA_LOG_LEVEL: 'warn' }, cwd: dir });
}

function targetDir(name: string): string {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** systemd's verdict on a unit file: exit status and everything it printed. */
function verify(unit: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('nova-db service install', () => {
  it('writes the hardened unit with ExecStart running this nova-db, and systemd accepts it', async () => {
    const target = targetDir('plain');
    const r = await cli(['service', 'install', '--target-dir', target]);
    expect(r.code, r.stderr).toBe(0);
    const unit = path.join(target, 'nova-db.service');
    const text = readFileSync(unit, 'utf8');
    const execStart = `ExecStart=${process.execPath} ${path.join(repo, 'bin', 'nova-db.js')} serve`;
    expect(text).toBe(`${UNIT_MARKER}\n${template.replace(/^ExecStart=.*$/m, execStart)}`);
    for (const hardening of [
      'DynamicUser=yes',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'StateDirectory=nova-db',
    ])
      expect(text).toMatch(new RegExp(`^${hardening}$`, 'm'));
    expect(verify(unit)).toEqual({ status: 0, output: '' });
    expect(r.stderr).toContain('systemctl daemon-reload && systemctl enable --now nova-db');
  });

  it('quotes a binary path with spaces, % and $ so systemd runs exactly that file (systemd-analyze checks the program exists)', async () => {
    const binDir = path.join(dir, 'odd path 100% $HOME');
    mkdirSync(binDir, { recursive: true });
    const binary = path.join(binDir, 'nova-db');
    copyFileSync(process.execPath, binary);
    chmodSync(binary, 0o755);
    const target = targetDir('quoted');
    const r = await cli(['service', 'install', '--target-dir', target, '--binary', binary]);
    expect(r.code, r.stderr).toBe(0);
    const unit = path.join(target, 'nova-db.service');
    expect(readFileSync(unit, 'utf8')).toContain(`ExecStart="${binary.replace('%', '%%')}" serve`);
    // systemd checks that the ExecStart program exists and is executable: the quoting held.
    expect(verify(unit)).toEqual({ status: 0, output: '' });
  });

  it('--dry-run prints the unit and writes nothing', async () => {
    const target = targetDir('dry');
    const r = await cli(['service', 'install', '--target-dir', target, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith(UNIT_MARKER)).toBe(true);
    expect(r.stdout).toContain('ProtectSystem=strict');
    expect(existsSync(path.join(target, 'nova-db.service'))).toBe(false);
  });

  it('leaves a nova-db.service it did not write alone unless --force, and replaces its own', async () => {
    const target = targetDir('foreign');
    const unit = path.join(target, 'nova-db.service');
    writeFileSync(unit, '[Service]\nExecStart=/bin/true\n');
    const refused = await cli(['service', 'install', '--target-dir', target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `nova-db: ${unit} exists and was not written by nova-db; leaving it as it is.\nfix: Pass --force to replace it, or remove it yourself first.\n`,
    );
    expect(readFileSync(unit, 'utf8')).toBe('[Service]\nExecStart=/bin/true\n');

    const forced = await cli(['--json', 'service', 'install', '--target-dir', target, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ unit, action: 'replaced' });
    const again = await cli(['--json', 'service', 'install', '--target-dir', target]);
    expect(JSON.parse(again.stdout)).toEqual({ unit, action: 'replaced' });
    expect(readFileSync(unit, 'utf8').startsWith(UNIT_MARKER)).toBe(true);
  });

  it('refuses a target folder that does not exist and a relative --binary', async () => {
    const missing = path.join(dir, 'no-such-dir');
    const r = await cli(['service', 'install', '--target-dir', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Cannot write ${path.join(missing, 'nova-db.service')}: its folder does not exist.`,
    );
    const rel = await cli([
      'service',
      'install',
      '--target-dir',
      targetDir('rel'),
      '--binary',
      'nova-db',
    ]);
    expect(rel.code).toBe(1);
    expect(rel.stderr).toContain('--binary nova-db is not an absolute path to an existing file.');
  });
});

describe('nova-db service uninstall', () => {
  it('refuses while the service is enabled, then removes its unit, then has nothing to do', async () => {
    const target = targetDir('uninstall');
    expect((await cli(['service', 'install', '--target-dir', target])).code).toBe(0);
    const unit = path.join(target, 'nova-db.service');
    const wants = path.join(target, 'multi-user.target.wants');
    mkdirSync(wants);
    symlinkSync(unit, path.join(wants, 'nova-db.service'));

    const enabled = await cli(['service', 'uninstall', '--target-dir', target]);
    expect(enabled.code).toBe(1);
    expect(enabled.stderr).toContain('nova-db.service is still enabled');
    expect(enabled.stderr).toContain('fix: Run systemctl disable --now nova-db first');
    expect(existsSync(unit)).toBe(true);

    rmSync(path.join(wants, 'nova-db.service'));
    const dry = await cli(['service', 'uninstall', '--target-dir', target, '--dry-run']);
    expect(dry.stderr).toBe(`Would remove ${unit}.\n`);
    expect(existsSync(unit)).toBe(true);
    const removed = await cli(['--json', 'service', 'uninstall', '--target-dir', target]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ unit, action: 'removed' });
    expect(existsSync(unit)).toBe(false);
    const nothing = await cli(['service', 'uninstall', '--target-dir', target]);
    expect(nothing).toMatchObject({
      code: 0,
      stderr: `Nothing to remove: ${unit} does not exist.\n`,
    });
  });

  it('does not remove a unit nova-db did not write', async () => {
    const target = targetDir('uninstall-foreign');
    const unit = path.join(target, 'nova-db.service');
    writeFileSync(unit, '[Service]\nExecStart=/bin/true\n');
    const r = await cli(['service', 'uninstall', '--target-dir', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was not written by nova-db; leaving it as it is.');
    expect(existsSync(unit)).toBe(true);
  });
});

describe('resources/nova-db.service', () => {
  it('is the template systemd accepts as it ships (ExecStart aside, which must exist to verify)', () => {
    const unit = path.join(targetDir('template'), 'nova-db.service');
    writeFileSync(unit, template.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
    expect(verify(unit)).toEqual({ status: 0, output: '' });
    // systemd's own exposure score for the sandbox: "OK" (below 2.0 of 10) or better.
    const security = execFileSync('systemd-analyze', ['security', '--offline=yes', unit], {
      encoding: 'utf8',
    });
    const score = Number(
      /Overall exposure level for nova-db\.service: ([\d.]+)/.exec(security)?.[1],
    );
    expect(score).toBeLessThan(2);
  });
});
