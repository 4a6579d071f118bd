// Calls between nodes: a node that does not own a tenant's partition sends the facade call to the
// owner over NATS request/reply (one subject per node) and hands back its answer or its error.
import { errors } from '@nats-io/transport-node';
import { RequestError } from '../../types.js';

/** Facade methods that may be forwarded; the rest never reach another node. */
export const FORWARDED_METHODS = [
  'ingest', 'configure', 'split', 'claim', 'erase', 'deletePersona',
  'resolve', 'personaOf', 'persona', 'dedupe', 'graph', 'stats', 'changes', 'quality',
] as const;
export type ForwardedMethod = (typeof FORWARDED_METHODS)[number];
/** Reads may be sent again after a timeout; a write's outcome is then unknown (its event ids make the client's retry safe). */
const READ_METHODS: ReadonlySet<string> = new Set(['resolve', 'personaOf', 'persona', 'dedupe', 'graph', 'stats', 'changes', 'quality']);

export interface CallRequest {
  tenant: string;
  method: ForwardedMethod;
  args: unknown[];
  minSeq?: number;
}

type CallReply = { result: unknown } | { error: { status: number; code: string; message: string; details?: unknown } };

export function callSubject(node: string): string {
  return `pg.node.${node}.call`;
}

/** Where a node asks the current owner to hand a partition over to it (see ClusterGraph). */
export function handoverSubject(node: string): string {
  return `pg.node.${node}.handover`;
}

export function decodeRequest(data: Uint8Array): CallRequest {
  const request = JSON.parse(Buffer.from(data).toString('utf8')) as CallRequest;
  if (typeof request.tenant !== 'string' || !FORWARDED_METHODS.includes(request.method) || !Array.isArray(request.args)) {
    throw new RequestError(400, 'invalid_forward', 'malformed forwarded call');
  }
  return request;
}

export function encodeReply(outcome: { result: unknown } | { error: unknown }): string {
  if ('result' in outcome) return JSON.stringify({ result: outcome.result ?? null } satisfies CallReply);
  const err = outcome.error;
  const error = err instanceof RequestError
    ? { status: err.status, code: err.code, message: err.message, details: err.details }
    : { status: 500, code: 'internal', message: err instanceof Error ? err.message : String(err) };
  return JSON.stringify({ error } satisfies CallReply);
}

/** The owner's answer, or its error rethrown here as the same RequestError. */
export function decodeReply(data: Uint8Array): unknown {
  const reply = JSON.parse(Buffer.from(data).toString('utf8')) as CallReply;
  if ('result' in reply) return reply.result;
  const { status, code, message, details } = reply.error;
  throw new RequestError(status, code, message, details);
}

/** Whether routing may try `method` again after `err` (the call did not run, or running it again is harmless). */
export function isRetriable(err: unknown, method: string): boolean {
  if (err instanceof RequestError) return err.code === 'not_owner' || (err.code === 'owner_lost' && READ_METHODS.has(method));
  if (err instanceof errors.NoRespondersError) return true;
  if (err instanceof errors.RequestError) return err.isNoResponders() || (err.cause instanceof errors.TimeoutError && READ_METHODS.has(method));
  return err instanceof errors.TimeoutError && READ_METHODS.has(method);
}
