#!/usr/bin/env node
// persona-graph command line: a thin adapter over the library facade.
//   serve [--host H] [--port P] [--data DIR] [--body-limit BYTES]
//   import FILE --tenant T [--data DIR] [--format ndjson|csv]
//   resolve --tenant T (--email X | --phone X | --device X | --customer X | --subscriber X) [--data DIR]
//   keys create --tenant T --role write|secret|admin [--data DIR | --log nats://…] | keys list | keys revoke KEY_ID
import { parseArgs } from 'node:util';
// Command modules are imported by the command that needs them: `serve` starts its writer threads
// before loading the HTTP layer, and loads nothing of import or keys.
import { IDENTIFIER_TYPES, type IdentifierType } from './types.js';
import type { ImportProgress } from './service/importer.js';
import type { GraphApi } from './service/graph-api.js';
import type { CreatedKey, FoundKey, KeyInfo, KeyRole } from './store/index.js';
import { CLUSTER_SERVE_FLAGS, clusterOptionsFrom } from './service/cluster/serve-options.js';
import { traceStartup } from './util/startup-trace.js';

traceStartup('cli modules loaded');

const USAGE = `usage:
  persona-graph serve [--host 127.0.0.1] [--port 8080] [--data ./data] [--body-limit 10485760]
  persona-graph serve --log nats://H:P[,nats://H:P…] [--replicas 1|3] [--partitions 64] [--node ID] [--lease-ms 3000] [--request-timeout-ms 5000]
  persona-graph import FILE --tenant T [--format ndjson|csv] [--data ./data]
  persona-graph resolve --tenant T --email X   (or --phone, --device, --customer, --subscriber) [--data ./data]
  persona-graph keys create --tenant T --role write|secret|admin [--data ./data | --log nats://H:P [--replicas 3]]
  persona-graph keys list [--data ./data | --log nats://H:P]
  persona-graph keys revoke KEY_ID|KEY [--data ./data | --log nats://H:P]
  (with --log or PERSONA_LOG the keys are the cluster's, checked by every node)
Environment: PERSONA_HOST, PERSONA_PORT, PERSONA_DATA, PERSONA_BODY_LIMIT; cluster: PERSONA_LOG, PERSONA_LOG_REPLICAS, PERSONA_PARTITIONS, PERSONA_NODE, PERSONA_LEASE_MS, PERSONA_LOG_TIMEOUT_MS.`;

class UsageError extends Error {}

/** node:util parseArgs refusing an unknown option or a missing value: a usage mistake like UsageError. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}

const dataDirOf = (value: string | undefined) => value ?? process.env.PERSONA_DATA ?? './data';

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args, options: { host: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' }, 'body-limit': { type: 'string' }, ...CLUSTER_SERVE_FLAGS },
  });
  const host = values.host ?? process.env.PERSONA_HOST ?? '127.0.0.1';
  const portText = values.port ?? process.env.PERSONA_PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${portText}`);
  // the contract's request body limit: 10 MB unless the operator sets it
  const bodyLimitText = values['body-limit'] ?? process.env.PERSONA_BODY_LIMIT;
  const bodyLimitBytes = bodyLimitText === undefined ? undefined : Number(bodyLimitText);
  if (bodyLimitBytes !== undefined && !(Number.isSafeInteger(bodyLimitBytes) && bodyLimitBytes > 0)) {
    throw new UsageError(`--body-limit must be a positive number of bytes, got ${bodyLimitText}`);
  }
  const cluster = clusterOptionsFrom(values);
  // The graph opens (its writer threads restore their shards) while this thread loads the HTTP layer.
  const opening = (await startOpening(cluster, values.data)).graph;
  opening.catch(() => undefined); // awaited below, where a failure is reported
  const { startServer } = await import('./http/server.js');
  traceStartup('http modules loaded');
  const graph = await opening;
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ graph, host, port, bodyLimitBytes });
  } catch (error) {
    await graph.close();
    throw error;
  }
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: finishing requests and writing snapshots\n`);
    server.shutdown().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/**
 * Loads the served graph's module and starts opening it: --log / PERSONA_LOG a node of a cluster over
 * NATS JetStream, otherwise the embedded store. Resolves once opening has begun (wrapped, so the
 * caller does not wait for the graph itself).
 */
async function startOpening(cluster: ReturnType<typeof clusterOptionsFrom>, dataDir: string | undefined): Promise<{ graph: Promise<GraphApi> }> {
  if (cluster) return { graph: (await import('./service/cluster/cluster-graph.js')).ClusterGraph.open(cluster) };
  const { PersonaGraph } = await import('./service/persona-graph.js');
  return { graph: PersonaGraph.open({ dataDir: dataDirOf(dataDir) }) };
}

function progressPrinter(): (p: ImportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 200 && p.bytesRead < p.totalBytes) return;
    last = now;
    const share = p.totalBytes === 0 ? 1 : Math.min(1, p.bytesRead / p.totalBytes);
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const text = `[${bar}] ${(share * 100).toFixed(1)}%  lines ${p.lines}  accepted ${p.accepted}  rejected ${p.rejected}  duplicates ${p.duplicates}`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  };
}

