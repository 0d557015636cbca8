/* The store conformance suite as workerd runs it, over @upstash/redis and the bridge: one request runs every case. */
import { describeStoreConformance } from '@sess/core/testing';
import { createRedisStore, type RedisStore } from '@sess/store-redis';
import { Redis } from '@upstash/redis/cloudflare';
import { afterAll, describe, expect, it } from 'vitest';
import { runCollected } from '../../../test-kit/src/runtimes/vitest-host';

interface Env {
  UPSTASH_URL: string;
  UPSTASH_TOKEN: string;
}

// workerd allows timers, random values and I/O only inside a request: collect there, once.
let collected = false;

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    if (!collected) {
      collected = true;
      const client = new Redis({ url: env.UPSTASH_URL, token: env.UPSTASH_TOKEN });
      const prefix = `test:runtimes:workerd:upstash:${crypto.randomUUID().slice(0, 8)}:`;
      const stores: RedisStore<Redis>[] = [createRedisStore({ client, prefix }), createRedisStore({ client, prefix: `${prefix}size:` })];
      describeStoreConformance('Redis single node, upstash [workerd]', {
        createStore: () => stores[0]!,
        createSizeLimitedStore: ({ maxSizeBytes }) => createRedisStore({ client, prefix: `${prefix}size:`, maxSizeBytes }),
      });
      describe('Redis single node, ioredis [workerd]', () => {
        it('is refused when the store is made: a TCP socket there belongs to one request; the error names @upstash/redis', () => {
          expect(() => createRedisStore({ url: 'redis://127.0.0.1:6379' })).toThrow(/@upstash\/redis/);
        });
      });
      afterAll(async () => {
        await Promise.all(stores.map((store) => store.clear()));
      });
    }
    return Response.json(await runCollected());
  },
};
