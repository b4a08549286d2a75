/**
 * The contract suites on a site that runs PostgreSQL but neither MongoDB nor
 * Redis: documents in PostgreSQL JSONB, the in-process cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../../main/core/config/schema.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';
import { runFactoryContract, type ContractTarget } from '../../conformance/factory-contract.js';
import { runLegacyContract } from '../../conformance/legacy-contract.js';
import { createScratchDatabase } from '../../support/postgres.js';

async function openPostgresOnly(): Promise<ContractTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-contract-'));
  const pg = await createScratchDatabase('nova_pgonly');
  const config = configSchema.parse({
    NOVA_DATA_DIR: dir,
    NOVA_PROFILE: 'embedded',
    NOVA_POSTGRES_PROFILE: 'external',
    POSTGRES_URL: pg.url,
  });
  const factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
  await factory.initialize();
  return {
    factory,
    backends: ['postgres', 'postgres-jsonb', 'memory'],
    cleanup: async () => {
      await pg.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runFactoryContract('PostgreSQL only (JSONB documents, in-process cache)', openPostgresOnly);
runLegacyContract('PostgreSQL only', openPostgresOnly);
