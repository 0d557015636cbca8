/**
 * `SESS_REDIS_DRIVER=upstash`: the demo's store on `@upstash/redis`, over HTTP. No
 * Upstash runs here, so the demo starts the Upstash REST bridge from `@sess/test-kit`
 * in front of `REDIS_URL` and says so: every command still runs on that Redis.
 */
import type { RedisStore } from '@sess/store-redis';
import { createRedisStore } from '@sess/store-redis';
import { startUpstashBridge } from '@sess/test-kit/upstash-bridge';
import { Redis } from '@upstash/redis';

/** The store on `@upstash/redis`, and how to stop it and its bridge. */
export interface DemoUpstashStore {
  store: RedisStore<Redis>;
  driver: 'upstash';
  /** The bridge's address, for the startup line. */
  bridgeUrl: string;
  close(): Promise<void>;
}

export async function createDemoUpstashStore(
  redisUrl: string,
  prefix: string,
  log: (message: string) => void = console.log,
): Promise<DemoUpstashStore> {
  const bridge = await startUpstashBridge({ redisUrl });
  log(
    `SESS_REDIS_DRIVER=upstash: @upstash/redis talks to an Upstash REST bridge at ${bridge.url} ` +
      '(@sess/test-kit, a local stand-in for a hosted Upstash) in front of REDIS_URL.',
  );
  const store = createRedisStore({ client: new Redis({ url: bridge.url, token: bridge.token }), prefix });
  return { store, driver: 'upstash', bridgeUrl: bridge.url, close: () => bridge.close() };
}
