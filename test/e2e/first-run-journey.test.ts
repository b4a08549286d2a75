/**
 * The journey of issue 14 in Chromium against the real headless server and
 * a real PostgreSQL: first run → Setup from what detection found →
 * migration of a generated legacy file with rejects, fixed in the UI (a
 * one-click rule, an inline edit, a CSV download/upload) and applied again
 * → the first verified backup → a trial restore. Walked twice on one
 * server: at 1280×800 from the first run, then at 1024×600 from a Setup
 * revisit that moves PostgreSQL to another database while the wizard has a
 * plan for the old one (which holds the first walk's rows). Every screen is
 * screenshotted and checked with axe (serious/critical fail) and for words
 * that belong to the CLI or the code.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDatabase } from '../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.js';
import { axeSummary, expectAxeClean } from './support/axe.js';
import {
  CHROMIUM,
  launchChromium,
  screenshot,
  screenshotPath,
  watchPage,
} from './support/browser.js';
import { buildRenderer, startHeadlessApp, type HeadlessApp } from './support/headless-app.js';
import { technicalWords } from './support/screens.js';

describe('first run to a trial restore (issue 14 journey)', () => {
  let work: string;
  let app: HeadlessApp;
  let db1: ScratchDatabase;
  let db2: ScratchDatabase;
  let browser: Browser;
  let page: Page;
  let file1: string;
  let file2: string;
  const problems: string[] = [];
  let size = '1280x800';

  /** Screenshot, axe (serious/critical fail) and no CLI/code words, at the current size. */
  const look = async (name: string) => {
    // Let the screen settle (late panels such as the target check) before looking.
    await page.waitForLoadState('networkidle').catch(() => undefined);
    // What the window shows (the sticky action bar included), and the whole page.
    await page.screenshot({ path: screenshotPath(`journey-${size}-${name}-window`) });
    await screenshot(page, `journey-${size}-${name}`);
    await expectAxeClean(page, `journey ${name} ${size}`);
    expect(await technicalWords(page), `${name} at ${size}`).toEqual([]);
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`,
      );
    work = await mkdtemp(path.join(tmpdir(), 'nova-e2e-journey-'));
    const rendererDir = path.join(work, 'renderer');
    file1 = path.join(work, 'site-a', 'log.sqlite');
    file2 = path.join(work, 'site-b', 'log.sqlite');
    [db1, db2] = await Promise.all([
      createScratchDatabase('nova_e2e_journey_a'),
      createScratchDatabase('nova_e2e_journey_b'),
      buildRenderer(rendererDir),
    ]);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file1));
    mkdirSync(path.dirname(file2));
    // The quirky rows give every kind of reject: unparseable values, a duplicate e-mail, orphans.
    generateLegacyDatabase(file1, { users: 40, logs: 3000, quirks: true, seed: 7 });
    generateLegacyDatabase(file2, { users: 30, logs: 2000, quirks: true, seed: 9 });
    app = await startHeadlessApp({ rendererDir, healthIntervalMs: 2_000 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    watchPage(page, problems);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db1?.drop();
    await db2?.drop();
    await rm(work, { recursive: true, force: true });
    console.log(`axe per screen:\n${axeSummary().join('\n')}`);
  }, 120_000);

  it('1280×800: first run, Setup from detection, saved', async () => {
    await page.goto(app.server.loginUrl());
    await page.getByRole('heading', { level: 1, name: 'Setup' }).waitFor();
    const use = page.getByRole('button', { name: 'Use the PostgreSQL found on 127.0.0.1:5432' });
    await use.waitFor({ timeout: 30_000 });
    await look('01-setup-first-run');
    await use.click();
    const pg = page.locator('fieldset[data-service="postgres"]');
    expect(await pg.getByLabel(/^External server/).isChecked()).toBe(true);
    expect(await pg.getByLabel('Server', { exact: true }).inputValue()).toBe('127.0.0.1');
    expect(await pg.getByLabel('Password').getAttribute('type')).toBe('password');
    await pg.getByLabel('Database').fill(db1.name);
    await pg.getByRole('button', { name: 'Test PostgreSQL connection' }).click();
    await expect
      .poll(() => pg.locator('.test-result').textContent(), { timeout: 15_000 })
      .toContain('Works');
    await look('02-setup-from-detection');
    await page.getByRole('button', { name: 'Save and start services' }).click();
    await page.getByText('Setup saved. The services are running').waitFor({ timeout: 90_000 });
    await look('03-setup-saved');
    expect(app.runtime.layer.factory?.dialect).toBe('postgres');
  }, 180_000);

  it('1280×800: migration, rejects fixed in the UI and applied again, Done', async () => {
    await walkMigration(page, file1, look, { expectOccupied: false });
  }, 300_000);

  it('1280×800: the first verified backup, then a trial restore', async () => {
    await backupAndTrialRestore(page, look, app);
  }, 240_000);

  it('1024×600: Setup revisit moves PostgreSQL; the wizard drops its stale plan; the journey again', async () => {
    size = '1024x600';
    await page.setViewportSize({ width: 1024, height: 600 });
    // The wizard on the second file, up to the plan, while PostgreSQL is still the first database.
    await nav(page, 'Migration').click();
    await page.getByRole('button', { name: 'Start over with another file' }).click();
    await look('10-migration-pick');
    await pickAndInspect(page, file2);
    await look('11-migration-inspect');
    await page.getByRole('button', { name: 'Review the plan' }).click();
    await page.getByRole('heading', { name: 'Where everything goes' }).waitFor();
    // The first database holds the first walk's rows: the plan says so before any dry run.
    const occupied = page.locator('.target-panel [data-occupied]');
    await occupied.waitFor({ timeout: 30_000 });
    expect(await occupied.textContent()).toContain('users');
    expect(await page.locator('.target-panel').textContent()).toContain(db1.name);
    await look('04-plan-target-not-empty');

    // Setup revisit: the saved server shown, password masked; only the database changes.
    await nav(page, 'Setup').click();
    const pg = page.locator('fieldset[data-service="postgres"]');
    await expect
      .poll(() => pg.getByLabel('Database').inputValue(), { timeout: 15_000 })
      .toBe(db1.name);
    expect(await pg.getByLabel('Password').inputValue()).toBe('');
    await look('05-setup-revisit');
    await pg.getByLabel('Database').fill(db2.name);
    await page.getByRole('button', { name: 'Save and start services' }).click();
    await page.getByText('Setup saved. The services are running').waitFor({ timeout: 90_000 });

    // Back in the wizard (after a reload, too) the plan is made again for the new database.
    await nav(page, 'Migration').click();
    await page.reload();
    await page
      .getByText(/The target changed in Setup since this plan was made/)
      .waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('.target-panel').textContent(), { timeout: 30_000 })
      .toContain(db2.name);
    expect(await page.locator('.target-panel').textContent()).toContain('Ready');
    await look('06-plan-after-setup-change');

    await walkMigration(page, file2, look, { fromPlan: true, expectOccupied: false });
    await backupAndTrialRestore(page, look, app);
    expect(problems).toEqual([]);
  }, 600_000);
});

type Look = (name: string) => Promise<void>;

/** A screen's link in the sidebar (screens link to each other too). */
function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

async function pickAndInspect(page: Page, file: string): Promise<void> {
  await page.getByLabel(/Legacy database file/).fill(file);
  await page.getByRole('button', { name: 'Inspect file' }).click();
  await page.getByRole('heading', { name: 'What the file holds' }).waitFor({ timeout: 60_000 });
}

/** Rows of the per-table report: name → [source, migrated, duplicates, rejected]. */
async function reportCounts(page: Page): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const row of await page.locator('.report tbody tr[data-table]').all()) {
    const nums = (await row.locator('td.num').allTextContents()).map((t) =>
      Number(t.replace(/,/g, '')),
    );
    out.set((await row.getAttribute('data-table')) ?? '', nums);
  }
  return out;
}

async function rejectedTotal(page: Page): Promise<number> {
  const heading = await page.locator('#fix-h').textContent({ timeout: 30_000 });
  return Number(/\(([\d,]+)\)/.exec(heading ?? '')?.[1]?.replace(/,/g, '') ?? NaN);
}

async function walkMigration(
  page: Page,
  file: string,
  look: Look,
  options: { fromPlan?: boolean; expectOccupied: boolean },
): Promise<void> {
  if (!options.fromPlan) {
    await nav(page, 'Migration').click();
    await look('10-migration-pick');
    await pickAndInspect(page, file);
    await look('11-migration-inspect');
    await page.getByRole('button', { name: 'Review the plan' }).click();
    await page.getByRole('heading', { name: 'Where everything goes' }).waitFor();
    await expect
      .poll(() => page.locator('.target-panel').textContent(), { timeout: 30_000 })
      .toContain('Ready');
    await look('12-migration-plan');
  }
  // The primary actions stay on screen (sticky bar), however long the plan is.
  const dry = page.getByRole('button', { name: 'Start the dry run' });
  expect(await dry.isVisible()).toBe(true);
  const box = await dry.boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(page.viewportSize()!.height);
  await dry.click();
  await page.getByRole('heading', { name: 'Dry run report' }).waitFor({ timeout: 60_000 });
  // Grouped rejects, and nothing to apply yet (a dry run writes nothing).
  await page.locator('table.reject-groups').waitFor({ timeout: 30_000 });
  expect(
    await page.getByText('A dry run writes nothing, so no row can be applied yet').count(),
  ).toBe(1);
  await look('13-dry-run-report');
  // One click on the dry run's report: an orphan whose parent does not exist is dropped by the run.
  const drop = page.locator(
    'tr[data-group="role_permissions.permission_id.orphan"] button[data-fix="drop"]',
  );
  await drop.click();
  await page.locator('.chosen-rules').getByText('Drop these rows: role_permissions').waitFor();
  expect(await drop.isDisabled()).toBe(true);

  await page.getByRole('button', { name: 'Continue to the run' }).click();
  await page.getByRole('heading', { name: 'Run the migration' }).waitFor();
  const start = page.getByRole('button', { name: 'Start the migration' });
  await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
  await look('14-run-start');
  await start.click();
  await page.getByRole('heading', { name: 'Migration report' }).waitFor({ timeout: 120_000 });
  await page.locator('.done-summary').waitFor();
  expect(await page.locator('.done-summary').textContent()).toContain(
    'Point the Nova API at the new database',
  );
  const before = await rejectedTotal(page);
  expect(before).toBeGreaterThan(3);
  // The orphan chosen on the dry run was dropped by the run: listed as a change, not a reject.
  await page.locator('table.change-groups tr[data-kind="dropped-orphan"]').first().waitFor();
  expect(await page.locator('table.change-groups').textContent()).toContain(
    'Row without its parent dropped',
  );
  expect(await page.locator('tr[data-group="role_permissions.permission_id.orphan"]').count()).toBe(
    0,
  );
  // Every table: source = migrated + duplicates + rejected + dropped, verified.
  expect(await page.locator('.report thead').first().textContent()).toContain('Dropped');
  for (const [table, [source, migrated, duplicates, rejected, dropped]] of await reportCounts(page))
    expect(source, table).toBe(migrated! + duplicates! + rejected! + dropped!);
  await look('15-run-report');

  // One click: the fractional passkey counter is rounded to a whole number.
  const round = page.locator(
    'tr[data-group="passkeys.counter.unparseable"] button[data-fix="round"]',
  );
  await round.click();
  await page.getByText(/Fixed rejects applied: 1 row now migrated/).waitFor({ timeout: 60_000 });
  expect(await page.locator('tr[data-group="passkeys.counter.unparseable"]').count()).toBe(0);
  expect(await rejectedTotal(page)).toBe(before - 1);
  await look('16-after-one-click-fix');

  // An inline edit: the kiosk's expiry date typed again.
  const rows = page.locator('details', { hasText: 'Edit the rejected rows' });
  if ((await rows.getAttribute('open')) === null) await rows.locator('summary').click();
  await page
    .getByLabel('New value of expires_at for kiosk_activations id=act-bad-expiry')
    .fill('2030-01-01 00:00:00');
  // A CSV round trip: download, correct the duplicate e-mail in the file, upload it.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download as CSV' }).click(),
  ]);
  const csv = await readFile((await download.path())!, 'utf8');
  const dupLine = csv
    .split('\r\n')
    .find((l) => l.includes('duplicate key') && l.includes(',users,'));
  expect(dupLine).toBeDefined();
  const email = dupLine!.split(',').at(-1)!;
  const fixed = csv.replace(dupLine!, dupLine!.replace(new RegExp(`${email}$`), `fixed-${email}`));
  await page.locator('.fix-rejects input[type="file"]').setInputFiles({
    name: 'rejected-rows.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(fixed),
  });
  await page.getByText(/1 value taken from rejected-rows.csv/).waitFor();
  await look('17-rejects-edited');
  const stillBefore = await rejectedTotal(page);
  await page.getByRole('button', { name: 'Apply fixed rejects' }).click();
  // The date and the user apply, and the user's own rows (its roles, its passkey) come in with it.
  await expect
    .poll(() => rejectedTotal(page), { timeout: 60_000 })
    .toBeLessThanOrEqual(stillBefore - 3);
  await page.getByText(/Fixed rejects applied: \d+ rows now migrated/).waitFor();
  expect(await page.locator('tr[data-line]', { hasText: 'act-bad-expiry' }).count()).toBe(0);
  const verified = await page.locator('.report tbody tr[data-table] .badge').allTextContents();
  expect(verified.every((t) => t === 'Matches')).toBe(true);
  await page.locator('table.change-groups').waitFor();
  await look('18-after-apply');
}

async function backupAndTrialRestore(page: Page, look: Look, app: HeadlessApp): Promise<void> {
  await nav(page, 'Backups').click();
  await page.locator('tr[data-backup]').first().waitFor({ timeout: 30_000 });
  const ids = () =>
    page
      .locator('tr[data-backup]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-backup')));
  const before = new Set(await ids());
  await page.getByRole('button', { name: 'Back up now' }).click();
  // Retention may remove an old one meanwhile: wait for a backup that was not listed before.
  let id: string | null | undefined;
  await expect
    .poll(
      async () => {
        id = (await ids()).find((x) => !before.has(x));
        return id;
      },
      { timeout: 120_000 },
    )
    .toBeTruthy();
  const newest = page.locator(`tr[data-backup="${id}"]`);
  await expect.poll(() => newest.textContent(), { timeout: 60_000 }).toContain('Verified');
  expect(await newest.textContent()).toContain('PostgreSQL');
  await look('20-first-verified-backup');
  // The trial restore: Verify restores the backup into a scratch database and checks it.
  await page.getByRole('button', { name: `Verify ${id}` }).click();
  await expect
    .poll(
      () =>
        app.runtime.tasks
          .list()
          .find((t) => t.kind === 'backup.verify' && t.title === `Verify ${id}`),
      { timeout: 120_000 },
    )
    .toMatchObject({ state: 'succeeded', result: { trialRestored: true } });
  await nav(page, 'Dashboard').click();
  await expect
    .poll(() => page.locator('.safety [data-check="restore-test"]').textContent(), {
      timeout: 120_000,
    })
    .toContain('Last proven restorable at');
  await look('21-dashboard-restorable');
}
