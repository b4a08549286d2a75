/**
 * The layering table in eslint.config.js is live: ESLint, run through its
 * Node API with the repository's own configuration, rejects an upward import
 * (including the three back-edges that were removed: config → services,
 * schema → stores, services → stores), a dynamic `import()` upward, and a
 * file in a folder the table does not place; it accepts the imports the
 * table allows. The probe files are linted as text under a path inside the
 * tree; nothing is written to disk.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repo });
});

/** The layering messages ESLint reports for `code` placed at `file` (relative to the repository). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`probe did not parse: ${fatal[0]?.message}`);
  return result.messages.filter((m) => m.ruleId === 'nova/layers').map((m) => m.message);
}

describe('core layering rule (eslint.config.js)', () => {
  it('rejects config importing from services (a removed back-edge)', async () => {
    const errors = await layerErrors(
      'main/core/config/layer-probe.ts',
      "import type { ServiceName } from '../services/types.js';\nexport type Probe = ServiceName;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('main/core/config/layer-probe.ts (core/foundation)');
    expect(errors[0]).toContain('may not import main/core/services/types.ts (core/services)');
    expect(errors[0]).toContain('docs/ARCHITECTURE.md#layers');
  });

  it('rejects schema importing from stores (a removed back-edge)', async () => {
    const errors = await layerErrors(
      'main/core/schema/layer-probe.ts',
      "import type { DocumentStore } from '../stores/types.js';\nexport type Probe = DocumentStore;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('(core/schema) may not import main/core/stores/types.ts');
  });

  it('rejects services importing from stores (a removed back-edge), re-exports included', async () => {
    const errors = await layerErrors(
      'main/core/services/layer-probe.ts',
      "export { openBackends } from '../stores/open-backends.js';\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('(core/services) may not import main/core/stores/open-backends.ts');
  });

  it('rejects a dynamic import() upward', async () => {
    const errors = await layerErrors(
      'main/core/stores/layer-probe.ts',
      "export async function probe(): Promise<unknown> {\n  return import('../backup/run-backup.js');\n}\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('(core/stores) may not import main/core/backup/run-backup.ts');
  });

  it('keeps the store layer out of the legacy db above it', async () => {
    const errors = await layerErrors(
      'main/core/stores/layer-probe.ts',
      "import { translate } from './legacy/translate.js';\nexport const probe = translate;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(
      '(core/stores) may not import main/core/stores/legacy/translate.ts',
    );
  });

  it('rejects core importing the programs built on it', async () => {
    const errors = await layerErrors(
      'main/core/app/layer-probe.ts',
      "import { buildProgram } from '../../cli/program.js';\nexport const probe = buildProgram;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('(core/app) may not import main/cli/program.ts (cli)');
  });

  it('reports a file in a folder the table does not place', async () => {
    const errors = await layerErrors('main/core/unplaced-folder/probe.ts', 'export const a = 1;\n');
    expect(errors).toEqual([
      'main/core/unplaced-folder/probe.ts is in no layer of the table in eslint.config.js: add its folder to the table (docs/ARCHITECTURE.md#layers).',
    ]);
  });

  it('accepts the imports the table allows', async () => {
    const errors = await layerErrors(
      'main/core/migrate/layer-probe.ts',
      [
        "import { NovaError } from '../errors.js';",
        "import type { NovaConfig } from '../config/schema.js';",
        "import type { RelationalStore } from '../stores/types.js';",
        "import type { Plan } from './plan-schema.js';",
        'export type Probe = [NovaError, NovaConfig, RelationalStore, Plan];',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  });
});
