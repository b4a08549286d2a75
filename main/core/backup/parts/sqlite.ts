/** The SQLite part: the database file, copied consistently and gzipped (sqlite-part.ts). */
import {
  backupSqlite,
  stageSqliteRestore,
  trialRestoreSqlite,
  type SqliteTarget,
} from './sqlite-part.js';
import type { BackupPart } from './backup-part.js';

export const sqlitePart: BackupPart<SqliteTarget> = {
  service: 'sqlite',
  backup: (target, dir, job) => backupSqlite(target, dir, job),
  stageRestore: (target, from, job) =>
    stageSqliteRestore(from.backupPath, from.part, target, from.where, job),
  // A file restores into the scratch folder: no server needed.
  trialRestore: async (_server, from, job) => {
    await trialRestoreSqlite(from.backupPath, from.part, from.workDir, from.where, job);
    return null;
  },
};
