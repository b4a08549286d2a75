/**
 * The axe helper must be able to fail: a page served under the renderer's
 * CSP with an unnamed button and an image without alt text is refused, and
 * a clean page passes. Without this, "axe clean" on every screen could
 * mean axe never ran.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectAxeClean, runAxe } from './support/axe.js';
import { launchChromium } from './support/browser.js';

let server: http.Server;
let browser: Browser;
let base: string;

const PAGES: Record<string, string> = {
  '/bad': '<main><h1>Bad</h1><button></button><img src="/x.png"></main>',
  '/good': '<main><h1>Good</h1><button>Save</button><img src="/x.png" alt="Logo"></main>',
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(PAGES[req.url ?? ''] ? 200 : 404, {
      'content-type': 'text/html',
      // The renderer's policy: no inline or injected scripts.
      'content-security-policy': "default-src 'none'; script-src 'self'",
    });
    res.end(
      `<!doctype html><html lang="en"><head><title>axe</title></head><body>${PAGES[req.url ?? ''] ?? ''}</body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

it('reports critical findings under a strict CSP and fails on them', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/bad`);
  const result = await runAxe(page);
  expect(result.violations.map((v) => [v.id, v.impact]).sort()).toEqual([
    ['button-name', 'critical'],
    ['image-alt', 'critical'],
  ]);
  await expect(expectAxeClean(page, 'bad page')).rejects.toThrow(/button-name[\s\S]*image-alt/);
  await page.goto(`${base}/good`);
  const clean = await expectAxeClean(page, 'good page');
  expect(clean.passes).toBeGreaterThan(5);
  await page.close();
});
