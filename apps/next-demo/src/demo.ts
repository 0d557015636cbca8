import {
  createDemoHandlers,
  createDemoStore,
  type DemoFlashData,
  type DemoHandlers,
  type DemoSessionData,
  type DemoStore,
  loadDemoConfig,
} from '@sess/demo-kit';
import { createSessions, type NextSessions } from '@sess/next';

// Types every session of the demo: `session.get('count')` is a `number | undefined`.
declare module '@sess/next' {
  interface SessionData extends DemoSessionData {}
  interface FlashData extends DemoFlashData {}
}

/** What every route, action and page of the demo shares in one server process. */
export interface NextDemo {
  sessions: NextSessions;
  handlers: DemoHandlers;
  store: DemoStore;
}

// On globalThis: Next may load this module once per route bundle, and the memory store must be one.
const SHARED = Symbol.for('@sess/next-demo');

/**
 * The demo's sessions and handlers, created on first use: the store is chosen when the
 * server starts (`REDIS_URL`), never at build time, so one build serves both store modes.
 */
export function demo(): NextDemo {
  const holder = globalThis as { [SHARED]?: NextDemo };
  holder[SHARED] ??= createDemo();
  return holder[SHARED];
}

function createDemo(): NextDemo {
  // `next start` forces NODE_ENV=production; the launcher passes the environment it was started in.
  const config = loadDemoConfig({ ...process.env, NODE_ENV: process.env.SESS_DEMO_NODE_ENV ?? process.env.NODE_ENV });
  const store = createDemoStore(config);
  const sessions = createSessions({ secret: config.secret, store: store.store, cookie: { secure: config.production } });
  const handlers = createDemoHandlers({ framework: 'Next.js', storeMode: store.mode, manager: sessions.manager });
  return { sessions, handlers, store };
}
