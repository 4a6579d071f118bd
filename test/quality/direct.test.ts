// The in-process runner used by the diagnostics must resolve exactly as the library facade does:
// same personas (ids included) for every profile, same scores.
import { describe, expect, it } from 'vitest';
import { runDirect } from '../../bench/quality/direct.js';
import { runEngine } from '../../bench/quality/engine.js';
import { scoreResolution } from '../../bench/quality/metrics.js';
import { parseKey } from '../../bench/quality/normalize.js';
import { simulateShops } from '../../bench/quality/simulator.js';

const sim = simulateShops({ seed: 3, people: 400, noise: 'high' });

describe('direct runner', () => {
  it('resolves every profile to the persona the facade gives it, guardrails on and off', async () => {
    for (const guardrails of [true, false]) {
      const direct = runDirect(sim, { guardrails });
      const facade = await runEngine(sim, { guardrails });
      try {
        for (const truth of sim.truth.tenants) {
          const keys = [...truth.profiles.keys()].map(parseKey);
          expect(await direct.resolver.resolve(truth.tenant, keys)).toEqual(await facade.resolver.resolve(truth.tenant, keys));
        }
        expect(await scoreResolution(sim, direct.resolver)).toEqual(await scoreResolution(sim, facade.resolver));
      } finally {
        await facade.close();
      }
    }
  });

  it('takes tenant settings as PUT /config does, and names a bad one', () => {
    expect(runDirect(sim, { limits: { phone: 1 } }).configs.get('shop-a')!.limits.phone).toBe(1);
    expect(() => runDirect(sim, { limits: { fax: 1 } })).toThrow(/limits\.fax: unknown identifier type/);
  });
});
