/*
 * Runs the demo in workerd, locally, through Miniflare (the simulator wrangler uses):
 *
 *   pnpm start:workerd                         sessions in Durable Objects (SQLite, in Miniflare's memory)
 *   REDIS_URL=redis://... pnpm start:workerd   sessions in that Redis, over @upstash/redis and the REST bridge
 *   SESSION_STORE=cookie pnpm start:workerd    sessions in the sealed cookie
 *
 * PORT, HOST, SESSION_SECRET and NODE_ENV behave as in the Node demo (demo-kit's runDemoCli).
 */
import { pathToFileURL } from 'node:url';
import {
  createDemoStore,
  type DemoConfig,
  DemoConfigError,
  demoCookie,
  type RunningDemo,
  runDemoCli,
  type StartDemo,
  withUpstashBridge,
} from '@sess/demo-kit';
import { Miniflare } from 'miniflare';
import { bundleDemoCode } from './bundle';

/** The newest date this workerd knows is fine; features only grow with it. */
const COMPATIBILITY_DATE = '2025-09-01';

/** Bundles src/worker.ts and serves it from workerd with these bindings; `SESSIONS` bound to a SQLite Durable Object class. */
async function serveWorker(config: Pick<DemoConfig, 'port' | 'host'>, bindings: Record<string, string>, onClose: () => Promise<void>) {
  const script = await bundleDemoCode('worker');
  const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
    // As `new_sqlite_classes` in wrangler's migrations. Not persisted: the sessions end with the process.
    durableObjects: { SESSIONS: { className: 'SessionObject', useSQLite: true } },
    host: config.host,
    port: config.port,
  });
  // Miniflare's exit hook answers Ctrl-C with exit code 130 before runDemoCli has closed the demo
  // (pnpm then reports a failure). The close below disposes workerd; its `exit` hook stays.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) if (!signalListeners[signal].includes(listener)) process.off(signal, listener);
  }
  let url: URL;
  try {
    url = await mf.ready;
  } catch (error) {
    await mf.dispose().finally(onClose);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: url.origin,
    close: () => {
      closing ??= mf.dispose().finally(onClose);
      return closing;
    },
  };
}

function commonBindings(config: DemoConfig): Record<string, string> {
  const cookie = demoCookie(config);
  return { SESSION_SECRET: config.secret, SESSION_COOKIE_NAME: cookie.name, SESSION_COOKIE_SECURE: String(cookie.secure) };
}

/**
 * Starts the demo in workerd on a server-side store: the Durable Objects store, or with
 * `REDIS_URL` that Redis through `@upstash/redis` (the only client that runs in workerd), behind
 * the Upstash REST bridge unless `config.upstashRest` names one. A TCP driver named in
 * `SESS_REDIS_DRIVER` is a `DemoConfigError`; the default (ioredis) is taken to mean upstash.
 */
export const start: StartDemo = async (config, options = {}) => {
  if (config.redisUrl === undefined && config.upstashRest === undefined) {
    const server = await serveWorker(config, commonBindings(config), async () => {});
    return {
      ...server,
      storeMode: 'durable-objects',
      storeDescription:
        "Durable Objects (@sess/store-cloudflare, SQLite storage, in Miniflare's memory: sessions end when the process does)",
    };
  }
  if (config.redisDriver === 'node-redis' || config.redisDriver === 'bun') {
    throw new DemoConfigError(
      `SESS_REDIS_DRIVER=${config.redisDriver} cannot run in workerd, where a TCP socket belongs to the request that opened it: only upstash (@upstash/redis, over HTTP) works there.`,
    );
  }
  if (config.redisDriver === 'ioredis') {
    console.log('REDIS_URL in workerd: the sessions go through @upstash/redis (over HTTP), the only Redis client that works there.');
  }
  const bridged = await withUpstashBridge({ ...config, redisDriver: 'upstash' as const });
  // The Worker holds the store; this client of the same Redis only clears the demo's keys on close.
  const redis = createDemoStore(bridged.config, { clearOnClose: options.clearStoreOnClose });
  const rest = bridged.config.upstashRest!;
  const server = await serveWorker(
    config,
    { ...commonBindings(config), UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token, REDIS_PREFIX: config.redisPrefix },
    redis.close,
  ).catch(async (error: unknown) => {
    await bridged.close();
    throw error;
  });
  return bridged.attach({
    ...server,
    storeMode: 'redis',
    storeDescription: `${redis.description}, from workerd`,
  });
};

/** Starts the demo in workerd on the sealed cookie store (`SESSION_STORE=cookie`): no server side, so no revocation. */
export async function startOnCookies(config: DemoConfig): Promise<RunningDemo> {
  const server = await serveWorker(config, { ...commonBindings(config), SESSION_STORE: 'cookie' }, async () => {});
  return {
    ...server,
    storeMode: 'cookie',
    storeDescription: 'the sealed cookie store (the data travels in the cookie; sign-out cannot revoke a copied cookie)',
  };
}

/** `SESSION_STORE=cookie`, or the TCP driver that `SESS_REDIS_DRIVER=ioredis` names, which workerd cannot run. */
const startFromEnvironment: StartDemo = async (config, options) => {
  const store = process.env.SESSION_STORE?.trim() || undefined;
  if (store === 'cookie') return startOnCookies(config);
  if (store !== undefined) throw new DemoConfigError(`SESSION_STORE is "cookie" or unset (got ${JSON.stringify(store)}).`);
  if (process.env.SESS_REDIS_DRIVER?.trim() === 'ioredis') {
    throw new DemoConfigError(
      'SESS_REDIS_DRIVER=ioredis cannot run in workerd, where a TCP socket belongs to the request that opened it: only upstash (@upstash/redis, over HTTP) works there.',
    );
  }
  return start(config, options);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDemoCli({
    framework: 'Hono (workerd)',
    start: startFromEnvironment,
    defaultPort: 8787,
    otherDemos: [
      'On Node: npx -y pnpm@10 --filter @sess/hono-demo start; on Bun: start:bun; on Deno: start:deno; in workerd on the sealed cookie: SESSION_STORE=cookie start:workerd',
      'Express demo: npx -y pnpm@10 demo (http://127.0.0.1:3000), Koa demo: npx -y pnpm@10 --filter @sess/koa-demo start (http://127.0.0.1:3001)',
    ],
  });
}
