/**
 * Debian's Chromium driven by playwright-core (no bundled browser download),
 * and screenshots of every screen under test/e2e/screenshots/ (gitignored)
 * for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Chromium refuses its sandbox as root (CI containers); the page is our own UI.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/**
 * The whole page as a window that tall would show it: the viewport is
 * stretched to the content first (Chromium's full-page capture scrolls,
 * which moves sticky elements such as the sidebar), then put back.
 */
/** Where a named screenshot goes (the folder is created on first use). */
export function screenshotPath(name: string): string {
  mkdirSync(shots, { recursive: true });
  return path.join(shots, `${name}.png`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = screenshotPath(name);
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  try {
    await page.screenshot({ path: file });
  } finally {
    await page.setViewportSize(viewport);
  }
  return file;
}

/** Fails the test on any script error or CSP violation in the page. */
export function watchPage(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    // HTTP error statuses are part of the flows (e.g. a refused run); the UI shows them.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
}
