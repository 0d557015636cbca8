/**
 * Which Redis client the demo's store runs on: `SESS_REDIS_DRIVER=ioredis|node-redis`
 * (ioredis, the default, is the client the store creates from `REDIS_URL`). Every demo
 * runs unchanged on each, so the shared demo contract and browser suites cover both.
 */
import { createRedisStore, type RedisClientLike, type RedisStore } from '@sess/store-redis';
import { createClient } from 'redis';
import { DemoConfigError } from './config';

/** The drivers a demo can run on. */
export const DEMO_REDIS_DRIVERS = ['ioredis', 'node-redis'] as const;
export type DemoRedisDriver = (typeof DEMO_REDIS_DRIVERS)[number];

/** A store on the chosen driver, and how to let go of its client. */
export interface DemoRedisStore {
  store: RedisStore<RedisClientLike>;
  driver: DemoRedisDriver;
  close(): Promise<void>;
}

export function createDemoRedisStore(
  url: string,
  prefix: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DemoRedisStore {
  const driver = (env.SESS_REDIS_DRIVER?.trim() || 'ioredis') as DemoRedisDriver;
  if (!DEMO_REDIS_DRIVERS.includes(driver)) {
    throw new DemoConfigError(
      `SESS_REDIS_DRIVER must be one of ${DEMO_REDIS_DRIVERS.join(', ')} (got ${JSON.stringify(env.SESS_REDIS_DRIVER)}).`,
    );
  }
  if (driver === 'node-redis') {
    const client = createClient({ url });
    // Errors reach the store calls they fail; the store waits for `ready` (bounded) meanwhile.
    client.on('error', () => {});
    client.connect().catch(() => {});
    const store = createRedisStore({ client, prefix });
    return { store, driver, close: () => client.close().catch(() => client.destroy()) };
  }
  const store = createRedisStore({ url, prefix });
  return { store, driver, close: async () => store.close?.() };
}
