/**
 * `npm run bench:migrate` — the migration engine against two baselines, in
 * the same run, on the same generated legacy file (SPEC §5, DESIGN.md
 * "Benchmarks are scripts"):
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
 * --kiosks N (5000), --small N (100000), --no-pgloader, --keep.
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
import { generateLegacyDatabase } from '../test/fixtures/legacy-db-generator.js';

const ADMIN_URL =
  process.env.NOVA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = process.cwd();
const SCHEMA_FILE = join(ROOT, 'main/core/schema/sql/postgres/0001_nova_schema.sql');

interface Args {
  logs: number;
  users: number;
  kiosks: number;
  small: number;
  pgloader: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    logs: 1_000_000,
    users: 50_000,
    kiosks: 5_000,
    small: 100_000,
    pgloader: true,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => Number(argv[++i]);
    if (a === '--logs') args.logs = num();
    else if (a === '--users') args.users = num();
    else if (a === '--kiosks') args.kiosks = num();
    else if (a === '--small') args.small = num();
    else if (a === '--no-pgloader') args.pgloader = false;
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
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (poll) clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = machineCpuSeconds();
  const machineCpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${stderr}`);
  let peakRss = polledPeak;
  if (haveTime) {
    peakRss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) * 1024;
    rmSync(timeFile, { force: true });
  }
  return { seconds, peakRss, machineCpu, stdout };
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
async function copyBaseline(file: string, work: string): Promise<Measured> {
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
      return `sqlite3 -csv ${shellQuote(file)} ${shellQuote(select)} | psql -q -v ON_ERROR_STOP=1 ${shellQuote(url)} -c ${shellQuote(copy)}`;
    });
  const postFile = join(work, 'copy-post.sql');
  writeFileSync(postFile, post.join('\n'));
  const script = [
    'set -eo pipefail',
    ...steps,
    `psql -q -v ON_ERROR_STOP=1 ${shellQuote(url)} -f ${shellQuote(postFile)}`,
  ].join('\n');
  return measure('bash', ['-c', script], { PGTZ: 'UTC' });
}

async function pgloaderRun(file: string): Promise<Measured> {
  const url = await freshDatabase('nova_bench_pgloader');
  const target = url.replace(/^postgres:/, 'postgresql:');
  return measure('pgloader', ['--quiet', `sqlite://${file}`, target]);
}

async function engineRun(
  file: string,
  work: string,
  name: string,
): Promise<Measured & { ok: boolean }> {
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
  const report = JSON.parse(m.stdout) as { ok: boolean };
  return { ...m, ok: report.ok };
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/main/cli/index.js')))
    throw new Error('run npm run build first (npm run bench:migrate does)');
  const work = mkdtempSync(join(tmpdir(), 'nova-migrate-bench-'));
  try {
    console.log(
      `Generating legacy files in ${work}: ${args.logs} logs, ${args.users} users, ${args.kiosks} kiosks (and ${args.small} logs)…`,
    );
    const big = generateLegacyDatabase(join(work, 'big.sqlite'), {
      users: args.users,
      logs: args.logs,
      kiosks: args.kiosks,
      seed: 7,
    });
    const small = generateLegacyDatabase(join(work, 'small.sqlite'), {
      users: args.users,
      logs: args.small,
      kiosks: args.kiosks,
      seed: 7,
    });
    const rows = Object.values(big.rowCounts).reduce((a, b) => a + b, 0);
    const smallRows = Object.values(small.rowCounts).reduce((a, b) => a + b, 0);
    console.log(
      `  ${rows} rows in ${Object.keys(big.rowCounts).length} tables (small file: ${smallRows} rows)`,
    );

    console.log('(a) sqlite3 -csv | psql \\copy + keys and indexes…');
    const copy = await copyBaseline(big.file, work);
    let loader: Measured | null = null;
    if (args.pgloader && existsSync('/usr/bin/pgloader')) {
      console.log('(b) pgloader…');
      loader = await pgloaderRun(big.file);
    } else {
      console.log(
        '(b) pgloader: not installed (apt-get install pgloader) or --no-pgloader; skipped',
      );
    }
    console.log('(c) nova-db migrate…');
    const engine = await engineRun(big.file, work, 'nova_bench_engine');
    console.log('(c) nova-db migrate on the small file…');
    const engineSmall = await engineRun(small.file, work, 'nova_bench_engine_small');

    const line = (name: string, m: Measured, n: number): string =>
      `${name.padEnd(34)} ${m.seconds.toFixed(2).padStart(8)} s ${Math.round(n / m.seconds)
        .toLocaleString('en-US')
        .padStart(12)} rows/s ${mb(m.peakRss).padStart(9)} ${
        m.machineCpu === null ? '' : `${m.machineCpu.toFixed(1).padStart(6)} s CPU`
      }`;
    console.log(
      `\nResults (wall time, total rows / time, peak RSS of the largest process, CPU seconds of the whole machine — ${cpus().length} cores):`,
    );
    console.log(line('(a) sqlite3 | psql \\copy + keys', copy, rows));
    if (loader) console.log(line('(b) pgloader', loader, rows));
    console.log(line(`(c) nova-db migrate${engine.ok ? '' : ' (NOT OK)'}`, engine, rows));
    console.log(line(`    nova-db migrate, ${args.small} logs`, engineSmall, smallRows));
    const vsCopy = engine.seconds / copy.seconds;
    console.log(
      `\nengine / copy baseline time:  ${vsCopy.toFixed(2)}× (target ≤ 1.5×) ${vsCopy <= 1.5 ? 'met' : 'MISSED'}`,
    );
    if (loader) {
      const vsLoader = loader.seconds / engine.seconds;
      console.log(
        `pgloader / engine time:       ${vsLoader.toFixed(2)}× (target ≥ 3×) ${vsLoader >= 3 ? 'met' : 'MISSED'}`,
      );
    }
    const growth = (engine.peakRss - engineSmall.peakRss) / engineSmall.peakRss;
    console.log(
      `engine peak RSS:              ${mb(engine.peakRss)} (target < 250 MB) ${engine.peakRss < 250 * 1024 * 1024 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `engine RSS growth small→big:  ${(growth * 100).toFixed(1)}% (target < 20%) ${growth < 0.2 ? 'met' : 'MISSED'}`,
    );
  } finally {
    if (!args.keep) {
      rmSync(work, { recursive: true, force: true });
      for (const db of [
        'nova_bench_copy',
        'nova_bench_pgloader',
        'nova_bench_engine',
        'nova_bench_engine_small',
      ])
        await dropDatabase(db);
    } else {
      console.log(`kept ${work} and the nova_bench_* databases`);
    }
  }
}

await main();
