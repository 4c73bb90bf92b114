// The browser dashboard: the page at `/` and the bundle's files from one folder, never outside it.
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { renderDashboardPage } from './dashboardPage';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function serveDashboardPage(res: ServerResponse, host: string): void {
  const nonce = randomBytes(16).toString('base64');
  const html = renderDashboardPage({
    // Relative, so the page also works behind a path prefix (code-server's /proxy/PORT/).
    scriptUri: 'dashboard.js',
    styleUris: ['codicon.css', 'dashboard.css'],
    nonce,
    cspSource: "'self'",
    connectSrc: `'self' ws://${host}`,
  });
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(html);
}

/** Serves `pathname` from `dir`; false when there is no such file there (the caller answers 404). */
export function serveStatic(req: IncomingMessage, res: ServerResponse, dir: string, pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  const root = resolve(dir);
  const file = resolve(root, `.${decoded}`);
  if (decoded.includes('\0') || !file.startsWith(root + sep)) return false;
  const type = CONTENT_TYPES[extname(file)];
  if (!type) return false;
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch {
    return false;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}
