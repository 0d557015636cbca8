import { createMemoryStore, type SessionStore } from '@sess/core';
import { httpError } from './body';
import { type DemoConfig, type DemoRedisDriver, demoCookie } from './config';
import { createDemoRedisStore } from './redis-driver';

/**
 * Where the demo keeps its sessions: the memory store or Redis on Node, Bun and Deno; in
 * workerd the Durable Objects store, Redis over HTTP, or the sealed cookie.
 */
export type StoreMode = 'memory' | 'redis' | 'durable-objects' | 'cookie';

/** The chosen store, and how to let go of it on shutdown. */
export interface DemoStore {
  store: SessionStore;
  mode: StoreMode;
  /** The Redis client the store runs on; `undefined` for the memory store. */
  driver: DemoRedisDriver | undefined;
  /** A human description for the startup line, without credentials. */
  description: string;
  /** Closes the Redis connection (and, with `clearOnClose`, deletes the demo's keys). */
  close(): Promise<void>;
}

/**
 * The memory store without a Redis, `@sess/store-redis` with one, on the client
 * `SESS_REDIS_DRIVER` names (see `createDemoRedisStore`). Both keep a user index, which
 * the session list and "sign out everywhere" need. The `upstash` driver needs
 * `config.upstashRest`: `withUpstashBridge` fills it in from `REDIS_URL`.
 */
export function createDemoStore(
  config: Pick<DemoConfig, 'redisUrl' | 'redisPrefix' | 'redisDriver' | 'upstashRest'>,
  options: { clearOnClose?: boolean } = {},
): DemoStore {
  if (config.redisUrl === undefined && config.upstashRest === undefined) {
    return {
      store: createMemoryStore(),
      mode: 'memory',
      driver: undefined,
      description: 'memory (sessions end when the process does)',
      close: async () => {},
    };
  }
  const { store, driver, location, close } = createDemoRedisStore(config);
  return {
    store,
    mode: 'redis',
    driver,
    description: `${location} through ${driver} (key prefix ${JSON.stringify(config.redisPrefix)})`,
    async close() {
      try {
        if (options.clearOnClose) await store.clear();
      } finally {
        await close();
      }
    },
  };
}

/** What every demo's `createApp` takes: the secret, the store and what the page says of it, the cookie. */
export interface DemoAppOptions<Store = SessionStore> {
  secret: string;
  store: Store;
  /** Shown on the page. */
  storeMode: StoreMode;
  /** The Redis client of the `redis` mode, shown beside it. */
  storeDriver?: DemoRedisDriver | undefined;
  /** The cookie from `demoCookie(config)`: `SESSION_COOKIE_NAME`, Secure in production. @default the core's (`sid`) */
  cookie?: { name: string; secure: boolean };
}

/** The app options for a demo started on `config` with `demoStore`. */
export function demoAppOptions(config: Pick<DemoConfig, 'secret' | 'cookieName' | 'production'>, demoStore: DemoStore): DemoAppOptions {
  return {
    secret: config.secret,
    store: demoStore.store,
    storeMode: demoStore.mode,
    storeDriver: demoStore.driver,
    cookie: demoCookie(config),
  };
}

/**
 * A session error as the demo answers it. A session over the store's size limit
 * (`SessionTooLargeError`) is the client's doing: 413 with a message saying what to do.
 * A value the serializer cannot store (`SessionValueError`) is a 400. Anything else
 * is returned as it is. Name checks: the errors may come from another copy of the core.
 */
export function asDemoError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'SessionTooLargeError') {
    const { sizeBytes, limitBytes } = error as Error & { sizeBytes?: number; limitBytes?: number };
    return httpError(
      413,
      `The session would be too large (${sizeBytes} bytes, the limit is ${limitBytes}). Remove some data with DELETE /api/data/:key and try again.`,
      error,
    );
  }
  if (error.name === 'SessionValueError') {
    return httpError(400, `The value cannot be stored in the session: ${error.message.replace(/^@sess\/core: /, '')}`, error);
  }
  return error;
}
