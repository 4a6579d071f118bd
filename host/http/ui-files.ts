// The explorer's files: its own page, scripts and styles (static/ui/), and the browser builds of
// the libraries it draws with, taken from node_modules so that nothing comes from a CDN and
// nothing needs a build step. Read from disk and re-read when they change, like /t.js.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackerLoader, type TrackerScript } from './tracker-file.js';

export interface UiFile extends TrackerScript {
  contentType: string;
}

export interface UiFiles {
  /** One of the explorer's own files by name (`index.html`, `app.js`), or null. */
  page(name: string): UiFile | null;
  /** A library's browser build by the name the page asks for (`cytoscape.min.js`), or null. */
  vendor(name: string): UiFile | null;
}

/** Names the explorer's files may have: one path segment, no dots but the extension's. */
export const UI_FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(?:html|js|css|svg)$/;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Found next to this module from sources; a build (dist/host/http/) finds it back in host/http/static/ui/. */
export function defaultUiDirectory(): string {
  const beside = fileURLToPath(new URL('./static/ui/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../host/http/static/ui/', import.meta.url));
}

const requireFromHere = createRequire(import.meta.url);

/** Where each library build is, or null when the library is not installed. */
const VENDOR_FILES: Record<string, () => string> = {
  'cytoscape.min.js': () => requireFromHere.resolve('cytoscape/dist/cytoscape.min.js'),
  // chart.js exports no deep paths: its UMD build sits beside the package's main entry
  'chart.umd.js': () => join(dirname(requireFromHere.resolve('chart.js')), 'chart.umd.js'),
};

function vendorPath(name: string): string | null {
  const locate = Object.hasOwn(VENDOR_FILES, name) ? VENDOR_FILES[name] : undefined;
  if (!locate) return null;
  try {
    return locate();
  } catch {
    return null;
  }
}

export function uiFiles(directory = defaultUiDirectory()): UiFiles {
  // one loader per existing file: names that match nothing never get one, so the map stays small
  const loaders = new Map<string, () => TrackerScript | null>();
  const load = (path: string | null): UiFile | null => {
    const contentType = path ? CONTENT_TYPES[extname(path)] : undefined;
    if (!path || !contentType) return null;
    let loader = loaders.get(path);
    if (!loader) {
      if (!existsSync(path)) return null;
      loader = trackerLoader(path);
      loaders.set(path, loader);
    }
    const file = loader();
    return file && { ...file, contentType };
  };
  return {
    page: (name) => (UI_FILE_NAME.test(name) ? load(join(directory, name)) : null),
    vendor: (name) => load(vendorPath(name)),
  };
}
