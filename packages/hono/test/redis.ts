import { createRedisStore, type RedisStore } from '@sess/store-redis';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { ExtraStore } from './suite';

/**
 * The Redis store on the machine's Redis (CI's too), for runtimes that have TCP sockets
 * through `node:net` (Node, Bun, Deno). Each test gets a key prefix of its own, cleared
 * after it; the one client closes after the file.
 */
export function redisStore(url: string): ExtraStore<RedisStore> {
  let client: Redis | undefined;
  afterAll(async () => {
    await client?.quit();
  });
  return {
    label: 'Redis store',
    createStore: () => {
      client ??= new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
      return createRedisStore({ client, prefix: `test:hono-conformance:${crypto.randomUUID()}:` });
    },
    cleanup: async (store) => {
      await store.clear();
    },
  };
}
