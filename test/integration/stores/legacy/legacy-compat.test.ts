/**
 * The acceptance check of the legacy `db`: the corpus (corpus.ts) runs on the
 * real node-sqlite3 driver over a generated legacy file, and through the
 * product's legacy `db` on (1) a copy of that file opened as it is, (2)
 * PostgreSQL after a real `nova-db migrate` of it, (3) the product's own
 * embedded schema. Every step must give what node-sqlite3 gave — error
 * code, errno and message; rows with their keys, value types and values;
 * `this.changes` and, after INSERTs, `this.lastID` — except the differences
 * docs/upgrading-nova-api.md lists, which are declared per step.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type sqlite3 from 'sqlite3';
import type { LegacyDatabase } from '../../../../main/core/stores/legacy-db.js';
import type { ScratchDatabase } from '../../../support/postgres.js';
import {
  asDbLike,
  closeLegacy,
  closeOracle,
  copyOf,
  makeLegacyFile,
  migratedPostgres,
  openConfigured,
  openOracle,
  productSchemaCopy,
} from './backends.js';
import { canonical, normalize } from './compare.js';
import { CORPUS } from './corpus.js';
import type { Backend, Outcome } from './steps.js';

let dir: string;
let legacyFile: string;
let oracle: Outcome[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-legacy-compat-'));
  legacyFile = makeLegacyFile(dir);
  const db: sqlite3.Database = await openOracle(copyOf(legacyFile, dir, 'oracle.sqlite'));
  oracle = [];
  for (const step of CORPUS) oracle.push(await step.run(asDbLike(db)));
  await closeOracle(db);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  matched: number;
  documented: string[];
  mismatches: { id: string; sql: string; expected: unknown; actual: unknown }[];
}

async function runCorpus(backend: Backend, db: LegacyDatabase): Promise<Report> {
  const report: Report = { matched: 0, documented: [], mismatches: [] };
  for (const [n, step] of CORPUS.entries()) {
    const actual = normalize(step, await step.run(asDbLike(db)));
    const expected = normalize(step, oracle[n]!);
    const same = canonical(actual) === canonical(expected);
    if (same) report.matched++;
    else if (step.differs?.[backend])
      report.documented.push(`${step.id}: ${step.differs[backend]}`);
    else report.mismatches.push({ id: step.id, sql: step.sql, expected, actual });
  }
  // LEGACY_COMPAT_DUMP=dir writes every mismatch in full, for debugging.
  if (process.env.LEGACY_COMPAT_DUMP) {
    writeFileSync(
      join(process.env.LEGACY_COMPAT_DUMP, `legacy-compat-${backend}.json`),
      JSON.stringify(report.mismatches, null, 1),
    );
  }
  console.log(
    `legacy compat [${backend}]: ${report.matched} of ${CORPUS.length} statements match node-sqlite3; ` +
      `${report.documented.length} documented differences${report.documented.length ? ` (${report.documented.join('; ')})` : ''}`,
  );
  return report;
}

function expectNoMismatch(report: Report): void {
  // Deep-equal failure output shows the first differing step in full.
  expect(report.mismatches.slice(0, 1)).toEqual([]);
  expect(report.mismatches.map((m) => m.id)).toEqual([]);
}

describe('the legacy db matches node-sqlite3 on the corpus', () => {
  it('embedded, the legacy file opened as it is', async () => {
    const file = copyOf(legacyFile, dir, 'embedded-legacy.sqlite');
    const db = openConfigured(dir, { NOVA_PROFILE: 'embedded', SQLITE_FILE: file });
    try {
      expectNoMismatch(await runCorpus('legacy-file', db));
    } finally {
      await closeLegacy(db);
    }
  });

  it('embedded, the product’s own schema holding the same rows', async () => {
    const file = join(dir, 'product.sqlite');
    await productSchemaCopy(legacyFile, file);
    const db = openConfigured(dir, { NOVA_PROFILE: 'embedded', SQLITE_FILE: file });
    try {
      expectNoMismatch(await runCorpus('product-schema', db));
    } finally {
      await closeLegacy(db);
    }
  });

  describe('PostgreSQL after nova-db migrate', () => {
    let scratch: ScratchDatabase | undefined;
    afterAll(async () => {
      await scratch?.drop();
    });

    it('matches', async () => {
      scratch = await migratedPostgres(legacyFile, dir);
      const db = openConfigured(dir, {
        NOVA_POSTGRES_PROFILE: 'external',
        POSTGRES_URL: scratch.url,
      });
      try {
        expectNoMismatch(await runCorpus('postgres', db));
        // A table another client created after the legacy db read the catalog is found.
        const other = new pg.Client({ connectionString: scratch.url });
        await other.connect();
        try {
          await other.query(
            "CREATE TABLE later_table (id integer, label text); INSERT INTO later_table VALUES (1, 'made elsewhere')",
          );
        } finally {
          await other.end();
        }
        const later = await new Promise<unknown>((resolve) =>
          db.all('SELECT id, label FROM later_table', (err: Error | null, rows: unknown) =>
            resolve(err ?? rows),
          ),
        );
        expect(later).toEqual([{ id: 1, label: 'made elsewhere' }]);
      } finally {
        await closeLegacy(db);
      }
    }, 90_000);
  });
});
