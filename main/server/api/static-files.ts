/**
 * Serves the built renderer (dist/renderer) in headless mode — the same UI
 * the desktop app shows. Every file is registered as its own route when the
 * server starts, so only files that exist in the build can ever be served:
 * there is no path joined from the request, hence no path traversal.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SECURITY_HEADERS, type Route } from '../router.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The page's policy: its own scripts and styles only (no inline script, no
 * eval), data from this server only — its API and its WebSocket.
 */
export function rendererCsp(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    // 'self' covers the page's own ws:/wss: origin (CSP Level 3). The Host
    // header is never echoed here: it is whatever the client sent.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Routes for every file under `dir`, `/` serving index.html. Missing dir: an empty list and the caller says so. */
export async function staticRoutes(dir: string): Promise<Route[]> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch {
    return [];
  }
  const routes: Route[] = [];
  for (const relative of files) {
    const type = TYPES[path.extname(relative).toLowerCase()];
    if (!type) continue; // source maps and anything unexpected stay private
    const body = await readFile(path.join(dir, relative));
    const urlPath = `/${relative.split(path.sep).join('/')}`;
    const route: Route = {
      method: 'GET',
      path: urlPath,
      handler: ({ req, res }) => {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': type,
          'Content-Length': body.length,
          'Content-Security-Policy': rendererCsp(),
          // Hashed asset names change with every build; the page itself must always be fresh.
          'Cache-Control': urlPath.startsWith('/assets/')
            ? 'public, max-age=31536000, immutable'
            : 'no-store',
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Resource-Policy': 'same-origin',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    };
    routes.push(route);
    if (urlPath === '/index.html') routes.push({ ...route, path: '/' });
  }
  return routes;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(dir, relative)));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}
