// The soak's mixed workload: event batches, single and batch lookups, persona reads and audience
// dedupes over a few tenants, in fixed proportions. Persona ids for the reads are learned from
// the lookups' answers, as a client would.
import { Random } from '../quality/random.js';
import type { LoadClient, Reply } from './http-client.js';
import { Traffic } from './traffic.js';

export const OPERATIONS = ['ingest', 'resolve-get', 'resolve-post', 'persona', 'dedupe'] as const;
export type Operation = (typeof OPERATIONS)[number];

const WEIGHTS: readonly (readonly [Operation, number])[] = [
  ['ingest', 30], ['resolve-get', 35], ['resolve-post', 10], ['persona', 20], ['dedupe', 5],
];
export const EVENTS_PER_BATCH = 20;
const LOOKUPS_PER_REQUEST = 100;
const RECIPIENTS_PER_DEDUPE = 200;
const KNOWN_PERSONAS_KEPT = 2000;

export interface Done {
  operation: Operation;
  reply: Reply;
  /** The answer is what the operation expects (a 404 for a lookup of a person not yet seen counts). */
  ok: boolean;
}

export class Workload {
  private readonly random: Random;
  private readonly traffic: Traffic[];
  private readonly personas = new Map<string, string[]>();

  constructor(seed: number, tenants: string[], population: number, private readonly client: LoadClient) {
    this.random = new Random(seed);
    // a fresh id prefix per run, so a run on a reused data directory is not all duplicates
    const run = `soak${Date.now().toString(36)}`;
    this.traffic = tenants.map((tenant, i) => new Traffic(seed + i, tenant, population, run));
  }

  /** Sends every tenant's first `batches` event batches, so that reads find people. */
  async preload(batches: number): Promise<void> {
    for (const traffic of this.traffic) {
      for (let b = 0; b < batches; b++) await this.ingest(traffic);
    }
  }

  /** One operation drawn from the mix. */
  next(): Promise<Done> {
    const traffic = this.random.pick(this.traffic);
    const operation = this.random.weighted(WEIGHTS);
    switch (operation) {
      case 'ingest': return this.ingest(traffic);
      case 'resolve-get': return this.resolveOne(traffic);
      case 'resolve-post': return this.resolveMany(traffic);
      case 'persona': return this.persona(traffic);
      case 'dedupe': return this.dedupe(traffic);
    }
  }

  private base(traffic: Traffic): string {
    return `/v1/tenants/${traffic.tenant}`;
  }

  private async ingest(traffic: Traffic): Promise<Done> {
    const reply = await this.client.send('POST', `${this.base(traffic)}/events`, { events: traffic.batch(EVENTS_PER_BATCH) });
    return { operation: 'ingest', reply, ok: reply.status === 200 };
  }

  private async resolveOne(traffic: Traffic): Promise<Done> {
    const [{ type, value }] = traffic.lookups(1);
    const reply = await this.client.send('GET', `${this.base(traffic)}/resolve?${type}=${encodeURIComponent(value)}`);
    if (reply.status === 200) this.remember(traffic.tenant, [(JSON.parse(reply.body) as { persona: { id: string } }).persona.id]);
    return { operation: 'resolve-get', reply, ok: reply.status === 200 || reply.status === 404 };
  }

  private async resolveMany(traffic: Traffic): Promise<Done> {
    const reply = await this.client.send('POST', `${this.base(traffic)}/resolve`, { identifiers: traffic.lookups(LOOKUPS_PER_REQUEST) });
    if (reply.status === 200) this.remember(traffic.tenant, (JSON.parse(reply.body) as { personas: (string | null)[] }).personas.filter((p): p is string => p !== null));
    return { operation: 'resolve-post', reply, ok: reply.status === 200 };
  }

  private async persona(traffic: Traffic): Promise<Done> {
    const known = this.personas.get(traffic.tenant);
    if (!known || known.length === 0) return this.resolveOne(traffic);
    const reply = await this.client.send('GET', `${this.base(traffic)}/personas/${this.random.pick(known)}`);
    return { operation: 'persona', reply, ok: reply.status === 200 };
  }

  private async dedupe(traffic: Traffic): Promise<Done> {
    const reply = await this.client.send('POST', `${this.base(traffic)}/audiences/dedupe`, { channel: 'email', recipients: traffic.recipients(RECIPIENTS_PER_DEDUPE) });
    return { operation: 'dedupe', reply, ok: reply.status === 200 };
  }

  /** Keeps a bounded, rolling sample of persona ids per tenant. */
  private remember(tenant: string, ids: string[]): void {
    const known = this.personas.get(tenant) ?? [];
    for (const id of ids) {
      if (known.length < KNOWN_PERSONAS_KEPT) known.push(id);
      else known[this.random.int(0, KNOWN_PERSONAS_KEPT - 1)] = id;
    }
    this.personas.set(tenant, known);
  }
}
