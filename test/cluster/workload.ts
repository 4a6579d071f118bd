// A small deterministic workload for the cluster tests: people who show up as several records
// (customer, email, phone, device) across a few events each, so events merge into personas.

export interface WorkloadEvent {
  id: string;
  type: string;
  timestamp: string;
  identifiers: Record<string, string>;
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 1);

/** `people` persons of `tenant`, each seen in three events that together link all four of their ids. */
export function personEvents(tenant: string, people: number, offset = 0): WorkloadEvent[] {
  const events: WorkloadEvent[] = [];
  for (let k = offset; k < offset + people; k++) {
    const device = `${k.toString(16).padStart(8, '0')}-0000-4000-8000-${tenant.length.toString(16).padStart(12, '0')}`;
    const at = (n: number) => new Date(START + (k * 3 + n) * DAY_MS).toISOString();
    events.push(
      { id: `${tenant}-${k}-a`, type: 'checkout', timestamp: at(0), identifiers: { customer: `c-${k}`, email: `person${k}@example.bg` } },
      { id: `${tenant}-${k}-b`, type: 'login', timestamp: at(1), identifiers: { customer: `c-${k}`, device } },
      { id: `${tenant}-${k}-c`, type: 'subscribe', timestamp: at(2), identifiers: { email: `person${k}@example.bg`, phone: `+3598881${String(k).padStart(5, '0')}` } },
    );
  }
  return events;
}

/** Splits events into batches of `size`. */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
