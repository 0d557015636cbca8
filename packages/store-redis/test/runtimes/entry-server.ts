/* The store conformance suite as Bun and Deno run it, once per driver that runs there. */
import process from 'node:process';
import { describeStoreConformance } from '@sess/core/testing';
import { createRedisStore, type RedisClientLike, type RedisStore } from '@sess/store-redis';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, it } from 'vitest';
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
    const { RedisClient } = (globalThis as unknown as { Bun: { RedisClient: new (url: string) => object & { close(): void } } })
      .Bun;
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

printResults(await runCollected());
