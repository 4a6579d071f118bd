// The memory footprint breakdown (bench:core prints it): every byte the shard allocated belongs to
// exactly one listed structure, and the parent column and tables are the sizes the layout says.
import { describe, expect, it } from 'vitest';
import { FOOTPRINT_NAMES } from '../../host/engine/shard.js';
import { NODE } from '../../host/engine/layout.js';
import { EMAIL, DEVICE, newShard, ingest } from './helpers.js';

const PEOPLE = 30_000; // enough for several table rehashes and parent-column moves
const PARENT_SLOT_BYTES = 4;
const TABLE_SLOT_BYTES = 4;
const NODE_PAGE_RECORDS = 1 << 14; // assembly/layout.ts NODE_PAGE_SHIFT

describe('footprint', () => {
  it('accounts for every allocated byte, structure by structure', () => {
    const f = newShard();
    for (let start = 0; start < PEOPLE; start += 5_000) {
      const specs = Array.from({ length: 5_000 }, (_, k) => ({ ids: [[EMAIL, `p${start + k}@x.bg`], [DEVICE, `d${start + k}`]] as const, time: start + k }));
      ingest(f, specs, start + 1);
    }
    const { used, structures } = f.shard.footprint();
    expect(Object.keys(structures)).toEqual([...FOOTPRINT_NAMES]);
    const listed = Object.values(structures).reduce((a, b) => a + b, 0);
    // everything from the header on is a listed block: the shard's bytes are the header's address plus them
    expect(used - f.shard.coreExports().headerAddress()).toBe(listed);

    const { nodes } = f.shard.counts();
    expect(nodes).toBe(2 * PEOPLE);
    expect(structures.nodes).toBe(Math.ceil((nodes + 1) / NODE_PAGE_RECORDS) * NODE_PAGE_RECORDS * NODE.SIZE);
    // the parent column doubles: at least a slot per node, less than two
    expect(structures.parents).toBeGreaterThanOrEqual((nodes + 1) * PARENT_SLOT_BYTES);
    expect(structures.parents).toBeLessThan(2 * (nodes + 1) * PARENT_SLOT_BYTES);
    // tables stay at most 3/4 full, so they hold between 4/3 and 8/3 slots per entry
    expect(structures.identifierTable).toBeGreaterThanOrEqual((nodes * 4 / 3) * TABLE_SLOT_BYTES);
    expect(structures.identifierTable).toBeLessThanOrEqual((nodes * 8 / 3) * TABLE_SLOT_BYTES);
  });
});
