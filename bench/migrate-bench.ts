/**
 * `npm run bench:migrate` — the migration engine against two baselines, in
 * the same run, on the same generated legacy file (main/core/migrate/README.md;
 * benchmarks are scripts, docs/ARCHITECTURE.md#tests):
 *
 *   (a) `sqlite3 -csv | psql \copy` into pre-created tables (the Nova schema
 *       with its keys and indexes dropped), then building the same keys,
 *       indexes and foreign keys — the raw floor of moving the bytes;
 *   (b) pgloader (Debian package), when installed, with its defaults;
 *   (c) `nova-db migrate` (the built CLI): snapshot, plan, backup, convert,
 *       COPY, keys/indexes/sequences, verify, report.
 *
 * Prints wall seconds, rows/s, peak RSS and the ratios, and the engine's
 * peak RSS on a 10× smaller file to show memory does not grow with the
 * table size. Options: --logs N (default 1000000), --users N (50000),
 * --kiosks N (5000), --passkeys N (users / 10), --small N (100000; 0 skips
 * it), --no-pgloader, --no-raw (skip the raw pipeline), --keep.
 *
 * --dirty [--defect-rate R]: a second file, the same rows with defects
 * spread through every table at R (default 0.01, range 0.001–0.05; see
 * test/fixtures/legacy-db-defects.ts), and all three runs on both files,
 * printed side by side. The raw pipeline cannot load a dirty file (it has no
 * reject handling): on that file it runs with errors ignored, and the table
 * says how many of its steps failed.
 * The PostgreSQL server: NOVA_BENCH_POSTGRES_URL (an admin URL; default the
 * trust-auth server on 127.0.0.1:5432).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { novaLegacyPlan } from '../main/core/migrate/builtin-nova-plan.js';
import { inspect } from '../main/core/migrate/inspect.js';
import { resolvePlan } from '../main/core/migrate/resolve-plan.js';
import {
  DEFAULT_DEFECT_RATE,
  MAX_DEFECT_RATE,
  MIN_DEFECT_RATE,
  totalDefects,
} from '../test/fixtures/legacy-db-defects.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../test/fixtures/legacy-db-generator.js';

const ADMIN_URL =
  process.env.NOVA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = process.cwd();
const SCHEMA_FILE = join(ROOT, 'main/core/schema/sql/postgres/0001_nova_schema.sql');

interface Args {
  logs: number;
  users: number;
  kiosks: number;
  passkeys: number | null;
  small: number;
  pgloader: boolean;
  raw: boolean;
  keep: boolean;
  dirty: boolean;
  defectRate: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    logs: 1_000_000,
    users: 50_000,
    kiosks: 5_000,
    passkeys: null,
    small: 100_000,
    pgloader: true,
    raw: true,
    keep: false,
    dirty: false,
    defectRate: DEFAULT_DEFECT_RATE,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number, got ${argv[i]}`);
      return v;
    };
    if (a === '--logs') args.logs = num();
    else if (a === '--users') args.users = num();
    else if (a === '--kiosks') args.kiosks = num();
    else if (a === '--small') args.small = num();
    else if (a === '--passkeys') args.passkeys = num();
    else if (a === '--dirty') args.dirty = true;
    else if (a === '--defect-rate') {
      args.defectRate = num();
      args.dirty = true;
      if (args.defectRate < MIN_DEFECT_RATE || args.defectRate > MAX_DEFECT_RATE)
        throw new Error(
          `--defect-rate ${args.defectRate} is outside ${MIN_DEFECT_RATE}–${MAX_DEFECT_RATE} (0.1%–5% of rows)`,
        );
    } else if (a === '--no-pgloader') args.pgloader = false;
    else if (a === '--no-raw') args.raw = false;
    else if (a === '--keep') args.keep = true;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

interface Measured {
  seconds: number;
  /** Largest resident set of the process (or of the largest process of a pipeline), bytes. */
  peakRss: number;
  /** CPU seconds the whole machine spent meanwhile (this process, its children and the PostgreSQL server). */
  machineCpu: number | null;
  stdout: string;
  exitCode: number;
  /** The engine's progress lines (`migrate: load logs`) with the second each arrived: where the time goes. */
  timeline: { at: number; text: string }[];
}

