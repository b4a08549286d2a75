/**
 * The admin's screens of issue 14 in Chromium against the real headless
 * server: Setup driven by detection (the machine's PostgreSQL offered as
 * "Use this server", a private Redis entered as fields, MongoDB native
 * without mongod = documents in PostgreSQL JSONB), the revisit showing the
 * saved setup masked, the dashboard's data safety, Backups' coverage,
 * Settings with an error beside its field and Apply & restart, Logs with a
 * level filter — each screen screenshotted at 1280×800, 1024×600 and
 * 1920×1080 and checked with axe (serious/critical fail). Then Redis is
 * stopped and every status element must agree, and the server is stopped
 * under the open dashboard, which must grey out with "last known at".
 * One server and one browser for the whole file.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayModel } from '../../main/core/tray/tray-model.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres.js';
import { startRedis, type RedisTestServer } from '../support/redis-server.js';
import { axeSummary } from './support/axe.js';
import { CHROMIUM, launchChromium, watchPage } from './support/browser.js';
import { buildRenderer, startHeadlessApp, type HeadlessApp } from './support/headless-app.js';
import { lookAtScreen, technicalWords } from './support/screens.js';

describe('admin screens (issue 14)', () => {
  let work: string;
  let app: HeadlessApp;
  let db: ScratchDatabase;
  let redis: RedisTestServer;
  let browser: Browser;
  let page: Page;
  let serverStopped = false;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`,
      );
    work = await mkdtemp(path.join(tmpdir(), 'nova-e2e-screens-'));
    const rendererDir = path.join(work, 'renderer');
    [db, redis] = await Promise.all([
      createScratchDatabase('nova_e2e_screens'),
      startRedis(),
      buildRenderer(rendererDir),
    ]);
    app = await startHeadlessApp({ rendererDir, healthIntervalMs: 1_000 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watchPage(page, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (!serverStopped) await app?.stop();
    else await app?.runtime.shutdown().catch(() => undefined);
    await redis?.stop();
    await db?.drop();
    await rm(work, { recursive: true, force: true });
    console.log(`axe per screen:\n${axeSummary().join('\n')}`);
  }, 120_000);

  it('Setup offers the PostgreSQL found on 5432 and saves a setup made from it', async () => {
    // The sign-in screen first (no token yet), then the login link.
    await page.goto(app.server.url);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await lookAtScreen(page, 'i14a-00-login');
    expect(await technicalWords(page)).toEqual([]);
    // A fresh load: only the fragment would differ, which the browser treats as the same page.
    await page.goto('about:blank');
    await page.goto(app.server.loginUrl());
    await page.getByRole('heading', { level: 1, name: 'Setup' }).waitFor();
    const use = page.getByRole('button', { name: 'Use the PostgreSQL found on 127.0.0.1:5432' });
    await use.waitFor({ timeout: 30_000 });
    // Docker has no engine on this machine: offered disabled, with the reason.
    const docker = page.locator('fieldset[data-service="postgres"]').getByLabel(/^Docker/);
    await expect.poll(() => docker.isDisabled()).toBe(true);
    await lookAtScreen(page, 'i14a-01-setup-first-run');

    await use.click();
    const pg = page.locator('fieldset[data-service="postgres"]');
    expect(await pg.getByLabel('Server', { exact: true }).inputValue()).toBe('127.0.0.1');
    expect(await pg.getByLabel('Port').inputValue()).toBe('5432');
    expect(await pg.getByLabel('User name').inputValue()).toBe('postgres');
    expect(await pg.getByLabel('Password').getAttribute('type')).toBe('password');
    await pg.getByLabel('Database').fill(db.name);
    await pg.getByRole('button', { name: 'Test PostgreSQL connection' }).click();
    await expect
      .poll(() => pg.locator('.test-result').textContent(), { timeout: 15_000 })
      .toContain('Works');
    // A change clears the old result: no "Works" next to values that were not tested.
    await pg.getByLabel('Database').fill(`${db.name}x`);
    expect(await pg.locator('.test-result').textContent()).toBe('');
    await pg.getByLabel('Database').fill(db.name);

    await page
      .locator('fieldset[data-service="mongo"]')
      .getByLabel(/^Native/)
      .check();
    const rd = page.locator('fieldset[data-service="redis"]');
    await rd.getByLabel(/^External server/).check();
    await rd.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    await rd.getByLabel('Port').fill(String(redis.port));
    await lookAtScreen(page, 'i14a-02-setup-filled');
    expect(await technicalWords(page)).toEqual([]);

    await page.getByRole('button', { name: 'Save and start services' }).click();
    await page.getByText('Setup saved. The services are running').waitFor({ timeout: 90_000 });
    expect(app.runtime.layer.factory?.dialect).toBe('postgres');
    expect(app.runtime.layer.coverage.documentsInRelational).toBe(true);
  }, 180_000);

  it('shows the saved setup on a revisit, password masked, and saves it again unchanged', async () => {
    await page.getByRole('link', { name: 'Setup' }).click();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Setup' }).waitFor();
    const pg = page.locator('fieldset[data-service="postgres"]');
    await expect
      .poll(() => pg.getByLabel('Database').inputValue(), { timeout: 15_000 })
      .toBe(db.name);
    expect(await pg.getByLabel(/^External server/).isChecked()).toBe(true);
    expect(await pg.getByLabel('Password').inputValue()).toBe('');
    // The server found on 5432 is the one in use now: no second "Use" offer for it.
    await page.locator('.found[data-service="postgres"]').getByText('In use by Nova').waitFor();
    expect(await page.content()).not.toContain(db.url.replace(/^postgres:\/\//, ''));
    await lookAtScreen(page, 'i14a-03-setup-revisit');
    await page.getByRole('button', { name: 'Save and start services' }).click();
    await page.getByText('Setup saved. The services are running').waitFor({ timeout: 90_000 });
  }, 150_000);

  it('dashboard: all statuses agree, and data safety shows the verified backup of this setup', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    // The backup of the new setup is taken at once (the embedded one no longer counts).
    await expect
      .poll(() => page.locator('.safety [data-check="backup"] .badge').textContent(), {
        timeout: 90_000,
      })
      .toBe('OK');
    await expect
      .poll(() => page.locator('.safety [data-check="restore-test"]').textContent(), {
        timeout: 30_000,
      })
      .toContain('Last proven restorable at');
    await expect.poll(() => overallStatus(page), { timeout: 30_000 }).toBe('ok');
    await expectAgreement(page, app);
    await lookAtScreen(page, 'i14a-04-dashboard');
    expect(await technicalWords(page)).toEqual([]);
  }, 150_000);

  it('backups: coverage per service, only backups of this setup count', async () => {
    await page.getByRole('link', { name: 'Backups' }).click();
    const coverage = page.locator('.coverage-list');
    await coverage.waitFor();
    expect(await coverage.locator('[data-service="mongo"]').textContent()).toContain(
      'stored in PostgreSQL (JSONB table nova_documents)',
    );
    expect(await coverage.locator('[data-service="redis"]').textContent()).toContain(
      'Redis: cache, not backed up by design',
    );
    // The first-start backup of the embedded SQLite file is listed but does not cover this setup.
    await expect
      .poll(() => page.locator('tr[data-backup]').count(), { timeout: 15_000 })
      .toBeGreaterThan(1);
    const rows = await page.locator('tr[data-backup]').allTextContents();
    expect(rows.some((r) => r.includes('SQLite') && r.includes('Earlier setup'))).toBe(true);
    expect(rows.some((r) => r.includes('PostgreSQL') && r.includes('Covers it'))).toBe(true);
    await lookAtScreen(page, 'i14a-05-backups');
    expect(await technicalWords(page)).toEqual([]);
  }, 90_000);

  it('settings: grouped, typed, an error beside its field, Apply & restart services', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.getByRole('heading', { name: 'Backups' }).waitFor();
    const pool = page.getByLabel('PostgreSQL connections');
    await pool.fill('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const row = page.locator('[data-setting="POSTGRES_POOL_MAX"]');
    await expect
      .poll(() => row.locator('.field-error').textContent())
      .toBe('Enter a value from 1 to 1000 connections.');
    expect(await pool.getAttribute('aria-invalid')).toBe('true');
    // The error sits beside the field, not a screen away.
    const [fieldBox, errorBox] = await Promise.all([
      pool.boundingBox(),
      row.locator('.field-error').boundingBox(),
    ]);
    expect(Math.abs(errorBox!.y - fieldBox!.y)).toBeLessThan(80);
    await lookAtScreen(page, 'i14a-06-settings-error');
    await pool.fill('7');
    await page.getByRole('button', { name: 'Apply & restart services' }).click();
    await expect.poll(() => app.runtime.config.POSTGRES_POOL_MAX, { timeout: 90_000 }).toBe(7);
    await page.locator('[data-setting="POSTGRES_POOL_MAX"]').waitFor();
    expect(await technicalWords(page)).toEqual([]);
  }, 150_000);

  it('logs: the story of what happened, filtered by level and searched', async () => {
    await page.getByRole('link', { name: 'Logs' }).click();
    const log = page.locator('pre.log');
    await expect
      .poll(() => log.textContent(), { timeout: 15_000 })
      .toContain('Scheduled backup: finished');
    expect(await log.textContent()).toContain('Redis (external): healthy');
    await page.getByLabel('Search').fill('restarting the services');
    await expect
      .poll(() => log.textContent())
      .toContain('restarting the services with the saved settings');
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Level').selectOption('warn');
    await expect
      .poll(() => page.locator('.log-count').textContent())
      .toMatch(/^\d+ of \d+ lines shown$/);
    expect(
      await page.locator('pre.log span:not(.log-line-warn):not(.log-line-error)').count(),
    ).toBe(0);
    await page.getByLabel('Level').selectOption('all');
    await lookAtScreen(page, 'i14a-07-logs');
    expect(await technicalWords(page)).toEqual([]);
  }, 90_000);

  it('Redis stops under the open dashboard: every status element says so', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await expect.poll(() => overallStatus(page), { timeout: 30_000 }).toBe('ok');
    await redis.stop();
    await expect
      .poll(() => page.locator('tr[data-service="redis"] .badge').textContent(), {
        timeout: 30_000,
      })
      .toBe('Down');
    await expect.poll(() => overallStatus(page), { timeout: 10_000 }).toBe('degraded');
    await expectAgreement(page, app);
    await lookAtScreen(page, 'i14a-08-dashboard-redis-down');
    expect(await technicalWords(page)).toEqual([]);
  }, 120_000);

  it('the server stops under the open dashboard: everything greys out with "last known at"', async () => {
    const known = await overallStatus(page);
    await app.server.close();
    serverStopped = true;
    const banner = page.locator('.connection-banner');
    await expect.poll(() => banner.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await banner.textContent()).toMatch(
      /Lost the connection to Nova at \d\d:\d\d:\d\d\. Showing what was last known at \d\d:\d\d:\d\d/,
    );
    expect(await page.locator('.health-pill').textContent()).toMatch(
      /^Last known: Degraded · \d\d:\d\d:\d\d$/,
    );
    expect(await page.locator('.overall').textContent()).toContain('last known at');
    // Every badge on screen is the "unknown" grey, none still claims a live state.
    const live = await page
      .locator(
        'main .badge:not([data-status="unknown"]), .health-pill .badge:not([data-status="unknown"])',
      )
      .count();
    expect(live).toBe(0);
    expect(known).toBe('degraded');
    expect(await page.locator('.content.stale').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Check now' }).isDisabled()).toBe(true);
    await lookAtScreen(page, 'i14a-09-dashboard-server-gone');
    // The event stream's failed reconnects are expected now; nothing else may have gone wrong.
    expect(problems.filter((p) => !p.includes('/api/events'))).toEqual([]);
  }, 90_000);
});

async function overallStatus(page: Page): Promise<string | null> {
  return page.locator('.overall').getAttribute('data-status');
}

/**
 * The pill, the overall line, each check card, each service row and the
 * data-safety lines show what the server's one aggregate says — and the
 * tray model built from that aggregate agrees too.
 */
async function expectAgreement(page: Page, app: HeadlessApp): Promise<void> {
  const summary = await app.runtime.layer.monitor.current();
  const word = { ok: 'OK', degraded: 'Degraded', down: 'Down' } as const;
  await expect.poll(() => overallStatus(page), { timeout: 10_000 }).toBe(summary.status);
  expect(await page.locator('.health-pill').textContent()).toBe(`System ${word[summary.status]}`);
  for (const c of summary.checks) {
    const el = page.locator(`[data-check="${c.id}"] .badge`).first();
    expect(await el.getAttribute('data-status'), c.id).toBe(c.status);
  }
  const { serviceRollup } = await import('../../main/core/health/rollup.js');
  for (const s of serviceRollup(summary)) {
    expect(
      await page.locator(`tr[data-service="${s.service}"] .badge`).getAttribute('data-status'),
      s.service,
    ).toBe(s.status);
  }
  const tray = trayModel(summary, { servicesRunning: true, backupRunning: false });
  expect(tray.icon).toBe(summary.status);
}
