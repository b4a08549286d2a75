/**
 * Getting a PostgreSQL target ready for a migration job: the Nova schema
 * when the plan loads into tables it does not create, the job-state tables,
 * and the guard against two jobs mixing in one database (another unfinished
 * job, or this source already migrated here).
 */
import { NovaError } from '../../errors.js';
import { migrateSchema } from '../../schema/migration-runner.js';
import { PostgresStore } from '../../stores/postgres/postgres-store.js';
import type { SourcePlan } from './job-setup.js';
import type { LocalJobRecord } from './local-job-state.js';
import { pgQuery } from './pg-query.js';
import { ensureJobTables, insertJob, listJobs, setJobStatus } from './pg-job-state.js';
import type { MigrationPg } from './pg-session.js';

/** Target schema, job tables, and the checks that keep two jobs from mixing in one database. */
export async function preparePgJob(
  pg: MigrationPg,
  url: string,
  sp: SourcePlan,
  job: LocalJobRecord,
  jobDir: string,
  resumed: boolean,
): Promise<void> {
  // The Nova schema, when the plan loads into tables it does not create (the built-in plan does).
  const needsSchema = sp.resolved.tables.some(
    (t) => t.target.kind === 'postgres' && !t.target.create,
  );
  if (needsSchema) {
    const store = new PostgresStore({ url, statementTimeoutMs: 0, poolMax: 1 });
    try {
      await migrateSchema(store);
    } finally {
      await store.close();
    }
  }
  await pgQuery(pg, async (c) => {
    await ensureJobTables(c);
    const others = (await listJobs(c)).filter((j) => j.id !== job.id);
    const open = others.find((j) => j.status !== 'completed');
    if (open) {
      throw new NovaError(
        'MIGRATION_FAILED',
        `Another migration (of ${open.sourceFile}, started ${open.startedAt.toISOString()}) is unfinished in this database.`,
        {
          fix: `Finish it first: nova-db migrate --source ${open.sourceFile} --report ${open.jobDir} --resume — or migrate into a fresh database.`,
        },
      );
    }
    const same = others.find((j) => j.sourceFile === job.sourceFile);
    if (same && !resumed) {
      throw new NovaError(
        'MIGRATION_FAILED',
        `${job.sourceFile} was already migrated into this database (job ${same.id}, report in ${same.jobDir}).`,
        {
          fix: 'Migrate into a fresh database to start over; to fix rejected rows use nova-db migrate --apply-rejects.',
        },
      );
    }
    await insertJob(c, {
      id: job.id,
      sourceFile: job.sourceFile,
      jobDir,
      planName: job.planName,
      planHash: job.planHash,
    });
    await setJobStatus(c, job.id, 'running');
  });
}
