// Builds the renderer (vanilla TypeScript) into dist/renderer: the same files
// the Electron window loads over its app:// protocol and the headless server
// serves. Relative asset URLs so both hosts work; no inline scripts, so the
// strict CSP (script-src 'self') holds.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
    // Chromium supports modulepreload natively; the polyfill would only add code.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
