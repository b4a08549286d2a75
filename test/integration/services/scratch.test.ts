import { test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NativeProvider } from '../../../main/core/services/native/native-provider.js';
import { loadCredentials } from '../../../main/core/config/credentials.js';
test('x', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-svc-'));
  const creds = await loadCredentials(dir);
  const p = new NativeProvider({ dataDir: dir, credentials: creds });
  let t = Date.now();
  const e = await p.start('postgres'); console.log('pg', e.port, Date.now()-t, await p.status('postgres'));
  t = Date.now();
  const r = await p.start('redis'); console.log('redis', r.port, Date.now()-t, await p.status('redis'));
  t = Date.now();
  await p.stop('postgres'); await p.stop('redis'); console.log('stopped', Date.now()-t, await p.status('postgres'), await p.status('redis'));
}, 60000);
