// One NATS connection shared by every JetStream store of a process: the partition logs and the
// snapshot bucket. It reconnects forever (a cluster member going away is routine), waits for
// JetStream to answer before handing itself out, and creates streams and buckets idempotently
// with the replica count the deployment asked for.
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { requirePositiveInt } from './validate.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export const DEFAULT_RECONNECT_WAIT_MS = 500;
/** A fresh cluster elects its JetStream meta leader a few seconds after its routes connect. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** The server's own default: a retried publish with the same Nats-Msg-Id is dropped within it. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const READY_POLL_MS = 250;
/** The object store keeps each bucket in a stream of this prefix. */
const OBJECT_STREAM_PREFIX = 'OBJ_';

export interface JetStreamConnectionOptions {
  /** One URL or a list (`nats://host:port`); the client also learns the other cluster members. */
  servers: string | string[];
  /** Replicas of every stream and bucket created through this connection: 1 on one server, 3 in a cluster. */
  replicas?: number;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** How long a publish waits for its ack, and a JetStream API call for its answer. */
  requestTimeoutMs?: number;
  /** Pause between reconnect attempts (which go on forever). */
  reconnectWaitMs?: number;
  /** How long `connect` waits for JetStream to answer after the connection is up. */
  readyTimeoutMs?: number;
}

export interface StreamOptions {
  /** Window within which the server drops a publish whose Nats-Msg-Id it has already stored. */
  duplicateWindowMs?: number;
}

export class JetStreamConnection {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly replicas: number,
  ) {}

  /** Connects and waits until JetStream answers; throws when no server is reachable or JetStream stays silent. */
  static async connect(options: JetStreamConnectionOptions): Promise<JetStreamConnection> {
    const servers = typeof options.servers === 'string' ? [options.servers] : options.servers;
    if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw new TypeError('servers must be a server URL or a non-empty list of them');
    }
    const replicas = options.replicas ?? 1;
    requirePositiveInt(replicas, 'replicas');
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    requirePositiveInt(timeout, 'requestTimeoutMs');
    const nc = await connect({
      servers,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? DEFAULT_RECONNECT_WAIT_MS,
      timeout,
    });
    try {
      const jsm = await waitForJetStream(nc, timeout, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      return new JetStreamConnection(nc, jetstream(nc, { timeout }), jsm, replicas);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /**
   * Creates the stream, or brings an existing one to the wanted subjects, replica count and
   * duplicate window (the rest of its configuration is left alone). Safe to call concurrently:
   * creating an identical stream twice succeeds.
   */
  async ensureStream(name: string, subjects: string[], options: StreamOptions = {}): Promise<StreamInfo> {
    const duplicateWindow = nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS);
    const existing = await this.streamInfo(name);
    if (existing === null) {
      const config: Partial<StreamConfig> & { name: string } = {
        name,
        subjects,
        num_replicas: this.replicas,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        duplicate_window: duplicateWindow,
      };
      try {
        return await this.jsm.streams.add(config);
      } catch (err) {
        // another node created it between our look and our add: in a clustered JetStream the loser
        // of that race may hear "subjects overlap" rather than the identical-stream success
        if (!(err instanceof JetStreamApiError) || (await this.streamInfo(name)) === null) throw err;
        return this.ensureStream(name, subjects, options);
      }
    }
    const { config } = existing;
    const current = config.subjects ?? [];
    const sameSubjects = current.length === subjects.length && subjects.every((s) => current.includes(s));
    if (sameSubjects && config.num_replicas === this.replicas && config.duplicate_window === duplicateWindow) return existing;
    return this.jsm.streams.update(name, { ...config, subjects, num_replicas: this.replicas, duplicate_window: duplicateWindow });
  }

  /** Opens the object store bucket, creating it with this connection's replica count if missing. */
  async objectStore(bucket: string): Promise<ObjectStore> {
    const store = await new Objm(this.js).create(bucket, { replicas: this.replicas, storage: StorageType.File });
    // create() opens an existing bucket as it is: scale it to the replica count asked for.
    const streamName = `${OBJECT_STREAM_PREFIX}${bucket}`;
    const info = await this.jsm.streams.info(streamName);
    if (info.config.num_replicas !== this.replicas) {
      await this.jsm.streams.update(streamName, { ...info.config, num_replicas: this.replicas });
    }
    return store;
  }

  /** The stream's info, or null when there is no such stream. */
  async streamInfo(name: string): Promise<StreamInfo | null> {
    try {
      return await this.jsm.streams.info(name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }
}

/** Polls until the JetStream API answers (a cluster without a meta leader yet does not). */
async function waitForJetStream(nc: NatsConnection, timeout: number, readyTimeoutMs: number): Promise<JetStreamManager> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    try {
      return await jetstreamManager(nc, { timeout });
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new Error(`JetStream did not answer within ${readyTimeoutMs} ms: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  }
}