async function importCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { tenant: { type: 'string' }, data: { type: 'string' }, format: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.tenant) throw new UsageError('import needs FILE and --tenant');
  if (values.format && values.format !== 'ndjson' && values.format !== 'csv') throw new UsageError('--format is ndjson or csv');
  const [{ PersonaGraph }, { importFile }] = await Promise.all([import('./service/persona-graph.js'), import('./service/importer.js')]);
  const graph = await PersonaGraph.open({ dataDir: dataDirOf(values.data) });
  try {
    const started = Date.now();
    const summary = await importFile(graph, values.tenant, positionals[0], { format: values.format as 'ndjson' | 'csv' | undefined, onProgress: progressPrinter() });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ ...summary, seconds, eventsPerSecond: Math.round(summary.lines / Math.max(seconds, 0.001)) }, null, 2)}\n`);
  } finally {
    await graph.close();
  }
}

async function resolveCommand(args: string[]): Promise<void> {
  const options: Record<string, { type: 'string' }> = { tenant: { type: 'string' }, data: { type: 'string' } };
  for (const type of IDENTIFIER_TYPES) options[type] = { type: 'string' };
  const { values } = parseArgs({ args, options });
  const given = IDENTIFIER_TYPES.filter((t) => values[t] !== undefined);
  if (!values.tenant || given.length !== 1) throw new UsageError('resolve needs --tenant and exactly one of --email, --phone, --device, --customer, --subscriber');
  const type = given[0] as IdentifierType;
  const { PersonaGraph } = await import('./service/persona-graph.js');
  const graph = await PersonaGraph.open({ dataDir: dataDirOf(values.data as string | undefined) });
  try {
    const persona = await graph.personaOf(values.tenant as string, { type, value: values[type] as string });
    process.stdout.write(`${JSON.stringify(persona, null, 2)}\n`);
    if (!persona) process.exitCode = 1;
  } finally {
    await graph.close();
  }
}

/** What the keys command needs from a key store: the embedded one is synchronous, the cluster's is not. */
interface KeyAdmin {
  create(tenant: string, role: KeyRole): CreatedKey | Promise<CreatedKey>;
  list(): KeyInfo[];
  revoke(id: string): boolean | Promise<boolean>;
  /** The active key whose secret this is, or null. */
  find(presented: string): FoundKey | null;
  close(): void | Promise<void>;
}

async function openKeyAdmin(values: { data?: string; log?: string; replicas?: string }): Promise<KeyAdmin> {
  const cluster = clusterOptionsFrom({ log: values.log, replicas: values.replicas });
  if (!cluster) {
    const { openKeyStore } = await import('./service/data-dir.js');
    const { keys, close } = openKeyStore(dataDirOf(values.data));
    return {
      create: (t, r) => keys.createKey(t, r), list: () => keys.listKeys(), revoke: (id) => keys.revokeKey(id),
      find: (presented) => keys.findKey(presented), close,
    };
  }
  const { JetStreamConnection } = await import('./store/jetstream-connection.js');
  const { ClusterKeyStore } = await import('./service/cluster/cluster-keys.js');
  const conn = await JetStreamConnection.connect({ servers: cluster.servers, replicas: cluster.replicas ?? 1, name: 'persona-graph keys' });
  try {
    const keys = await ClusterKeyStore.open(conn);
    return {
      create: (t, r) => keys.create(t, r),
      list: () => keys.listKeys(),
      revoke: (id) => keys.revoke(id),
      find: (presented) => keys.findKey(presented),
      close: async () => {
        keys.close();
        await conn.close();
      },
    };
  } catch (error) {
    await conn.close();
    throw error;
  }
}

async function keysCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { tenant: { type: 'string' }, role: { type: 'string' }, data: { type: 'string' }, log: { type: 'string' }, replicas: { type: 'string' } },
  });
  if (!['create', 'list', 'revoke'].includes(positionals[0] as string)) throw new UsageError('keys takes create, list or revoke');
  const { KEY_ID_PREFIX, KEY_ROLES } = await import('./store/index.js');
  if (positionals[0] === 'create' && (!values.tenant || !KEY_ROLES.includes(values.role as KeyRole))) throw new UsageError('keys create needs --tenant and --role write|secret|admin');
  if (positionals[0] === 'revoke' && !positionals[1]) throw new UsageError('keys revoke needs KEY_ID');
  const keys = await openKeyAdmin(values);
  try {
    switch (positionals[0]) {
      case 'create': {
        const tenant = values.role === 'admin' && values.tenant === 'all' ? '*' : values.tenant!;
        process.stdout.write(`${(await keys.create(tenant, values.role as KeyRole)).key}\n`);
        break;
      }
      case 'list':
        for (const k of keys.list()) {
          process.stdout.write(`${k.id}\t${k.tenant}\t${k.role}\t${new Date(k.createdAt).toISOString()}\t${k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active'}\n`);
        }
        break;
      case 'revoke': {
        // The key itself is accepted too: after a leak it is what the operator has in hand.
        const found = keys.find(positionals[1]);
        if (!(await keys.revoke(found?.id ?? positionals[1]))) {
          // never echo what may be a secret: only an id is repeated back
          const named = positionals[1].startsWith(KEY_ID_PREFIX) ? ` ${positionals[1]}` : '';
          process.stderr.write(`no active key${named} (give a key id from \`keys list\`, or the key itself)\n`);
          process.exitCode = 1;
        }
        break;
      }
    }
  } finally {
    await keys.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `persona-graph serve --help` asks for the usage, it is not a bad option
  if (rest.includes('--help') || rest.includes('-h')) return void process.stdout.write(`${USAGE}\n`);
  switch (command) {
    case 'serve': return serve(rest);
    case 'import': return importCommand(rest);
    case 'resolve': return resolveCommand(rest);
    case 'keys': return keysCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`persona-graph: ${error instanceof Error ? error.message : String(error)}\n`);
  const usage = error instanceof UsageError || isParseArgsError(error);
  if (usage) process.stderr.write(`${USAGE}\n`);
  process.exit(usage ? 2 : 1);
});
