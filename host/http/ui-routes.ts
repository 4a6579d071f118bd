// The persona explorer (/ui): a web page over this same API, for people who would rather look
// than read JSON. Its files are static; the page calls the API with the tenant's secret key.
import { Type } from '@sinclair/typebox';
import { Reply, route, type RouteSpec } from './route.js';
import { UI_FILE_NAME, type UiFile, type UiFiles } from './ui-files.js';

/** Library builds change only with an upgrade: browsers may keep them a day, then revalidate. */
const VENDOR_MAX_AGE_SECONDS = 86_400;
const INDEX_FILE = 'index.html';

/**
 * The page runs with the tenant's secret key in reach: it may only load its own files and talk to
 * this server, and no other site may frame it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const FileParams = Type.Object({
  file: Type.String({ pattern: UI_FILE_NAME.source, description: 'file name' }),
});
const VendorParams = Type.Object({
  file: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*\\.js$', description: 'library build' }),
});

function reply(file: UiFile | null, cacheControl: string): Reply | null {
  return file && new Reply(200, file.body, {
    'Content-Type': file.contentType,
    'Cache-Control': cacheControl,
    ETag: file.etag,
    'X-Content-Type-Options': 'nosniff',
    ...(file.contentType.startsWith('text/html')
      ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Referrer-Policy': 'no-referrer' }
      : {}),
  });
}

// Own files revalidate on every load (by ETag), so a server upgrade shows at once.
const REVALIDATE = 'no-cache';

export function uiRoutes(files: UiFiles): RouteSpec[] {
  return [
    route({
      method: 'GET', path: '/ui', id: 'explorerPage', tag: 'explorer',
      summary: 'The persona explorer: find, inspect, split and erase personas; quality dashboard; changes feed',
      access: { kind: 'none' }, response: { mediaType: 'text/html' }, notFound: 'the explorer is not installed',
      handle: () => reply(files.page(INDEX_FILE), REVALIDATE),
    }),
    route({
      method: 'GET', path: '/ui/{file}', id: 'explorerFile', tag: 'explorer',
      summary: 'A script, style sheet or image of the explorer',
      access: { kind: 'none' }, params: FileParams, response: { mediaType: '*/*' }, notFound: 'no such explorer file',
      handle: ({ params }) => reply(files.page(params.file), REVALIDATE),
    }),
    route({
      method: 'GET', path: '/ui/vendor/{file}', id: 'explorerLibrary', tag: 'explorer',
      summary: 'A browser build of a library the explorer uses (cytoscape.min.js, chart.umd.js)',
      access: { kind: 'none' }, params: VendorParams, response: { mediaType: 'application/javascript' }, notFound: 'no such library build',
      handle: ({ params }) => reply(files.vendor(params.file), `public, max-age=${VENDOR_MAX_AGE_SECONDS}`),
    }),
  ];
}
