// A shop's own web server: serves test pages and vendored scripts on its own 127.0.0.1 port, so
// the pages run on another origin than the API and every API call from them is cross-origin.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** Serves `html` at `path` (e.g. `/shop.html`), whatever the query string. */
  setPage(path: string, html: string): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** `directories` maps a URL prefix (`/vendor/ajs/`) to a directory whose files it serves. */
export async function startPageServer(directories: Record<string, string> = {}): Promise<PageServer> {
  const pages = new Map<string, string>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page.invalid').pathname;
    const page = pages.get(path);
    if (page !== undefined) {
      response.writeHead(200, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-store' });
      response.end(page);
      return;
    }
    const file = fileFor(path, directories);
    if (file === null) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then((content) => {
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(content);
    }, () => response.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setPage: (path, html) => { pages.set(path, html); },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The file under a served directory that `path` names; null outside every one of them. */
function fileFor(path: string, directories: Record<string, string>): string | null {
  for (const [prefix, directory] of Object.entries(directories)) {
    if (!path.startsWith(prefix)) continue;
    const root = resolve(directory);
    const file = resolve(root, `.${sep}${decodeURIComponent(path.slice(prefix.length))}`);
    if (file.startsWith(root + sep)) return file;
  }
  return null;
}
