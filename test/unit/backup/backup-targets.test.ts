/** What a backup covers for each profile, and where it goes. */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../main/core/config/schema.js';
import {
  backupTargetsFromConfig,
  resolveBackupDir,
  retentionPolicyFromConfig,
} from '../../../main/core/backup/backup-targets.js';

const parse = (v: Record<string, unknown>) => configSchema.parse({ NOVA_DATA_DIR: '/data', ...v });

describe('backup targets from the configuration', () => {
  it('covers the SQLite file on the embedded profile (documents live in it)', () => {
    expect(backupTargetsFromConfig(parse({}))).toEqual({ sqlite: { file: '/data/nova.sqlite' } });
  });

  it('covers PostgreSQL and MongoDB on server profiles, with their TLS settings', () => {
    const t = backupTargetsFromConfig(
      parse({
        NOVA_PROFILE: 'external',
        POSTGRES_URL: 'postgres://u:p@db/nova',
        MONGODB_URL: 'mongodb://m/nova',
        REDIS_URL: 'redis://r',
        POSTGRES_SSL: 'require',
        MONGODB_DB: 'novadb',
      }),
    );
    expect(t.sqlite).toBeUndefined();
    expect(t.postgres).toEqual({ url: 'postgres://u:p@db/nova', ssl: 'require' });
    expect(t.mongo).toMatchObject({ url: 'mongodb://m/nova', dbName: 'novadb', tls: false });
  });

  it('covers PostgreSQL alone when documents are its JSONB tables (native profile without mongod)', () => {
    const t = backupTargetsFromConfig(
      parse({
        NOVA_PROFILE: 'native',
        NOVA_MONGO_PROFILE: 'embedded',
        POSTGRES_URL: 'postgres://u@h/n',
      }),
    );
    expect(Object.keys(t)).toEqual(['postgres']);
  });

  it('uses endpoints of started services, and names the missing variable otherwise', () => {
    const cfg = parse({ NOVA_PROFILE: 'native' });
    expect(
      backupTargetsFromConfig(cfg, {
        postgres: 'postgres://u@127.0.0.1:5999/nova',
        mongo: 'mongodb://127.0.0.1:27999',
      }).postgres?.url,
    ).toBe('postgres://u@127.0.0.1:5999/nova');
    expect(() => backupTargetsFromConfig(cfg)).toThrow(
      /POSTGRES_URL: PostgreSQL uses the native profile/,
    );
  });

  it('puts backups in <data dir>/backups unless NOVA_BACKUP_DIR says otherwise', () => {
    expect(resolveBackupDir(parse({}))).toBe('/data/backups');
    expect(resolveBackupDir(parse({ NOVA_BACKUP_DIR: 'snapshots' }))).toBe('/data/snapshots');
    expect(resolveBackupDir(parse({ NOVA_BACKUP_DIR: '/mnt/nas/nova' }))).toBe('/mnt/nas/nova');
    expect(retentionPolicyFromConfig(parse({ NOVA_BACKUP_KEEP_LAST: '2' }))).toEqual({
      keepLast: 2,
      keepDaily: 7,
      keepWeekly: 4,
    });
  });
});
