/**
 * The same contract suites as the embedded profile, on real servers:
 * PostgreSQL + MongoDB + Redis (external profile).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../../main/core/config/schema.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';
import { runFactoryContract, type ContractTarget } from '../../conformance/factory-contract.js';
import { runLegacyContract } from '../../conformance/legacy-contract.js';
import { startMongo } from '../../support/mongo-server.js';
import { createScratchDatabase } from '../../support/postgres.js';
import { startRedis } from '../../support/redis-server.js';

async function openServers(): Promise<ContractTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-contract-'));
  const pg = await createScratchDatabase('nova_contract');
  const mongo = await startMongo();
  const redis = await startRedis();
  const config = configSchema.parse({
    NOVA_DATA_DIR: dir,
    NOVA_PROFILE: 'external',
    POSTGRES_URL: pg.url,
    MONGODB_URL: mongo.url,
    MONGODB_DB: `contract_${process.pid}_${Date.now()}`,
    REDIS_URL: redis.url,
  });
  const factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
  await factory.initialize();
  return {
    factory,
    backends: ['postgres', 'mongodb', 'redis'],
    cleanup: async () => {
      await redis.stop();
      await mongo.stop();
      await pg.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runFactoryContract('PostgreSQL + MongoDB + Redis', openServers);
runLegacyContract('PostgreSQL', openServers);
