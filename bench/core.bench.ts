// `npm run bench:core`: the WASM core beside the union-find references (bench/core/).
// Options: --iterations N --ids N --unions N --finds N --seed N --skip-naive
import { runCoreBench } from './core/core.bench.js';

runCoreBench().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
