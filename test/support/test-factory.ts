/**
 * A DatabaseFactory for one test: a temporary data directory, the embedded
 * profile for every service the settings do not name, no maintenance timer.
 * `close()` closes the factory and removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type NovaConfigInput } from '../../main/core/config/schema.js';
import { DatabaseFactory } from '../../main/core/stores/database-factory.js';

export async function openTestFactory(
  settings: Partial<NovaConfigInput>,
): Promise<{ factory: DatabaseFactory; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-factory-'));
  const factory = new DatabaseFactory(
    configSchema.parse({ NOVA_DATA_DIR: dir, NOVA_PROFILE: 'embedded', ...settings }),
    { maintenanceIntervalMs: 0 },
  );
  const close = async (): Promise<void> => {
    await factory.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await factory.initialize();
  } catch (err) {
    await close();
    throw err;
  }
  return { factory, close };
}