/** User + nice + system CPU seconds of the machine so far (Linux), or null. */
function machineCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const ticks = Number(fields[1]) + Number(fields[2]) + Number(fields[3]);
    return ticks / 100;
  } catch {
    return null;
  }
}

/** Runs a command under GNU time for its wall time and peak RSS; throws with its stderr on failure. */
async function measure(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  /** Return a failed run's figures instead of throwing (pgloader on a dirty file). */
  allowFailure = false,
): Promise<Measured> {
  const timeFile = join(tmpdir(), `nova-bench-time-${process.pid}-${Date.now()}`);
  const haveTime = existsSync('/usr/bin/time');
  const cpuBefore = machineCpuSeconds();
  const started = process.hrtime.bigint();
  const child = haveTime
    ? spawn('/usr/bin/time', ['-o', timeFile, '-f', '%M', cmd, ...args], {
        env: { ...process.env, ...env },
      })
    : spawn(cmd, args, { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let polledPeak = 0;
  const poll = haveTime
    ? null
    : setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
          polledPeak = Math.max(polledPeak, kb * 1024);
        } catch {
          // exited
        }
      }, 50);
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const timeline: Measured['timeline'] = [];
  let partial = '';
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr = (stderr + text).slice(-8000);
    const at = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // The CLI's log lines: `<ISO time> info  migrate: load logs (1000000 rows)`.
      const step = /\sinfo\s+migrate: (.*)$/.exec(line)?.[1];
      if (step && timeline.length < 200) timeline.push({ at, text: step });
    }
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (poll) clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = machineCpuSeconds();
  const machineCpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  if (code !== 0 && !allowFailure)
    throw new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${stderr}`);
  let peakRss = polledPeak;
  if (haveTime) {
    peakRss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) * 1024;
    rmSync(timeFile, { force: true });
  }
  return { seconds, peakRss, machineCpu, stdout, exitCode: code, timeline };
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(name: string): Promise<string> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * (a) The Nova schema applied, its keys, indexes and foreign keys saved and
 * dropped, the seeds removed (untimed); then, timed: every plan table piped
 * from sqlite3 as CSV into psql \copy, and the saved keys, indexes and
 * foreign keys built again.
 */
async function copyBaseline(
  file: string,
  work: string,
  /** Go on past failing steps (a dirty file) and count them, instead of stopping at the first. */
  tolerant = false,
): Promise<Measured & { failedSteps: number }> {
  const url = await freshDatabase('nova_bench_copy');
  const post: string[] = [];
  await admin(async (c) => {
    await c.query(readFileSync(SCHEMA_FILE, 'utf8'));
    const cons = await c.query<{ tbl: string; name: string; def: string; type: string }>(
      `SELECT conrelid::regclass::text AS tbl, conname::text AS name, pg_get_constraintdef(oid) AS def, contype::text AS type
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f', 'c')`,
    );
    const idx = await c.query<{ name: string; def: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    );
    for (const k of cons.rows.filter((r) => r.type === 'f'))
      await c.query(`ALTER TABLE ${k.tbl} DROP CONSTRAINT "${k.name}"`);
    for (const k of cons.rows.filter((r) => r.type !== 'f'))
      await c.query(`ALTER TABLE ${k.tbl} DROP CONSTRAINT "${k.name}"`);
    for (const i of idx.rows) await c.query(`DROP INDEX ${i.name}`);
    const tables = await c.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'",
    );
    await c.query(`TRUNCATE ${tables.rows.map((r) => `"${r.t}"`).join(', ')}`);
    for (const k of cons.rows.filter((r) => r.type !== 'f'))
      post.push(`ALTER TABLE ${k.tbl} ADD CONSTRAINT "${k.name}" ${k.def};`);
    for (const i of idx.rows) post.push(`${i.def};`);
    for (const k of cons.rows.filter((r) => r.type === 'f'))
      post.push(`ALTER TABLE ${k.tbl} ADD CONSTRAINT "${k.name}" ${k.def};`);
  }, url);

  const resolved = resolvePlan(novaLegacyPlan, inspect(file));
  const steps = resolved.tables
    .filter((t) => t.origin === 'plan' && t.target.kind === 'postgres')
    .map((t) => {
      const select = `SELECT ${t.columns.map((c) => `"${c.source}"`).join(', ')} FROM "${t.source}"`;
      const target = t.target.kind === 'postgres' ? t.target.table : '';
      const copy = `\\copy "${target}" (${t.columns.map((c) => `"${c.target}"`).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
      const step = `sqlite3 -csv ${shellQuote(file)} ${shellQuote(select)} | psql -q -v ON_ERROR_STOP=1 ${shellQuote(url)} -c ${shellQuote(copy)}`;
      return tolerant ? `if ! ( ${step} ) 2>/dev/null; then failed=$((failed+1)); fi` : step;
    });
  const postFile = join(work, 'copy-post.sql');
  writeFileSync(postFile, post.join('\n'));
  const script = tolerant
    ? [
        'set -o pipefail',
        'failed=0',
        ...steps,
        // Each key, index and foreign key on its own: count the ones the loaded data refuses.
        `errors=$(psql -q ${shellQuote(url)} -f ${shellQuote(postFile)} 2>&1 | grep -c ERROR || true)`,
        'echo "failed=$((failed+errors))"',
      ].join('\n')
    : [
        'set -eo pipefail',
        ...steps,
        `psql -q -v ON_ERROR_STOP=1 ${shellQuote(url)} -f ${shellQuote(postFile)}`,
      ].join('\n');
  const m = await measure('bash', ['-c', script], { PGTZ: 'UTC' });
  const failedSteps = Number(/failed=(\d+)/.exec(m.stdout)?.[1] ?? 0);
  return { ...m, failedSteps };
}

/** pgloader with its defaults; also how many rows it loaded (it skips rows and tables it cannot load). */
async function pgloaderRun(file: string): Promise<Measured & { loaded: number }> {
  const url = await freshDatabase('nova_bench_pgloader');
  const target = url.replace(/^postgres:/, 'postgresql:');
  const m = await measure('pgloader', ['--quiet', `sqlite://${file}`, target], {}, true);
  const loaded = await admin(async (c) => {
    const tables = await c.query<{ t: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    let n = 0;
    for (const { t } of tables.rows)
      n += Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n);
    return n;
  }, url);
  return { ...m, loaded };
}

async function engineRun(file: string, work: string, name: string): Promise<EngineMeasured> {
  const url = await freshDatabase(name);
  const m = await measure('node', [
    join(ROOT, 'bin/nova-db.js'),
    '--data-dir',
    join(work, `data-${name}`),
    '--json',
    'migrate',
    '--source',
    file,
    '--postgres-url',
    url,
    '--report',
    join(work, `job-${name}`),
  ]);
  const report = JSON.parse(m.stdout) as {
    ok: boolean;
    tables: Record<string, { migrated: number; duplicates: number; rejected: number }>;
  };
  const sum = (k: 'migrated' | 'duplicates' | 'rejected'): number =>
    Object.values(report.tables).reduce((a, t) => a + t[k], 0);
  return {
    ...m,
    ok: report.ok,
    migrated: sum('migrated'),
    duplicates: sum('duplicates'),
    rejected: sum('rejected'),
  };
}

interface EngineMeasured extends Measured {
  ok: boolean;
  migrated: number;
  duplicates: number;
  rejected: number;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface FileRuns {
  label: string;
  gen: GeneratedLegacyDb;
  rows: number;
  copy: (Measured & { failedSteps: number }) | null;
  loader: (Measured & { loaded: number }) | null;
  engine: EngineMeasured;
}

/** (a), (b), (c) on one file. */
async function runAll(
  args: Args,
  label: string,
  gen: GeneratedLegacyDb,
  work: string,
  dirty: boolean,
): Promise<FileRuns> {
  const rows = Object.values(gen.rowCounts).reduce((a, b) => a + b, 0);
  if (args.raw) console.log(`[${label}] (a) sqlite3 -csv | psql \\copy + keys and indexes…`);
  const copy = args.raw ? await copyBaseline(gen.file, work, dirty) : null;
  let loader: FileRuns['loader'] = null;
  if (args.pgloader && existsSync('/usr/bin/pgloader')) {
    console.log(`[${label}] (b) pgloader…`);
    loader = await pgloaderRun(gen.file);
  }
  console.log(`[${label}] (c) nova-db migrate…`);
  const engine = await engineRun(
    gen.file,
    work,
    dirty ? 'nova_bench_engine_dirty' : 'nova_bench_engine',
  );
  return { label, gen, rows, copy, loader, engine };
}

const secs = (m: Measured): string => `${m.seconds.toFixed(2)} s`;
const rate = (m: Measured, n: number): string =>
  `${Math.round(n / m.seconds).toLocaleString('en-US')} rows/s`;
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

function printTable(runs: FileRuns[], small: EngineMeasured | null, smallRows: number): void {
  const col = 30;
  const cell = (s: string): string => s.padStart(col);
  const row = (name: string, cells: string[]): void =>
    console.log(`${name.padEnd(34)}${cells.map(cell).join('')}`);
  console.log(
    `\nResults (wall time; peak RSS of the largest process; CPU seconds of the whole machine — ${cpus().length} cores):`,
  );
  row(
    '',
    runs.map((r) => r.label),
  );
  row(
    'rows in the file',
    runs.map((r) => r.rows.toLocaleString('en-US')),
  );
  row(
    'defects injected',
    runs.map((r) => (r.gen.defects ? totalDefects(r.gen.defects).toLocaleString('en-US') : '0')),
  );
  row(
    '(a) sqlite3 | psql \\copy + keys',
    runs.map((r) =>
      r.copy
        ? `${secs(r.copy)}${r.copy.failedSteps > 0 ? ` (${r.copy.failedSteps} steps failed)` : ''}`
        : '-',
    ),
  );
  row(
    '    peak RSS',
    runs.map((r) => (r.copy ? mb(r.copy.peakRss) : '-')),
  );
  if (runs.some((r) => r.loader)) {
    row(
      '(b) pgloader',
      runs.map((r) => (r.loader ? secs(r.loader) : '-')),
    );
    row(
      '    peak RSS',
      runs.map((r) => (r.loader ? mb(r.loader.peakRss) : '-')),
    );
    row(
      '    rows it loaded (exit code)',
      runs.map((r) => (r.loader ? `${r.loader.loaded} (${r.loader.exitCode})` : '-')),
    );
  }
  row(
    '(c) nova-db migrate',
    runs.map((r) => `${secs(r.engine)}${r.engine.ok ? '' : ' (NOT OK)'}`),
  );
  row(
    '    rows/s',
    runs.map((r) => rate(r.engine, r.rows)),
  );
  row(
    '    peak RSS',
    runs.map((r) => mb(r.engine.peakRss)),
  );
  row(
    '    machine CPU',
    runs.map((r) => (r.engine.machineCpu === null ? '-' : `${r.engine.machineCpu.toFixed(1)} s`)),
  );
  row(
    '    migrated / merged / rejected',
    runs.map((r) => `${r.engine.migrated} / ${r.engine.duplicates} / ${r.engine.rejected}`),
  );
  if (small)
    console.log(
      `\n    nova-db migrate, ${smallRows} rows (clean): ${secs(small)}, ${mb(small.peakRss)}`,
    );

  for (const r of runs) {
    // Each step runs until the next one shows up (two tables load at once: their starts interleave).
    const steps = r.engine.timeline.map((t, i, all) => {
      const next = all[i + 1]?.at ?? r.engine.seconds;
      return `${t.text} @${t.at.toFixed(1)}s (+${(next - t.at).toFixed(1)})`;
    });
    console.log(`\nnova-db migrate, ${r.label}, where the time goes:\n  ${steps.join('\n  ')}`);
  }

  const [clean, dirty] = runs;
  console.log('\nAcceptance:');
  if (clean!.copy) {
    const vsCopy = clean!.engine.seconds / clean!.copy.seconds;
    console.log(
      `clean: engine / raw pipeline      ${vsCopy.toFixed(2)}× (target ≤ 1.5×) ${verdict(vsCopy <= 1.5)}`,
    );
  }
  if (dirty) {
    const vsClean = dirty.engine.seconds / clean!.engine.seconds;
    console.log(
      `dirty / clean engine time         ${vsClean.toFixed(2)}× (target ≤ 1.3×) ${verdict(vsClean <= 1.3)}`,
    );
  }
  for (const r of runs) {
    if (r.loader) {
      const f = r.loader.seconds / r.engine.seconds;
      console.log(
        `${r.label}: pgloader / engine time   ${f.toFixed(2)}× (target > 1×) ${verdict(f > 1)}`.replace(
          /^(\S+:)\s*/,
          (m) => m.padEnd(7),
        ),
      );
    }
  }
  for (const r of runs) {
    const ok = r.engine.peakRss <= 250 * 1024 * 1024;
    console.log(
      `${r.label}: engine peak RSS ${mb(r.engine.peakRss)} (target ≤ 250 MB) ${verdict(ok)}`,
    );
  }
  for (const r of runs)
    console.log(`${r.label}: exact accounting and verification: ${r.engine.ok ? 'ok' : 'NOT OK'}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/main/cli/index.js')))
    throw new Error('run npm run build first (npm run bench:migrate does)');
  const work = mkdtempSync(join(tmpdir(), 'nova-migrate-bench-'));
  const shape = {
    users: args.users,
    logs: args.logs,
    kiosks: args.kiosks,
    passkeys: args.passkeys ?? Math.floor(args.users / 10),
    seed: 7,
  };
  try {
    console.log(
      `Generating legacy files in ${work}: ${args.logs} logs, ${args.users} users, ${shape.passkeys} passkeys, ${args.kiosks} kiosks${
        args.dirty ? `, clean and with defects at ${(args.defectRate * 100).toFixed(1)}%` : ''
      }…`,
    );
    const files: [string, GeneratedLegacyDb, boolean][] = [
      ['clean', generateLegacyDatabase(join(work, 'clean.sqlite'), shape), false],
    ];
    if (args.dirty)
      files.push([
        `dirty ${(args.defectRate * 100).toFixed(1)}%`,
        generateLegacyDatabase(join(work, 'dirty.sqlite'), {
          ...shape,
          defectRate: args.defectRate,
        }),
        true,
      ]);
    const runs: FileRuns[] = [];
    for (const [label, gen, dirty] of files) runs.push(await runAll(args, label, gen, work, dirty));
    let small: EngineMeasured | null = null;
    let smallRows = 0;
    if (args.small > 0) {
      const gen = generateLegacyDatabase(join(work, 'small.sqlite'), {
        ...shape,
        logs: args.small,
      });
      smallRows = Object.values(gen.rowCounts).reduce((a, b) => a + b, 0);
      console.log('(c) nova-db migrate on the small file…');
      small = await engineRun(gen.file, work, 'nova_bench_engine_small');
    }
    printTable(runs, small, smallRows);
  } finally {
    if (!args.keep) {
      rmSync(work, { recursive: true, force: true });
      for (const db of [
        'nova_bench_copy',
        'nova_bench_pgloader',
        'nova_bench_engine',
        'nova_bench_engine_dirty',
        'nova_bench_engine_small',
      ])
        await dropDatabase(db);
    } else {
      console.log(`kept ${work} and the nova_bench_* databases`);
    }
  }
}

await main();
