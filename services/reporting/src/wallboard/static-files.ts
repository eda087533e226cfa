import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';

/** The page's files, hand-written ES modules and CSS (no bundler), next to src/. */
export const WALLBOARD_WEB_ROOT = path.resolve(__dirname, '..', '..', 'wallboard-web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
};

// Same-origin only; the token arrives in the URL fragment, which never leaves the browser.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** GET of a file in the web root (`/` is index.html); anything else is 404. Only names in the root, no sub-paths. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root = WALLBOARD_WEB_ROOT): Promise<void> {
  const url = (req.url ?? '/').split('?')[0];
  const name = url === '/' ? 'index.html' : url.slice(1);
  const type = TYPES[path.extname(name)];
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !/^[a-z0-9-]+\.[a-z]+$/.test(name) || type === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  try {
    const body = await readFile(path.join(root, name));
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...SECURITY_HEADERS }).end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}
