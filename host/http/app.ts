// The Koa app: the whole HTTP contract over one PersonaGraph.
import Koa from 'koa';
import type { Logger } from 'pino';
import type { GraphApi } from '../service/graph-api.js';
import { KeyAuthenticator } from './auth.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './body.js';
import { errorBoundary } from './errors.js';
import { createLogger, observeRequests } from './logging.js';
import { HttpMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { opsRoutes } from './ops-routes.js';
import { qualityRoutes } from './quality-routes.js';
import type { RouteSpec } from './route.js';
import type { RouteTable } from './route-table.js';
import { buildRouter } from './router.js';
import { tenantRoutes } from './tenant-routes.js';
import { defaultTrackerPath, trackerLoader } from './tracker-file.js';
import { uiFiles } from './ui-files.js';
import { uiRoutes } from './ui-routes.js';
import { wireRoutes } from './wire-routes.js';

export interface AppOptions {
  /** Largest request body, in bytes (after gzip decompression too); default 10 MB. */
  bodyLimitBytes?: number;
  /** Default: JSON lines on stdout at LOG_LEVEL (info). */
  logger?: Logger;
  /** Successful GETs answered within this many ms are logged at debug only (default DEFAULT_SLOW_READ_MS). */
  slowReadMs?: number;
  /** What /readyz reports; default: always ready (the graph is open). */
  ready?: () => boolean;
  /**
   * Whether requests are let through while no key exists (default true). A server bound to a
   * public address passes false, so revoking the last key locks it instead of opening it.
   */
  openWhenNoKeys?: boolean;
  /** The tracker script served at /t.js; default host/http/static/t.js. */
  trackerPath?: string;
  /** Export the process metrics (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
  /** `info.version` of the OpenAPI document. */
  version?: string;
}

export interface HttpApi {
  app: Koa;
  /** Which route serves a request. */
  table: RouteTable;
  /** Every route, as registered and as documented. */
  routes: RouteSpec[];
  metrics: HttpMetrics;
}

const API_TITLE = 'persona-graph';
const DEFAULT_VERSION = '1.0.0';

export function createHttpApi(graph: GraphApi, options: AppOptions = {}): HttpApi {
  const logger = options.logger ?? createLogger();
  const metrics = new HttpMetrics(graph, { processMetrics: options.processMetrics });
  const auth = new KeyAuthenticator(graph.keys, { openWhenNoKeys: options.openWhenNoKeys ?? true });
  let document: object | undefined;
  const routes: RouteSpec[] = [
    ...tenantRoutes(graph, metrics),
    ...wireRoutes(graph, metrics),
    ...qualityRoutes(graph),
    ...uiRoutes(uiFiles()),
    ...opsRoutes({
      ready: options.ready ?? (() => true),
      metrics,
      document: () => (document ??= openApiDocument(routes, { title: API_TITLE, version: options.version ?? DEFAULT_VERSION })),
      tracker: trackerLoader(options.trackerPath ?? defaultTrackerPath()),
    }),
  ];
  const { table, dispatch } = buildRouter(routes, {
    auth,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    onTenantServed: (tenant) => metrics.noteTenant(tenant),
  });

  const app = new Koa();
  app.silent = true; // every error is answered and logged by errorBoundary
  app.on('error', (err: unknown) => logger.error({ err }, 'koa error'));
  app.use(observeRequests(logger, metrics, errorBoundary(logger, dispatch), options.slowReadMs));
  return { app, table, routes, metrics };
}

/** The Koa app serving the HTTP contract over `graph`. */
export function createApp(graph: GraphApi, options: AppOptions = {}): Koa {
  return createHttpApi(graph, options).app;
}
