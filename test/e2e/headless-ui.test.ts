/**
 * End to end, in Debian's Chromium against the headless server with a real
 * PostgreSQL: first-run setup (external PostgreSQL, native Redis), the
 * migration wizard on a generated legacy file up to its report, a backup,
 * and the dashboard turning degraded when Redis is stopped. Every screen is
 * saved under test/e2e/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDatabase } from '../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.js';
import {
  CHROMIUM,
  launchChromium,
  screenshot,
  screenshotPath,
  watchPage,
} from './support/browser.js';
import { buildRenderer, startHeadlessApp, type HeadlessApp } from './support/headless-app.js';

describe('headless admin UI in Chromium', () => {
  let work: string;
  let app: HeadlessApp;
  let db: ScratchDatabase;
  let browser: Browser;
  let page: Page;
  let legacyFile: string;
  let bigLegacyFile: string;
  const problems: string[] = [];

  beforeAll(async () => {
    // No silent skip: CI installs it (.ci/run), and a missing browser must be seen.
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`,
      );
    work = await mkdtemp(path.join(tmpdir(), 'nova-e2e-work-'));
    const rendererDir = path.join(work, 'renderer');
    legacyFile = path.join(work, 'log.sqlite');
    [db] = await Promise.all([createScratchDatabase('nova_e2e'), buildRenderer(rendererDir)]);
    generateLegacyDatabase(legacyFile, { users: 40, logs: 3000, quirks: true, seed: 7 });
    // Big enough that the run takes seconds: time to see its progress, cancel and resume it.
    bigLegacyFile = path.join(work, 'big-log.sqlite');
    generateLegacyDatabase(bigLegacyFile, { users: 40, logs: 600_000, quirks: true, seed: 8 });
    app = await startHeadlessApp({ rendererDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watchPage(page, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db?.drop();
    await rm(work, { recursive: true, force: true });
  }, 120_000);

  it('signs in with the login link and removes the token from the address bar', async () => {
    await page.goto(app.server.loginUrl());
    await page.getByRole('heading', { level: 1, name: 'Setup' }).waitFor();
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('nova.adminToken'))).toBe(
      app.runtime.adminToken(),
    );
  });

  it('completes the first-run setup: external PostgreSQL tested, native Redis, saved and started', async () => {
    await page.getByText('Server programs').waitFor();
    await page.locator('.detect-grid li').first().waitFor();
    const postgres = page.locator('fieldset[data-service="postgres"]');
    await postgres.getByLabel(/External/).check();
    await postgres.getByText('Use a connection URL instead').click();
    await postgres.getByLabel('PostgreSQL connection URL').fill(db.url);
    await postgres.getByRole('button', { name: 'Test PostgreSQL connection' }).click();
    await expect
      .poll(() => postgres.locator('.test-result').textContent(), { timeout: 15_000 })
      .toContain('Works');
    await page
      .locator('fieldset[data-service="redis"]')
      .getByLabel(/Native/)
      .check();
    await screenshot(page, '01-setup');

    await page.getByRole('button', { name: 'Save and start services' }).click();
    await page.getByText('Setup saved. The services are running').waitFor({ timeout: 60_000 });
    await screenshot(page, '02-setup-saved');
    const info = await app.runtime.layer.services.statusAll();
    expect(info.find((s) => s.service === 'redis')).toMatchObject({
      provider: 'native',
      state: 'healthy',
    });
    expect(app.runtime.layer.factory?.dialect).toBe('postgres');
  }, 120_000);

  it('runs a migration with per-table progress, rows/s and ETA; cancels it, resumes it, and shows the verified report', async () => {
    await page.getByRole('link', { name: 'Migration' }).click();
    await page.getByLabel(/Legacy database file/).fill(bigLegacyFile);
    await page.getByRole('button', { name: 'Inspect file' }).click();
    await page.getByRole('heading', { name: 'What the file holds' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.facts').textContent()).toContain('Nova legacy database');
    await screenshot(page, '03-migration-inspect');

    await page.getByRole('button', { name: 'Review the plan' }).click();
    await page.getByRole('heading', { name: 'Where everything goes' }).waitFor();
    expect(await page.locator('.facts').textContent()).toContain(db.name);
    await page.locator('details summary').first().click(); // one table's column mapping, for the screenshot
    await screenshot(page, '04-migration-plan');

    await page.getByRole('button', { name: 'Skip to the run' }).click();
    await page.getByRole('button', { name: 'Start the migration' }).click();
    const headline = page.locator('.run-view .headline');
    await expect
      .poll(() => headline.textContent(), { timeout: 60_000 })
      .toMatch(/logs: [\d,]+ of 600,\d{3} rows · [\d,]+ rows\/s · about .+ left in this table/);
    expect(await page.locator('tr[data-table="users"] .badge').textContent()).toBe('Done');
    expect(await page.locator('tr[data-table="logs"] .badge').textContent()).toBe('Running');
    // A quick viewport-only shot: the engine loads 600k rows in a few seconds,
    // and the full-page helper (which resizes the viewport) would delay Cancel.
    await page.screenshot({ path: screenshotPath('05-migration-run-progress') });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(/The migration was cancelled/).waitFor({ timeout: 30_000 });
    // Usually inside logs; on a fast run the cancel may land in a later table.
    expect(await headline.textContent()).toMatch(/^Cancelled at [^:]+: [\d,]+ of [\d,]+ rows/);
    // The stopped attempt needs Resume or Discard: the target panel does not say "Ready".
    await expect
      .poll(() => page.locator('.target-panel').textContent(), { timeout: 30_000 })
      .toContain('Needs a decision');
    await screenshot(page, '06-migration-cancelled');

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('heading', { name: 'Migration report' }).waitFor({ timeout: 120_000 });
    const report = page.locator('.report');
    expect(await report.locator('dl.facts').textContent()).toContain('Resumed');
    // Every table: source = migrated + duplicates + rejected, and verified against the source.
    for (const row of await report.locator('tbody tr[data-table]').all()) {
      const [source, migrated, duplicates, rejected] = (
        await row.locator('td.num').allTextContents()
      ).map((t) => Number(t.replace(/,/g, '')));
      expect(source, (await row.getAttribute('data-table')) ?? '').toBe(
        migrated! + duplicates! + rejected!,
      );
      expect(await row.locator('.badge').textContent()).toBe('Matches');
    }
    const logs = await report.locator('tr[data-table="logs"] td.num').allTextContents();
    expect(Number(logs[0]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(600_000);
    // The quirky rows are rejected with their original values, never dropped silently.
    expect(await report.locator('h3', { hasText: 'Rejected rows' }).textContent()).not.toBe(
      'Rejected rows (0)',
    );
    await screenshot(page, '07-migration-report');
  }, 240_000);

  it('dry-runs a second file and reports what would be rejected, writing nothing', async () => {
    await page.getByRole('button', { name: 'Start over with another file' }).click();
    await page.getByLabel(/Legacy database file/).fill(legacyFile);
    await page.getByRole('button', { name: 'Inspect file' }).click();
    await page.getByRole('button', { name: 'Review the plan' }).click({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start the dry run' }).click();
    await page.getByRole('heading', { name: 'Dry run report' }).waitFor({ timeout: 60_000 });
    const cells = await page.locator('tr[data-table="logs"] td').allTextContents();
    expect(Number(cells[0]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(3000);
    expect(await page.locator('.report h3', { hasText: 'Rejected rows' }).textContent()).toMatch(
      /Rejected rows \([1-9]/,
    );
    await screenshot(page, '08-migration-dry-run-report');
  }, 120_000);

  it('runs a backup now and lists it, verified', async () => {
    await page.getByRole('link', { name: 'Backups' }).click();
    // The backup taken on first start (embedded SQLite) is listed once the list has loaded.
    await page.locator('tr[data-backup]').first().waitFor();
    const before = await page.locator('tr[data-backup]').count();
    await page.getByRole('button', { name: 'Back up now' }).click();
    await expect
      .poll(() => page.locator('tr[data-backup]').count(), { timeout: 90_000 })
      .toBe(before + 1);
    const newest = page.locator('tr[data-backup]').first();
    // The verify restores 600k rows into a scratch database: minutes on a busy machine.
    await expect.poll(() => newest.textContent(), { timeout: 150_000 }).toContain('Verified');
    expect(await newest.textContent()).toContain('PostgreSQL');
    await screenshot(page, '09-backups');
  }, 270_000);

  it('shows the dashboard, and turns it degraded when Redis is stopped', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('.card[data-check="redis"]').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.locator('.overall').textContent(), { timeout: 20_000 })
      .toContain('All services healthy');
    await screenshot(page, '10-dashboard');

    await page.getByRole('button', { name: 'Stop Redis' }).click();
    await expect
      .poll(() => page.locator('.overall').textContent(), { timeout: 30_000 })
      .toContain('Degraded');
    await expect
      .poll(() => page.locator('.card[data-check="redis"] .badge').textContent(), {
        timeout: 10_000,
      })
      .toMatch(/Down|Degraded/);
    await expect.poll(() => page.locator('.health-pill').textContent()).toContain('Degraded');
    await screenshot(page, '11-dashboard-degraded');
  }, 90_000);

  it('shows the service logs and the settings', async () => {
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await expect
      .poll(() => page.locator('pre.log').textContent(), { timeout: 10_000 })
      .toContain('setup saved');
    await screenshot(page, '12-logs');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    // The connection is shown without its password, as a label a person reads.
    const connection = page.locator('[data-setting="POSTGRES_URL"]');
    expect(await connection.textContent()).toContain('PostgreSQL connection');
    expect(await connection.textContent()).not.toContain(new URL(db.url).password || '\u0000');
    await screenshot(page, '13-settings');
  });

  it('is usable from the keyboard: skip link, navigation, focus on the new heading', async () => {
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    // A screen change puts focus on its heading; backwards from there is the navigation…
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Settings');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Dashboard');
    // …and before it the skip link.
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab'); // Setup
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Setup' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Detect again');
  });

  it('asks for the token when there is none, and the API refuses without it', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await fresh.goto(app.server.url);
    await fresh.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(fresh, '14-login');
    await fresh.close();
    expect((await fetch(`${app.server.url}/api/app.info`, { method: 'POST' })).status).toBe(401);
    expect(problems).toEqual([]);
  });
});
