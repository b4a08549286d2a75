/**
 * Pointing the embedded profile at an existing legacy log.sqlite opens it as
 * it is: the DatabaseFactory adds nothing to the file (no schema migrations,
 * no audit outbox, no document tables); those live in the companion file
 * `<name>.nova.sqlite` next to it, and the modern API still works.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../../../main/core/config/load-config.js';
import { DatabaseFactory } from '../../../../main/core/stores/database-factory.js';
import { makeLegacyFile } from './backends.js';

const dir = mkdtempSync(join(tmpdir(), 'nova-embedded-legacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  } finally {
    db.close();
  }
}

it('the factory opens a legacy file without adding the product schema to it', async () => {
  const file = makeLegacyFile(dir);
  const before = tables(file);
  const { config } = await loadConfig({
    env: { NOVA_PROFILE: 'embedded', SQLITE_FILE: file, NOVA_DATA_DIR: dir },
    cwd: dir,
  });
  const factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
  await factory.initialize();
  try {
    // Legacy names, as the file has them.
    const { rows } = await factory.query<{ passwordHash: string }>(
      'SELECT passwordHash FROM users WHERE id = $1',
      [1],
    );
    expect(rows[0]?.passwordHash).toMatch(/^\$2a\$/);
    await factory.createAuditLog('login', 1, { via: 'legacy file' });
    const audit = await factory.findDocuments('audit_logs', { action: 'login' });
    expect(audit).toHaveLength(1);
  } finally {
    await factory.close();
  }
  expect(tables(file)).toEqual(before);
  const companion = join(dir, 'log.nova.sqlite');
  expect(existsSync(companion)).toBe(true);
  expect(tables(companion)).toEqual(
    expect.arrayContaining(['nova_schema_migrations', 'nova_audit_outbox']),
  );
});
