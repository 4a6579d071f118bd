// Campaign claims: which persona ids were already handed out for a campaign. A persona is
// claimed through all of its ids (current id and aliases), so a claim made through an id that
// later merged into another persona still covers it.
import type { Statement } from 'better-sqlite3';
import type { ClaimStore } from './types.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { requireArray, requireNonEmptyString, requireTenant } from './validate.js';

export class SqliteClaimStore implements ClaimStore {
  private readonly recordId: Statement<[string, string, string]>;
  private readonly claimTransaction: (tenant: string, campaign: string, personaKeys: string[][]) => boolean[];

  constructor(db: SqliteDatabase) {
    this.recordId = db.prepare('INSERT OR IGNORE INTO campaign_claims (tenant, campaign, id) VALUES (?, ?, ?)');
    // IMMEDIATE: concurrent claims on the same campaign run one after the other, whole.
    this.claimTransaction = db.transaction((tenant: string, campaign: string, personaKeys: string[][]) =>
      personaKeys.map((ids) => {
        // Record every id (so later aliases stay covered); the persona is new only if each one was.
        let allNew = true;
        for (const id of ids) {
          if (this.recordId.run(tenant, campaign, id).changes === 0) allNew = false;
        }
        return allNew;
      }),
    ).immediate;
  }

  claim(tenant: string, campaign: string, personaKeys: string[][]): boolean[] {
    requireTenant(tenant);
    requireNonEmptyString(campaign, 'campaign');
    requireArray(personaKeys, 'personaKeys');
    const distinctKeys = personaKeys.map((ids, i) => {
      requireArray(ids, `personaKeys[${i}]`);
      if (ids.length === 0) throw new RangeError(`personaKeys[${i}] must list at least one id`);
      ids.forEach((id, j) => requireNonEmptyString(id, `personaKeys[${i}][${j}]`));
      // An id listed twice for one persona must not make it look claimed already.
      return [...new Set(ids)];
    });
    return this.claimTransaction(tenant, campaign, distinctKeys);
  }
}
