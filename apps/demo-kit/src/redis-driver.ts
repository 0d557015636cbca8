/**
 * Which Redis client the demo's store runs on, from `SESS_REDIS_DRIVER`: ioredis (the
 * default, the client the store creates from `REDIS_URL`), node-redis, `@upstash/redis`
 * (over HTTP) or Bun's built-in client. Every demo runs unchanged on each, so the shared
 * demo contract and browser suites cover them all.
 */
import { createRedisStore, type RedisClientLike, type RedisStore } from '@sess/store-redis';
import { Redis as UpstashRedis } from '@upstash/redis';
import { createClient } from 'redis';
import { type DemoConfig, DemoConfigError, type DemoRedisDriver } from './config';

/** A store on the chosen driver, and how to let go of its client. */
export interface DemoRedisStore {
  store: RedisStore<RedisClientLike>;
  driver: DemoRedisDriver;
  /** Where the sessions are, for the startup line, without credentials. */
  location: string;
  close(): Promise<void>;
}

type RedisConfig = Pick<DemoConfig, 'redisUrl' | 'redisPrefix' | 'redisDriver' | 'upstashRest'>;

/** Bun's client, when the demo runs under Bun. */
const bun = (globalThis as { Bun?: { RedisClient: new (url: string) => RedisClientLike & { close(): void } } }).Bun;

export function createDemoRedisStore(config: RedisConfig): DemoRedisStore {
  const { redisUrl, redisPrefix: prefix, redisDriver: driver } = config;
  if (driver === 'upstash') {
    if (config.upstashRest === undefined) {
      throw new DemoConfigError(
        'SESS_REDIS_DRIVER=upstash: no UPSTASH_REDIS_REST_URL. Start the demo through its `start` script, ' +
          'which starts the Upstash REST bridge in front of REDIS_URL, or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN.',
      );
    }
    const client = new UpstashRedis({ url: config.upstashRest.url, token: config.upstashRest.token });
    const store = createRedisStore({ client, prefix });
    return { store, driver, location: `Upstash REST at ${config.upstashRest.url}`, close: async () => {} };
  }
  if (redisUrl === undefined) throw new DemoConfigError(`SESS_REDIS_DRIVER=${driver} needs REDIS_URL, the Redis it connects to.`);
  const location = `Redis at ${redactUrl(redisUrl)}`;
  if (driver === 'node-redis') {
    const client = createClient({ url: redisUrl });
    // Errors reach the store calls they fail; the store waits for `ready` (bounded) meanwhile.
    client.on('error', () => {});
    client.connect().catch(() => {});
    const store = createRedisStore({ client, prefix });
    return { store, driver, location, close: () => client.close().catch(() => client.destroy()) };
  }
  if (driver === 'bun') {
    if (bun === undefined) {
      throw new DemoConfigError("SESS_REDIS_DRIVER=bun is Bun's built-in client: start the demo under Bun (the Hono demo's `start:bun`).");
    }
    const client = new bun.RedisClient(redisUrl);
    const store = createRedisStore({ client, prefix });
    return { store, driver, location, close: async () => client.close() };
  }
  const store = createRedisStore({ url: redisUrl, prefix });
  return { store, driver, location, close: async () => store.close?.() };
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured REDIS_URL';
  }
}
