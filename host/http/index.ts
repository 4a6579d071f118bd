// The HTTP adapter's public surface (what the CLI uses).
export { createApp, createHttpApi, type AppOptions, type HttpApi } from './app.js';
export {
  startServer, isLoopback, openModeRefusal, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type ServerOptions, type RunningServer,
} from './server.js';
export { createLogger } from './logging.js';
export { DEFAULT_BODY_LIMIT_BYTES } from './body.js';
