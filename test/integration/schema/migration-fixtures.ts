/**
 * Helpers for migration-runner tests: a writable copy of a dialect's shipped
 * migrations (so a test can edit or add files without touching the real ones).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMigrationsDir } from '../../../main/core/schema/migration-files.js';
import type { SqlDialect } from '../../../main/core/stores/types.js';

export interface MigrationsCopy {
  dir: string;
  write(file: string, sql: string): void;
  remove(): void;
}

export function copyMigrations(dialect: SqlDialect): MigrationsCopy {
  const dir = mkdtempSync(join(tmpdir(), `nova-${dialect}-migrations-`));
  cpSync(defaultMigrationsDir(dialect), dir, { recursive: true });
  return {
    dir,
    write: (file, sql) => writeFileSync(join(dir, file), sql),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The 16 tables of the target schema (docs/schema.md). */
export const NOVA_TABLES = [
  'admin_pins',
  'assets',
  'config',
  'directory_integrations',
  'feedback',
  'kiosk_activations',
  'kiosks',
  'logs',
  'notifications',
  'passkeys',
  'permissions',
  'role_permissions',
  'roles',
  'sso_configurations',
  'user_roles',
  'users',
];

/** Index names of the target schema (docs/schema.md; users(email) is the unique one, named like the legacy index). */
export const NOVA_INDEXES = [
  'idx_users_email',
  'idx_users_is_default',
  'idx_passkeys_user_id',
  'idx_passkeys_credential_id',
  'idx_logs_timestamp',
  'idx_logs_ticket_id',
  'idx_kiosks_active',
  'idx_notifications_active',
  'idx_assets_type',
  'idx_kiosk_activations_expires_at',
  'idx_nova_audit_outbox_pending',
];
