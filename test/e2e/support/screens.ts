/**
 * Looking at a screen the way issue 14 asks: a full-page screenshot and an
 * axe run at each of the three sizes (1280×800, a 1024×600 kiosk, 1920×1080),
 * and a scan of the visible text for words that belong to the CLI or the
 * code rather than to the screen (environment variable names, `nova-db`
 * commands and flags, contract method names).
 */
import type { Page } from 'playwright-core';
import { expectAxeClean } from './axe.js';
import { screenshot } from './browser.js';

export const SIZES = [
  { name: '1280x800', width: 1280, height: 800 },
  { name: '1024x600', width: 1024, height: 600 },
  { name: '1920x1080', width: 1920, height: 1080 },
] as const;

/** Screenshots `name` at every size and fails on serious/critical axe findings at any of them. */
export async function lookAtScreen(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  try {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await screenshot(page, `${name}-${size.name}`);
      await expectAxeClean(page, `${name} ${size.width}×${size.height}`);
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
}

/**
 * Visible text (outside log output and elements marked data-technical)
 * that names an environment variable, a CLI command or flag, or an API
 * method: such words belong to the CLI and the docs, not to the screen.
 */
export async function technicalWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found = new Set<string>();
    const patterns = [
      /\b(?:NOVA|POSTGRES|MONGODB|REDIS|SQLITE)_[A-Z0-9_]+\b/g,
      /\bnova-db\b(?: [a-z-]+)?/g,
      /(?:^|\s)--[a-z][a-z-]+/g,
      /\b(?:setup|services|health|tasks|migration|backups|settings|app)\.[a-z][A-Za-z]+\b/g,
    ];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('pre.log, [data-technical], script, style, [hidden]')) continue;
      const text = node.textContent ?? '';
      for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[0].trim());
    }
    return [...found];
  });
}
