/** The MongoDB part: every collection as Extended JSON lines with its indexes (mongo-part.ts). */
import { backupMongo, stageMongoRestore, type MongoBackupTarget } from './mongo-part.js';
import { readPartLines } from '../part-files.js';
import type { BackupPart, PartInBackup } from './backup-part.js';
import type { PartJobOptions } from '../part-types.js';

function stage(target: MongoBackupTarget, from: PartInBackup, job: PartJobOptions) {
  return stageMongoRestore(
    target,
    readPartLines(from.backupPath, from.part, from.workDir, from.where, job),
    from.part,
    from.where,
    job,
  );
}

export const mongoPart: BackupPart<MongoBackupTarget> = {
  service: 'mongo',
  backup: (target, dir, job) => backupMongo(target, dir, job),
  stageRestore: (target, from, job) => stage(target, from, job),
  trialRestore: async (server, from, job) => {
    if (!server) return { skipped: 'no MongoDB server is configured to restore into' };
    const { withScratchMongo } = await import('../scratch-targets.js');
    // Staging compares every collection's checksum with the manifest before it builds indexes.
    await withScratchMongo(server, async (scratch) => {
      const staged = await stage(scratch, from, job);
      await staged.commit();
    });
    return null;
  },
};
