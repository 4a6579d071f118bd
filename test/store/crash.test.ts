import { it } from 'vitest';
import { openStore, type Durability } from '../../host/store/index.js';
import { killGroup, makeTempDir, spawnFixture, watchLines } from './helpers.js';

const ACKS_BEFORE_KILL = 50;

// Both settings must survive a process crash ('normal' gives up only on power loss).
it.concurrent.for<Durability>(['full', 'normal'])(
  "keeps every acknowledged append of a process killed with SIGKILL mid-stream (durability '%s')",
  async (durability, { expect }) => {
    const temp = makeTempDir();
    try {
      const child = spawnFixture('append-until-killed.ts', [temp.dir, durability]);
      const acked: { seq: number; n: number }[] = [];
      const finished = watchLines(child, (line) => {
        const [seq, n] = line.split(' ').map(Number);
        acked.push({ seq, n });
        // Kill while the child is still appending: the next append may be half written.
        if (acked.length === ACKS_BEFORE_KILL) killGroup(child, 'SIGKILL');
      });
      const { signal, stderr } = await finished;
      expect(signal, stderr).toBe('SIGKILL');
      expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

      const store = openStore(temp.dir);
      try {
        const entries = new Map(store.log.read(0, acked.length + 10).map((e) => [e.seq, e.items]));
        for (const { seq, n } of acked) {
          expect(entries.get(seq)).toEqual([
            { n, part: 'a' },
            { n, part: 'b' },
          ]);
        }
        // Retrying an acknowledged event after the crash is still recognised as a duplicate.
        const last = acked[acked.length - 1].n;
        expect(store.log.append('shop-a', 'events', [{ id: `e${last}-b`, body: {} }]).duplicate).toEqual([true]);
      } finally {
        store.close();
      }
    } finally {
      temp.remove();
    }
  },
);
