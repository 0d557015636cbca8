import { createMemoryStore, type SessionStore } from '@sess/core';
import { httpError } from './body';
import type { DemoConfig } from './config';
import { createDemoRedisStore } from './redis-driver';

/** Where the demo keeps its sessions. */
export type StoreMode = 'memory' | 'redis';

/** The chosen store, and how to let go of it on shutdown. */
export interface DemoStore {
  store: SessionStore;
  mode: StoreMode;
  /** A human description for the startup line, without credentials. */
  description: string;
  /** Closes the Redis connection (and, with `clearOnClose`, deletes the demo's keys). */
  close(): Promise<void>;
}

/**
 * The memory store without `REDIS_URL`, `@sess/store-redis` with it. Both keep a user
 * index, which the session list and "sign out everywhere" need.
 */
export function createDemoStore(config: Pick<DemoConfig, 'redisUrl' | 'redisPrefix'>, options: { clearOnClose?: boolean } = {}): DemoStore {
  if (config.redisUrl === undefined) {
    return { store: createMemoryStore(), mode: 'memory', description: 'memory (sessions end when the process does)', close: async () => {} };
  }
  const { store, driver, close } = createDemoRedisStore(config.redisUrl, config.redisPrefix);
  return {
    store,
    mode: 'redis',
    description: `Redis at ${redactUrl(config.redisUrl)} through ${driver} (key prefix ${JSON.stringify(config.redisPrefix)})`,
    async close() {
      try {
        if (options.clearOnClose) await store.clear();
      } finally {
        await close();
      }
    },
  };
}

/** The URL without its password, for printing. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured REDIS_URL';
  }
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
