// Scores a resolution (the engine, or a reference line) against a simulation's ground truth,
// per tenant and overall, as shared/docs/quality-benchmark.md defines:
// - pairwise precision/recall over profiles (devices, customers, subscribers; shared devices
//   left out), from cluster contingency counts, never by enumerating pairs;
// - the largest persona, in profiles (shared devices included: a kiosk swallowing shoppers shows);
// - latest-email accuracy: for each person with an email in the tenant, the persona their anchor
//   profile resolves to has, as `email`, the truly latest address (compared as mailboxes: case,
//   spaces, gmail dots and +tags do not matter);
// - an email campaign to every consenting email subscriber through `audience`.
import type { AudienceResult, Identifier } from '../../host/types.js';
import { canonicalEmail, identifierKey, parseKey } from './normalize.js';
import type { Resolver, Simulation, TenantTruth } from './types.js';

/** The contract's limit of lookups per POST /resolve. */
export const RESOLVE_BATCH_SIZE = 10_000;
// Persona lookups in flight at once (keeps an HTTP-backed resolver busy without flooding it).
const PERSONA_LOOKUP_CONCURRENCY = 64;

export interface PairCounts {
  /** Pairs of profiles of one person that resolve to one persona. */
  truePositive: number;
  /** Pairs of profiles that resolve to one persona. */
  predicted: number;
  /** Pairs of profiles of one person. */
  actual: number;
}

export interface CampaignScore {
  /** Consenting email subscriptions the campaign was sent to (the audience's inputs). */
  subscribers: number;
  /** Distinct people behind those subscriptions. */
  people: number;
  messages: number;
  /** People whose own addresses received two or more messages. */
  reachedTwice: number;
  /** People whose addresses received no message. */
  notReached: number;
  /** Messages to an address owned by none of the people behind the message's inputs. */
  wrongPerson: number;
  /** Inputs the audience reported as unreachable. */
  unreachable: number;
}

export interface QualityScore {
  /** Profiles scored pairwise (shared devices excluded). */
  profiles: number;
  pairs: PairCounts;
  /** truePositive / predicted; 1 when nothing was merged. */
  precision: number;
  /** truePositive / actual; 1 when no person has two profiles. */
  recall: number;
  /** Profiles (shared devices included) in the biggest persona. */
  largestPersona: number;
  latestEmail: { correct: number; total: number; accuracy: number };
  campaign: CampaignScore;
}

export interface TenantScore extends QualityScore {
  tenant: string;
}

export interface ResolutionScore {
  tenants: TenantScore[];
  overall: QualityScore;
}

export async function scoreResolution(sim: Simulation, resolver: Resolver): Promise<ResolutionScore> {
  const tenants: TenantScore[] = [];
  for (const truth of sim.truth.tenants) tenants.push({ tenant: truth.tenant, ...(await scoreTenant(sim, truth, resolver)) });
  return { tenants, overall: combine(tenants) };
}

async function scoreTenant(sim: Simulation, truth: TenantTruth, resolver: Resolver): Promise<QualityScore> {
  const profileKeys = [...truth.profiles.keys()];
  const personas = await resolveAll(resolver, truth.tenant, profileKeys.map(parseKey));
  const personaOf = new Map(profileKeys.map((key, i) => [key, personas[i]]));
  const owners = profileKeys.map((key) => truth.profiles.get(key)!);
  const clusters = clusterCounts(personas, owners);
  return {
    ...clusters,
    latestEmail: await latestEmailScore(truth, personaOf, resolver),
    campaign: await campaignScore(sim, truth, resolver),
  };
}

/** Pair counts and the largest cluster from persona ids and true owners (null: shared, not scored). */
export function clusterCounts(
  personas: readonly (string | null)[],
  owners: readonly (number | null)[],
): Pick<QualityScore, 'profiles' | 'pairs' | 'precision' | 'recall' | 'largestPersona'> {
  const cells = new Map<string, number>();
  const predictedSizes = new Map<string, number>();
  const actualSizes = new Map<number, number>();
  const allSizes = new Map<string, number>();
  let profiles = 0;
  personas.forEach((persona, i) => {
    // A profile the resolver does not know is a persona of its own.
    const cluster = persona ?? `\u0000unknown-${i}`;
    increment(allSizes, cluster);
    const owner = owners[i];
    if (owner === null) return;
    profiles++;
    increment(cells, `${cluster}\u0000${owner}`);
    increment(predictedSizes, cluster);
    increment(actualSizes, owner);
  });
  const pairs = { truePositive: sumOfPairs(cells), predicted: sumOfPairs(predictedSizes), actual: sumOfPairs(actualSizes) };
  return { profiles, pairs, ...precisionRecall(pairs), largestPersona: maxOf(allSizes.values()) };
}

async function latestEmailScore(
  truth: TenantTruth,
  personaOf: Map<string, string | null>,
  resolver: Resolver,
): Promise<QualityScore['latestEmail']> {
  const people = truth.people.filter((person) => person.latestEmail !== null);
  const personaIds = people.map((person) => (person.anchor === null ? null : personaOf.get(person.anchor) ?? null));
  const emails = await personaEmails(resolver, truth.tenant, personaIds);
  let correct = 0;
  people.forEach((person, i) => {
    const id = personaIds[i];
    const email = id === null ? null : emails.get(id);
    if (email != null && canonicalEmail(email) === canonicalEmail(person.latestEmail!)) correct++;
  });
  return { correct, total: people.length, accuracy: people.length === 0 ? 1 : correct / people.length };
}

