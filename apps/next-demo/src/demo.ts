import {
  createDemoHandlers,
  createDemoStore,
  type DemoFlashData,
  type DemoRedisDriver,
  type DemoSessionData,
  loadDemoConfig,
} from '@sess/demo-kit';
import { createSessions } from '@sess/next';

// Types every session of the demo: `session.get('count')` is a `number | undefined`.
declare module '@sess/next' {
  interface SessionData extends DemoSessionData {}
  interface FlashData extends DemoFlashData {}
}

// `next start` forces NODE_ENV=production; the launcher passes the environment it was started in.
const production = (process.env.SESS_DEMO_NODE_ENV ?? process.env.NODE_ENV)?.trim().toLowerCase() === 'production';

/**
 * The demo's sessions, set up as the @sess/next README says: nothing is created at import
 * (`next build` runs without SESSION_SECRET or REDIS_URL), and the store function runs once
 * per process, at the first request, however many route bundles evaluate this module. The
 * launcher has checked the configuration with demo-kit's `loadDemoConfig` before starting Next.
 */
export const sessions = createSessions({
  secret: process.env.SESSION_SECRET ?? '',
  cookie: { name: process.env.SESSION_COOKIE_NAME || 'sid', secure: production },
  store: () => createDemoStore(loadDemoConfig({ ...process.env, NODE_ENV: production ? 'production' : 'development' })).store,
});

const onRedis = Boolean(process.env.REDIS_URL || process.env.UPSTASH_REDIS_REST_URL);

/** The HTTP contract's handlers, on the process's one manager. */
export const handlers = createDemoHandlers({
  framework: 'Next.js',
  storeMode: onRedis ? 'redis' : 'memory',
  storeDriver: onRedis ? ((process.env.SESS_REDIS_DRIVER || 'ioredis') as DemoRedisDriver) : undefined,
  manager: sessions.manager,
});
