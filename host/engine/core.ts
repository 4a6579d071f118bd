// Loads the WASM core once per thread and instantiates it over a shard's shared memory.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instantiateSync } from '@assemblyscript/loader';
import { checkLayout } from './layout.js';
import { traceStartup } from '../util/startup-trace.js';

/** The core's exports (assembly/index.ts). Pointers and indices are u32 numbers. */
export interface CoreExports {
  headerAddress(): number;
  initShard(): number;
  registerTenant(ptr: number, len: number): number;
  configureTenant(tenant: number, flags: number, settings: number): void;
  tenantCount(): number;
  applyEvents(ptr: number, len: number, seq: number): number;
  applyEventsUnfinished(ptr: number, len: number, seq: number): void;
  splitPersona(root: number, nodes: number, nodeCount: number, edges: number, edgeCount: number): number;
  eraseNode(node: number): number;
  lookup(tenant: number, type: number, ptr: number, len: number): number;
  rootOf(node: number): number;
  personaOfNode(node: number): number;
  nodePartners(node: number): number;
  personaRecordById(lo: number, hi: number): number;
  personaRecordOfFounder(node: number): number;
  /** Persona id of a record as a signed i64 (read it with BigInt.asUintN(64, …)); 0 while a reader races its founding. */
  personaId(rec: number): bigint;
  resolveBatch(tenant: number, ptr: number, count: number, out: number): number;
  nodeAddress(node: number): number;
  personaCreated(rec: number): number;
  nodeValueEntry(node: number): number;
  personaValues(rec: number): number;
  valuesAddress(values: number): number;
  edgeAddress(edge: number): number;
  tenantAddress(tenant: number): number;
  arenaAddress(offset: number): number;
  readerSlot(slot: number): number;
  writerInbox(bytes: number): number;
  usedBytes(): number;
  nodeCount(): number;
  edgeCount(): number;
  personaRecordCount(): number;
  lastError(): number;
  journalCount(): number;
  journalEntries(): number;
  journalClear(): void;
  journalOverflowed(): number;
  benchUnitePairs(pairs: number, count: number): number;
  benchFindRoots(nodes: number, count: number, out: number): void;
  benchResolveSteps(tenant: number, ptr: number, count: number, out: number, upTo: number): void;
  xxh64(ptr: number, len: number, seed: bigint): bigint;
  footprint(out: number): void;
}

export interface CoreConstants {
  NODE_SIZE: number; EDGE_SIZE: number; TENANT_SIZE: number; VALUES_SIZE: number;
  READER_SLOTS: number; READER_SLOT_BYTES: number; HEADER_SIZE: number;
}

export const WASM_PAGE_BYTES = 65536;
/** 65,536 pages: the 4 GiB ceiling of 32-bit WebAssembly memory. */
export const MAX_PAGES = 65536;

let compiled: WebAssembly.Module | undefined;

// build/core.wasm sits at the package root: two levels up from host/engine/ when running from
// sources, three from dist/host/engine/ when running the compiled package.
const WASM_CANDIDATES = ['../../build/core.wasm', '../../../build/core.wasm'];

function coreModule(): WebAssembly.Module {
  if (!compiled) {
    const paths = WASM_CANDIDATES.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url)));
    const path = paths.find((p) => existsSync(p));
    if (!path) throw new Error(`WASM core not found at ${paths.join(' or ')}: run "npm run asbuild" first`);
    compiled = new WebAssembly.Module(new Uint8Array(readFileSync(path)));
    traceStartup('WASM core compiled');
  }
  return compiled;
}

export function createShardMemory(maximumPages = MAX_PAGES): WebAssembly.Memory {
  if (!Number.isInteger(maximumPages) || maximumPages < 1 || maximumPages > MAX_PAGES) {
    throw new RangeError(`maximumPages must be an integer in 1..${MAX_PAGES}, got ${maximumPages}`);
  }
  return new WebAssembly.Memory({ initial: 1, maximum: maximumPages, shared: true });
}

/**
 * The loader wraps every function export in a rest/spread function that first sets the arguments
 * length for exports with optional parameters (~4 % of a GET /resolve, three calls per lookup). The
 * core exports no argument-length setter, so the wrappers do nothing else: call what they wrap.
 */
function rawFunctionExports<T extends { exports: Record<string, unknown> }>(instance: T): T {
  const { exports } = instance;
  if ('__argumentsLength' in exports || '__setArgumentsLength' in exports || '__setargc' in exports) return instance;
  for (const [name, value] of Object.entries(exports)) {
    const original = typeof value === 'function' ? (value as { original?: unknown }).original : undefined;
    if (typeof original === 'function') exports[name] = original;
  }
  return instance;
}

export function instantiateCore(memory: WebAssembly.Memory): { exports: CoreExports; constants: CoreConstants } {
  const { exports } = rawFunctionExports(instantiateSync<Record<string, unknown>>(coreModule(), { env: { memory } }));
  const value = (name: string) => (exports[name] as WebAssembly.Global).value as number;
  const constants: CoreConstants = {
    NODE_SIZE: value('NODE_SIZE'), EDGE_SIZE: value('EDGE_SIZE'),
    TENANT_SIZE: value('TENANT_SIZE'), VALUES_SIZE: value('VALUES_SIZE'), READER_SLOTS: value('READER_SLOTS'),
    READER_SLOT_BYTES: value('READER_SLOT_BYTES'), HEADER_SIZE: value('HEADER_SIZE'),
  };
  checkLayout(constants);
  return { exports: exports as unknown as CoreExports, constants };
}