async function personaEmails(resolver: Resolver, tenant: string, ids: (string | null)[]): Promise<Map<string, string | null>> {
  const unique = [...new Set(ids.filter((id): id is string => id !== null))];
  const emails = new Map<string, string | null>();
  for (let i = 0; i < unique.length; i += PERSONA_LOOKUP_CONCURRENCY) {
    const chunk = unique.slice(i, i + PERSONA_LOOKUP_CONCURRENCY);
    const found = await Promise.all(chunk.map((id) => resolver.persona(tenant, id)));
    chunk.forEach((id, j) => {
      const email = found[j]?.email;
      if (email !== null && typeof email !== 'string') {
        throw new Error(`persona(${tenant}, ${id}) returned ${JSON.stringify(found[j])}: expected { email: string | null }`);
      }
      emails.set(id, email);
    });
  }
  return emails;
}

async function campaignScore(sim: Simulation, truth: TenantTruth, resolver: Resolver): Promise<CampaignScore> {
  const subscriptions = truth.emailSubscriptions.filter((s) => s.consent);
  const recipients: Identifier[] = subscriptions.map((s) => ({ type: 'subscriber', value: s.subscriber }));
  const result = await resolver.audience(truth.tenant, recipients);
  checkAudience(result, recipients.length, truth.tenant);

  const targets = new Set(subscriptions.map((s) => s.person));
  const messagesPerPerson = new Map<number, number>();
  let wrongPerson = 0;
  for (const message of result.recipients) {
    const key = identifierKey('email', message.address);
    const owner = key === null ? undefined : sim.truth.addressOwners.get(key);
    const behind = new Set(message.inputs.map((i) => subscriptions[i].person));
    if (owner === undefined || !behind.has(owner)) wrongPerson++;
    if (owner !== undefined && targets.has(owner)) increment(messagesPerPerson, owner);
  }
  let reachedTwice = 0;
  for (const count of messagesPerPerson.values()) if (count >= 2) reachedTwice++;
  return {
    subscribers: subscriptions.length,
    people: targets.size,
    messages: result.recipients.length,
    reachedTwice,
    notReached: targets.size - messagesPerPerson.size,
    wrongPerson,
    unreachable: result.unreachable.length,
  };
}

function checkAudience(result: AudienceResult, inputs: number, tenant: string): void {
  if (!result || !Array.isArray(result.recipients) || !Array.isArray(result.unreachable)) {
    throw new Error(`audience(${tenant}) returned no recipients/unreachable arrays`);
  }
  for (const message of result.recipients) {
    if (typeof message.address !== 'string' || !Array.isArray(message.inputs)) {
      throw new Error(`audience(${tenant}) returned a malformed recipient: ${JSON.stringify(message)}`);
    }
    for (const index of message.inputs) {
      if (!Number.isInteger(index) || index < 0 || index >= inputs) {
        throw new Error(`audience(${tenant}) recipient input index ${String(index)} is outside 0..${inputs - 1}`);
      }
    }
  }
}

async function resolveAll(resolver: Resolver, tenant: string, identifiers: Identifier[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < identifiers.length; i += RESOLVE_BATCH_SIZE) {
    const batch = identifiers.slice(i, i + RESOLVE_BATCH_SIZE);
    const personas = await resolver.resolve(tenant, batch);
    if (!Array.isArray(personas) || personas.length !== batch.length) {
      throw new Error(`resolve(${tenant}) answered ${Array.isArray(personas) ? personas.length : typeof personas} ids for ${batch.length} identifiers`);
    }
    out.push(...personas);
  }
  return out;
}

function combine(tenants: QualityScore[]): QualityScore {
  const sum = (pick: (s: QualityScore) => number) => tenants.reduce((total, s) => total + pick(s), 0);
  const pairs = {
    truePositive: sum((s) => s.pairs.truePositive),
    predicted: sum((s) => s.pairs.predicted),
    actual: sum((s) => s.pairs.actual),
  };
  const latestCorrect = sum((s) => s.latestEmail.correct);
  const latestTotal = sum((s) => s.latestEmail.total);
  return {
    profiles: sum((s) => s.profiles),
    pairs,
    ...precisionRecall(pairs),
    largestPersona: maxOf(tenants.map((s) => s.largestPersona)),
    latestEmail: { correct: latestCorrect, total: latestTotal, accuracy: latestTotal === 0 ? 1 : latestCorrect / latestTotal },
    campaign: {
      subscribers: sum((s) => s.campaign.subscribers),
      people: sum((s) => s.campaign.people),
      messages: sum((s) => s.campaign.messages),
      reachedTwice: sum((s) => s.campaign.reachedTwice),
      notReached: sum((s) => s.campaign.notReached),
      wrongPerson: sum((s) => s.campaign.wrongPerson),
      unreachable: sum((s) => s.campaign.unreachable),
    },
  };
}

function precisionRecall(pairs: PairCounts): { precision: number; recall: number } {
  return {
    precision: pairs.predicted === 0 ? 1 : pairs.truePositive / pairs.predicted,
    recall: pairs.actual === 0 ? 1 : pairs.truePositive / pairs.actual,
  };
}

function sumOfPairs<K>(sizes: Map<K, number>): number {
  let pairs = 0;
  for (const n of sizes.values()) pairs += (n * (n - 1)) / 2;
  return pairs;
}

function maxOf(values: Iterable<number>): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
