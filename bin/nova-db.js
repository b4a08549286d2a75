#!/usr/bin/env node
// The `nova-db` command. The CLI is TypeScript compiled to dist/ by
// `npm run build`; say so plainly instead of a module-resolution stack trace.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'nova-db: the CLI is not built yet (dist/main/cli/index.js is missing).\nfix: run "npm run build" in the Nova DB checkout, then try again.\n',
  );
  process.exit(1);
}
await import(entry.href);
