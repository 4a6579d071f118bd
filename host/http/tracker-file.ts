// The browser tracker script (static/t.js), read from disk and re-read when the file changes,
// with a content-hash ETag so browsers revalidate it cheaply.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface TrackerScript {
  body: Buffer;
  etag: string;
}

/**
 * Where t.js is: next to this module when running from source; a build (dist/host/http/) does not
 * copy static files, so there it is found back in the package's host/http/static/.
 */
export function defaultTrackerPath(): string {
  const beside = fileURLToPath(new URL('./static/t.js', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../host/http/static/t.js', import.meta.url));
}

/** A loader returning the current script, or null when the file does not exist. */
export function trackerLoader(path: string): () => TrackerScript | null {
  let cached: { mtimeMs: number; size: number; script: TrackerScript } | null = null;
  return () => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) return null;
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.script;
    const body = readFileSync(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    cached = { mtimeMs: stat.mtimeMs, size: stat.size, script: { body, etag } };
    return cached.script;
  };
}
