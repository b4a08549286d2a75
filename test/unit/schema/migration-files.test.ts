import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import {
  defaultMigrationsDir,
  loadMigrations,
  migrationChecksum,
  parseMigrationFileName,
} from '../../../main/core/schema/migration-files.js';
import { rejection } from '../../support/rejection.js';

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nova-migrations-'));
  temporary.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('parseMigrationFileName', () => {
  it('reads the version and name', () => {
    expect(parseMigrationFileName('0001_nova_schema.sql')).toEqual({
      version: 1,
      name: 'nova_schema',
    });
    expect(parseMigrationFileName('0120_add-column.sql')).toEqual({
      version: 120,
      name: 'add-column',
    });
  });

  it('ignores files that are not SQL', () => {
    expect(parseMigrationFileName('README.md')).toBeUndefined();
  });

  it.each(['1_short.sql', '0001-dash.sql', '0001_.sql', 'schema.sql', '0001_has space.sql'])(
    'refuses the badly named SQL file %s',
    (file) => {
      expect(() => parseMigrationFileName(file)).toThrow(NovaError);
      try {
        parseMigrationFileName(file);
      } catch (err) {
        expect((err as NovaError).code).toBe('MIGRATION_FAILED');
        expect((err as NovaError).message).toContain(file);
      }
    },
  );
});

describe('migrationChecksum', () => {
  it('is the sha256 of the text', () => {
    expect(migrationChecksum('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('ignores CRLF line endings and a BOM but sees every other change', () => {
    const lf = 'CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n';
    expect(migrationChecksum(lf.replace(/\n/g, '\r\n'))).toBe(migrationChecksum(lf));
    expect(migrationChecksum(`\uFEFF${lf}`)).toBe(migrationChecksum(lf));
    expect(migrationChecksum(lf.replace('1', '2'))).not.toBe(migrationChecksum(lf));
    expect(migrationChecksum(`${lf} `)).not.toBe(migrationChecksum(lf));
  });
});

describe('loadMigrations', () => {
  it('returns the SQL files sorted by numeric version, skipping other files', async () => {
    const dir = dirWith({
      '0010_ten.sql': 'SELECT 10;',
      '0002_two.sql': 'SELECT 2;',
      '0001_one.sql': 'SELECT 1;',
      'README.md': 'notes',
    });
    mkdirSync(join(dir, 'nested.sql'));
    const files = await loadMigrations(dir);
    expect(files.map((f) => f.file)).toEqual(['0001_one.sql', '0002_two.sql', '0010_ten.sql']);
    expect(files[2]).toMatchObject({
      version: 10,
      name: 'ten',
      sql: 'SELECT 10;',
      path: join(dir, '0010_ten.sql'),
    });
    expect(files[0]!.checksum).toBe(migrationChecksum('SELECT 1;'));
  });

  it('refuses two files with the same version', async () => {
    const err = await rejection(loadMigrations(dirWith({ '0001_a.sql': '', '0001_c.sql': '' })));
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('0001_a.sql');
    expect(err.message).toContain('0001_c.sql');
  });

  it('refuses duplicate versions written with different zero padding', async () => {
    const err = await rejection(loadMigrations(dirWith({ '0002_a.sql': '', '00002_b.sql': '' })));
    expect(err.message).toContain('share version 2');
  });

  it('refuses a directory that does not exist, naming it', async () => {
    const err = await rejection(loadMigrations('/nonexistent/nova/sql'));
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('/nonexistent/nova/sql');
    expect(err.message).toContain('ENOENT');
  });
});

describe('defaultMigrationsDir', () => {
  it('points at the shipped SQL for each dialect, next to the runner module', () => {
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const dir = defaultMigrationsDir(dialect);
      expect(dir).toMatch(new RegExp(`main/core/schema/sql/${dialect}/?$`));
      expect(existsSync(join(dir, '0001_nova_schema.sql'))).toBe(true);
      expect(existsSync(join(dir, '0002_audit_outbox.sql'))).toBe(true);
    }
  });

  it('ships the same tables for both dialects', () => {
    const tables = (dialect: 'postgres' | 'sqlite') =>
      [
        ...readFileSync(
          join(defaultMigrationsDir(dialect), '0001_nova_schema.sql'),
          'utf8',
        ).matchAll(/CREATE TABLE (\w+)/g),
      ]
        .map((m) => m[1])
        .sort();
    expect(tables('postgres')).toHaveLength(16);
    expect(tables('sqlite')).toEqual(tables('postgres'));
  });
});
