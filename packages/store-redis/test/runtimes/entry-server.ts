/* The store conformance suite as Bun and Deno run it, once per driver that runs there. */
import process from 'node:process';
import { isSessionStoreError } from '@sess/core';
import { describeStoreConformance } from '@sess/core/testing';
import { createRedisStore, type RedisClientLike, type RedisStore } from '@sess/store-redis';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../test-kit/src/redis/redis-server';
import { printResults, runCollected } from '../../../test-kit/src/runtimes/vitest-host';

const runtime = 'Bun' in globalThis ? 'bun' : 'deno';
const env = (name: string) => process.env[name] ?? '';
const redisUrl = env('REDIS_URL');

/** The clients of each driver this runtime can run, and how to let them go. */
async function clients(): Promise<[driver: string, client: object, close: () => Promise<unknown>][]> {
  const ioredis = new IORedis(redisUrl);
  const nodeRedis = createClient({ url: redisUrl });
  await nodeRedis.connect();
  const upstash = new UpstashRedis({ url: env('UPSTASH_URL'), token: env('UPSTASH_TOKEN') });
  const list: [string, object, () => Promise<unknown>][] = [
    ['ioredis', ioredis, () => ioredis.quit()],
    ['node-redis', nodeRedis, () => nodeRedis.quit()],
    ['upstash', upstash, async () => {}],
  ];
  if (runtime === 'bun') {
    // Bun's own client, from its global (an `import 'bun'` would not type-check off Bun).
    const { RedisClient } = (globalThis as unknown as { Bun: { RedisClient: new (url: string) => object & { close(): void } } }).Bun;
    const bun = new RedisClient(redisUrl);
    list.push(['bun', bun, async () => bun.close()]);
  }
  return list;
}

const stores: RedisStore<RedisClientLike>[] = [];
const opened = await clients();
for (const [driver, client] of opened) {
  const name = `Redis single node, ${driver} [${runtime}]`;
  const prefix = `test:runtimes:${runtime}:${driver}:${crypto.randomUUID().slice(0, 8)}:`;
  let store: RedisStore<RedisClientLike>;
  try {
    store = createRedisStore({ client: client as RedisClientLike, prefix });
  } catch (error) {
    // One cell failing must not hide the others.
    it(`${name}: the store takes this client`, () => {
      throw error;
    });
    continue;
  }
  const sizePrefix = `${prefix}size:`;
  stores.push(store, createRedisStore({ client: client as RedisClientLike, prefix: sizePrefix }));
  describeStoreConformance(name, {
    createStore: () => store,
    createSizeLimitedStore: ({ maxSizeBytes }) => createRedisStore({ client: client as RedisClientLike, prefix: sizePrefix, maxSizeBytes }),
  });
}
afterAll(async () => {
  await Promise.all(stores.map((store) => store.clear()));
  await Promise.all(opened.map(([, , close]) => close()));
});

if (runtime === 'bun') describeBunOutages();

/** Bun's client has no events to wait on: the driver watches `connected` (see drivers/bun.ts). */
function describeBunOutages(): void {
  const { RedisClient } = (globalThis as unknown as { Bun: { RedisClient: new (url: string) => BunClient } }).Bun;
  type BunClient = object & { close(): void; readonly connected: boolean };
  const nowMs = Date.now();
  const record = { data: { a: 1 }, createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + 600_000, persistent: false };
  const key = 'k'.repeat(32);

  describe('Redis single node, bun [bun]: outages', () => {
    let server: RedisServer;
    let client: BunClient;
    let store: RedisStore<RedisClientLike>;
    beforeEach(async () => {
      server = await startRedisServer();
      client = new RedisClient(server.url);
      store = createRedisStore({ client: client as unknown as RedisClientLike, operationTimeoutMs: 500 });
      await store.set(key, record);
    });
    afterEach(async () => {
      client.close();
      await server.dispose();
    });

    it('fails a load with SessionStoreError while Redis is away, and serves again once the client is back', async () => {
      await server.stop();
      const startedMs = Date.now();
      const error = await store.get(key).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isSessionStoreError(error)).toBe(true);
      expect(Date.now() - startedMs).toBeLessThan(1_500);
      await server.start();
      // A fresh, empty server: now there truly is no session.
      await expect.poll(() => store.get(key).catch(() => 'failed'), { timeout: 3_000 }).toBeUndefined();
    });

    it('never reopens a client the application closed: calls fail with SessionStoreError', async () => {
      expect(await store.get(key)).toMatchObject({ data: { a: 1 } });
      client.close();
      const error = await store.get(key).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isSessionStoreError(error)).toBe(true);
      expect(client.connected).toBe(false);
    });
  });
}

printResults(await runCollected());
