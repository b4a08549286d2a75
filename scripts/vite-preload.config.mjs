// Bundles the preload to one CommonJS file (dist/preload/preload.cjs):
// sandboxed preloads run without ES module support and may only require
// 'electron' (kept external).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/preload', import.meta.url)),
    emptyOutDir: false,
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('../preload/index.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
