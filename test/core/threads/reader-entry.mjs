// Worker entry: vitest does not transform worker files, so register tsx here and load the
// TypeScript reader (Node 20 does not apply `--import tsx` from a worker's execArgv here).
import { register } from 'tsx/esm/api';

register();
await import('./reader-worker.ts');
