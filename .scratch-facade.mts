import { PersonaGraph } from './host/index.js';
import { seedEvents } from './bench/http/workload.js';
const graph = await PersonaGraph.open({ shards: 2 });
for (let f = 0; f < 20000; f += 5000) await graph.ingest('shop-a', seedEvents(f, f + 5000));
for (const [type, value] of [['email', 'person.5@shop-mail.bg'], ['customer', 'cust-5']] as const) {
  for (let round = 0; round < 3; round++) {
    const n = 20000;
    const t = performance.now();
    for (let i = 0; i < n; i++) await graph.personaOf('shop-a', { type, value });
    const ms = performance.now() - t;
    const p = await graph.personaOf('shop-a', { type, value });
    const t2 = performance.now();
    for (let i = 0; i < n; i++) JSON.stringify(p);
    const ms2 = performance.now() - t2;
    console.log(type, ((ms * 1000) / n).toFixed(1), 'µs personaOf;', ((ms2 * 1000) / n).toFixed(2), 'µs stringify', JSON.stringify(p).length, 'bytes');
  }
}
await graph.close();
