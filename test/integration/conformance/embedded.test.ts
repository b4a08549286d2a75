import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../../main/core/config/schema.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';
import { runFactoryContract, type ContractTarget } from '../../conformance/factory-contract.js';
import { runLegacyContract } from '../../conformance/legacy-contract.js';

async function openEmbedded(): Promise<ContractTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-contract-'));
  const factory = new DatabaseFactory(configSchema.parse({ NOVA_DATA_DIR: dir }), {
    maintenanceIntervalMs: 0,
  });
  await factory.initialize();
  return {
    factory,
    backends: ['sqlite', 'sqlite-json', 'memory'],
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

runFactoryContract('embedded (SQLite + SQLite JSON + in-process cache)', openEmbedded);
runLegacyContract('embedded SQLite', openEmbedded);
