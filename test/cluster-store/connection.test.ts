// The shared JetStream connection: connecting, and creating streams and buckets idempotently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamConnection } from '../../host/store/jetstream-connection.js';
import { freePort, startSingleServer, stopAll, type NatsServer } from './nats-servers.js';
import { connectTo } from './helpers.js';

let server: NatsServer;
let conn: JetStreamConnection;

beforeAll(async () => {
  server = await startSingleServer('conn');
  conn = await connectTo([server]);
});

afterAll(async () => {
  await conn?.close();
  if (server) await stopAll([server]);
});

describe('JetStreamConnection', () => {
  it('creates a stream once and brings an existing one to the asked duplicate window', async () => {
    const created = await conn.ensureStream('PG_T1', ['t1.>'], { duplicateWindowMs: 5_000 });
    expect(created.config).toMatchObject({ subjects: ['t1.>'], num_replicas: 1, duplicate_window: 5_000_000_000, storage: 'file' });
    await conn.js.publish('t1.x', 'kept');
    const again = await conn.ensureStream('PG_T1', ['t1.>'], { duplicateWindowMs: 5_000 });
    expect(again.state.messages).toBe(1);
    const updated = await conn.ensureStream('PG_T1', ['t1.>'], { duplicateWindowMs: 9_000 });
    expect(updated.config.duplicate_window).toBe(9_000_000_000);
    expect(updated.state.messages).toBe(1);
    expect(await conn.streamInfo('PG_NOPE')).toBeNull();
  });

  it('opens an object store bucket idempotently', async () => {
    const first = await conn.objectStore('conn-bucket');
    await first.putBlob({ name: 'a' }, new Uint8Array([1]));
    const second = await conn.objectStore('conn-bucket');
    expect([...(await second.getBlob('a'))!]).toEqual([1]);
  });

  it('reports what is wrong: more replicas than servers, nobody listening, bad options', async () => {
    const three = await JetStreamConnection.connect({ servers: server.url, replicas: 3 });
    try {
      await expect(three.ensureStream('PG_T3', ['t3.>'])).rejects.toThrow(/replicas/i);
    } finally {
      await three.close();
    }
    await expect(JetStreamConnection.connect({ servers: `nats://127.0.0.1:${await freePort()}` })).rejects.toThrow();
    await expect(JetStreamConnection.connect({ servers: [] })).rejects.toThrow(/servers must be a server URL or a non-empty list/);
    await expect(JetStreamConnection.connect({ servers: server.url, replicas: 0 })).rejects.toThrow(/replicas must be an integer >= 1/);
  });
});
