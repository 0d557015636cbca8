/**
 * The servers under test, one factory each. Every server answers the same three
 * routes with the same JSON bodies, so the only difference is the session work:
 * `POST /login` creates the session (`user`, `count`), `GET /read` reads `user`,
 * `POST /write` increments `count`. The bare and raw-GET servers answer all three
 * with the same handler.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { session as sessExpress } from '@sess/express';
import { session as sessKoa } from '@sess/koa';
import { createRedisStore } from '@sess/store-redis';
import { startUpstashBridge } from '@sess/test-kit/upstash-bridge';
import { Redis as UpstashRedis } from '@upstash/redis';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import express, { type Express } from 'express';
import expressSession from 'express-session';
import { Redis } from 'ioredis';
import Koa from 'koa';
import redisStore from 'koa-redis';
import koaSession from 'koa-session';
import { createClient } from 'redis';
import { HONO_SERVER_SPECS, type HonoServerName, isHonoServer, startHonoServer } from './hono-servers';

export const SECRET = 'bench-secret-that-is-long-enough-for-everyone-0123456789';
/** The key the raw-GET floor servers read on every request. */
export const FLOOR_KEY = 'bench:floor:user';
/** The key the write floor servers write on every request. */
const FLOOR_COUNT_KEY = 'bench:floor:count';

export type Framework = 'express' | 'koa' | 'hono';
export type ServerName =
  | 'express'
  | 'express+raw-get'
  | 'express+raw-get-set'
  | 'express+@sess/memory'
  | 'express+@sess/redis'
  | 'express+@sess/redis+node-redis'
  | 'express+@sess/redis+upstash'
  | 'express-session+connect-redis'
  | 'koa'
  | 'koa+raw-get'
  | 'koa+raw-get-set'
  | 'koa+@sess/redis'
  | 'koa-session+koa-redis'
  | HonoServerName
  | ExperimentName;

/** Variants for `pnpm profile` only (not in the benchmark run): what a change to @sess defaults would buy. */
export type ExperimentName = 'express+@sess/redis+autopipelining' | 'koa+@sess/redis+autopipelining' | 'koa+@sess/redis+plain-client';

export interface ServerSpec {
  name: ServerName;
  framework: Framework;
  /** Whether it keeps sessions (the bare and raw-GET servers do not). */
  sessions: boolean;
  /** Whether it talks to Redis. */
  redis: boolean;
  /** The configuration, as written in RESULTS.md. */
  config: string;
  /** The session data travels in the cookie (a write sends a new one; the benchmark keeps sending the login's). */
  dataInCookie?: boolean;
  /** The routes measured. @default both */
  routes?: readonly ('read' | 'write')[];
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export const SERVER_SPECS: readonly ServerSpec[] = [
  { name: 'express', framework: 'express', sessions: false, redis: false, config: 'Express 5, `res.json` on every route.' },
  {
    name: 'express+raw-get',
    framework: 'express',
    sessions: false,
    redis: true,
    config: 'Express 5, one ioredis 6 `GET` of a fixed key per request (default client options). The read floor.',
  },
  {
    name: 'express+raw-get-set',
    framework: 'express',
    sessions: false,
    redis: true,
    routes: ['write'],
    config:
      'Express 5, an ioredis 6 `GET` then a `SET` of a fixed key per request: the two round trips any read-modify-write needs. The write floor.',
  },
  {
    name: 'express+@sess/memory',
    framework: 'express',
    sessions: true,
    redis: false,
    config: '`session({ secret })`: @sess defaults, the default memory store.',
  },
  {
    name: 'express+@sess/redis',
    framework: 'express',
    sessions: true,
    redis: true,
    config:
      '`session({ secret, store: createRedisStore({ url }) })`: @sess defaults (signed id cookie, 1 day idle, touch after 20% of it).',
  },
  {
    name: 'express+@sess/redis+node-redis',
    framework: 'express',
    sessions: true,
    redis: true,
    config:
      '`session({ secret, store: createRedisStore({ client }) })` on a node-redis 5 `createClient({ url })`: the same engine through the node-redis driver, the client connect-redis uses.',
  },
  {
    name: 'express+@sess/redis+upstash',
    framework: 'express',
    sessions: true,
    redis: true,
    config:
      '`session({ secret, store: createRedisStore({ client }) })` on `@upstash/redis` `new Redis({ url, token })`, over HTTP to the Upstash REST bridge of `@sess/test-kit` in front of the same Redis. No hosted Upstash runs here: the bridge (JSON to RESP and back) runs in the server process, so its CPU is in this row, and each request pays an extra local HTTP hop. Not comparable to the TCP rows; it shows the HTTP driver adds no Redis commands.',
  },
  {
    name: 'express-session+connect-redis',
    framework: 'express',
    sessions: true,
    redis: true,
    config:
      'express-session 1.19 `{ secret, resave: false, saveUninitialized: false, store }`, connect-redis 9 `new RedisStore({ client })` on node-redis 5 (defaults: 1 day TTL, touch on).',
  },
  { name: 'koa', framework: 'koa', sessions: false, redis: false, config: 'Koa 3, `ctx.body = {...}` on every route.' },
  {
    name: 'koa+raw-get',
    framework: 'koa',
    sessions: false,
    redis: true,
    config: 'Koa 3, one ioredis 6 `GET` of a fixed key per request (default client options). The read floor.',
  },
  {
    name: 'koa+raw-get-set',
    framework: 'koa',
    sessions: false,
    redis: true,
    routes: ['write'],
    config: 'Koa 3, an ioredis 6 `GET` then a `SET` of a fixed key per request. The write floor.',
  },
  {
    name: 'koa+@sess/redis',
    framework: 'koa',
    sessions: true,
    redis: true,
    config: '`session({ secret, store: createRedisStore({ url }) })` from @sess/koa: @sess defaults.',
  },
  {
    name: 'koa-session+koa-redis',
    framework: 'koa',
    sessions: true,
    redis: true,
    config:
      'koa-session 7 `session({ store: redisStore({ url }) }, app)` with `app.keys` (defaults: signed cookie, 1 day maxAge, no rolling/renew), koa-redis 4 (its own ioredis 4).',
  },
  ...HONO_SERVER_SPECS,
];

export const EXPERIMENT_SPECS: readonly ServerSpec[] = [
  {
    name: 'express+@sess/redis+autopipelining',
    framework: 'express',
    sessions: true,
    redis: true,
    config: 'express+@sess/redis with `redisOptions: { enableAutoPipelining: true }`.',
  },
  {
    name: 'koa+@sess/redis+autopipelining',
    framework: 'koa',
    sessions: true,
    redis: true,
    config: 'koa+@sess/redis with `redisOptions: { enableAutoPipelining: true }`.',
  },
  {
    name: 'koa+@sess/redis+plain-client',
    framework: 'koa',
    sessions: true,
    redis: true,
    config: 'koa+@sess/redis on `client: new Redis(url)` (ioredis defaults: no per-command timeout timer).',
  },
];

export function specOf(name: string): ServerSpec {
  const all = [...SERVER_SPECS, ...EXPERIMENT_SPECS];
  const spec = all.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown server ${name}; one of: ${all.map((s) => s.name).join(', ')}`);
  return spec;
}

async function listen(handler: RequestListener, cleanup: () => Promise<unknown>): Promise<RunningServer> {
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await cleanup();
    },
  };
}

/** The floor's client, with the key it reads. */
async function floorClient(redisUrl: string): Promise<Redis> {
  const client = new Redis(redisUrl);
  await client.set(FLOOR_KEY, 'ann');
  return client;
}

/**
 * The session the login creates, for the size sweep (sweep.ts): BENCH_SESSION_SHAPE
 * `<keys>x<bytes>` adds that many keys of that many characters to `user` and `count`;
 * `user-only` stores `user` alone. Unset: `user` and `count`, as the main run.
 */
export interface SessionShape {
  userOnly: boolean;
  extra: Record<string, string>;
}

export function sessionShape(text = process.env.BENCH_SESSION_SHAPE): SessionShape {
  if (text === undefined || text === '') return { userOnly: false, extra: {} };
  if (text === 'user-only') return { userOnly: true, extra: {} };
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) throw new Error(`BENCH_SESSION_SHAPE must be user-only or <keys>x<bytes>, not ${text}`);
  const extra: Record<string, string> = {};
  for (let i = 0; i < Number(match[1]); i++) extra[`key${i}`] = String(i % 10).repeat(Number(match[2]));
  return { userOnly: false, extra };
}

/** Large enough for the sweep's largest session (100 keys of 100 KB). */
const SWEEP_MAX_SIZE_BYTES = 16 * 1024 * 1024;
const SWEEP_TIMEOUT_MS = 30_000;

/** The write floor's work: read a key, then write one (a counter, as the session servers' /write). */
async function readModifyWrite(client: Redis): Promise<string | null> {
  const user = await client.get(FLOOR_KEY);
  await client.set(FLOOR_COUNT_KEY, String(++floorCount));
  return user;
}
let floorCount = 0;

type Counted = { user?: string; count?: number };

export async function startServer(name: ServerName, redisUrl: string): Promise<RunningServer> {
  if (isHonoServer(name)) return startHonoServer(name, redisUrl, { secret: SECRET, floorKey: FLOOR_KEY, listen });
  switch (name) {
    case 'express': {
      const app = express();
      app.all('/{*any}', (_req, res) => {
        res.json({ user: 'ann' });
      });
      return listen(app, async () => {});
    }
    case 'express+raw-get': {
      const client = await floorClient(redisUrl);
      const app = express();
      app.all('/{*any}', async (_req, res) => {
        res.json({ user: await client.get(FLOOR_KEY) });
      });
      return listen(app, () => client.quit());
    }
    case 'express+raw-get-set': {
      const client = await floorClient(redisUrl);
      const app = express();
      app.all('/{*any}', async (_req, res) => {
        res.json({ user: await readModifyWrite(client) });
      });
      return listen(app, () => client.quit());
    }
    case 'express+@sess/memory':
      return listen(sessExpressApp(sessExpress({ secret: SECRET })), async () => {});
    case 'express+@sess/redis':
    case 'express+@sess/redis+autopipelining': {
      // The sweep's largest sessions (10 MB) take longer than the default bounds under load.
      const sweep = process.env.BENCH_SESSION_SHAPE !== undefined;
      const store = createRedisStore({
        url: redisUrl,
        redisOptions: experimentOptions(name),
        ...(sweep && { maxSizeBytes: SWEEP_MAX_SIZE_BYTES, operationTimeoutMs: SWEEP_TIMEOUT_MS }),
      });
      const middleware = sessExpress({ secret: SECRET, store, ...(sweep && { storeTimeoutMs: 2 * SWEEP_TIMEOUT_MS }) });
      return listen(sessExpressApp(middleware), () => store.close!());
    }
    case 'express+@sess/redis+node-redis': {
      const client = createClient({ url: redisUrl });
      await client.connect();
      const store = createRedisStore({ client });
      return listen(sessExpressApp(sessExpress({ secret: SECRET, store })), () => client.close());
    }
    case 'express+@sess/redis+upstash': {
      const bridge = await startUpstashBridge({ redisUrl });
      const store = createRedisStore({ client: new UpstashRedis({ url: bridge.url, token: bridge.token }) });
      return listen(sessExpressApp(sessExpress({ secret: SECRET, store })), () => bridge.close());
    }
    case 'express-session+connect-redis': {
      const client = createClient({ url: redisUrl });
      await client.connect();
      const app = express();
      app.use(
        expressSession({
          secret: SECRET,
          resave: false,
          saveUninitialized: false,
          store: new ConnectRedisStore({ client }),
        }),
      );
      const shape = sessionShape();
      app.post('/login', (req, res) => {
        const data = req.session as unknown as Counted;
        data.user = 'ann';
        if (!shape.userOnly) data.count = 0;
        Object.assign(data, shape.extra);
        res.json({ user: data.user });
      });
      app.get('/read', (req, res) => {
        res.json({ user: (req.session as unknown as Counted).user });
      });
      app.post('/write', (req, res) => {
        const data = req.session as unknown as Counted;
        data.count = (data.count ?? 0) + 1;
        res.json({ count: data.count });
      });
      return listen(app, () => client.quit());
    }
    case 'koa': {
      const app = new Koa();
      app.use((ctx) => {
        ctx.body = { user: 'ann' };
      });
      return listen(app.callback(), async () => {});
    }
    case 'koa+raw-get': {
      const client = await floorClient(redisUrl);
      const app = new Koa();
      app.use(async (ctx) => {
        ctx.body = { user: await client.get(FLOOR_KEY) };
      });
      return listen(app.callback(), () => client.quit());
    }
    case 'koa+raw-get-set': {
      const client = await floorClient(redisUrl);
      const app = new Koa();
      app.use(async (ctx) => {
        ctx.body = { user: await readModifyWrite(client) };
      });
      return listen(app.callback(), () => client.quit());
    }
    case 'koa+@sess/redis':
    case 'koa+@sess/redis+autopipelining':
    case 'koa+@sess/redis+plain-client': {
      const plainClient = name === 'koa+@sess/redis+plain-client' ? new Redis(redisUrl) : undefined;
      const store = plainClient
        ? createRedisStore({ client: plainClient })
        : createRedisStore({ url: redisUrl, redisOptions: experimentOptions(name) });
      const app = new Koa();
      app.use(sessKoa({ secret: SECRET, store }));
      app.use(
        koaRoutes({
          login: async (ctx) => {
            (await ctx.session.load()).set('user', 'ann');
            (await ctx.session.load()).set('count', 0);
            ctx.body = { user: 'ann' };
          },
          read: async (ctx) => {
            ctx.body = { user: (await ctx.session.load()).get('user') };
          },
          write: async (ctx) => {
            const count = (((await ctx.session.load()).get('count') as number | undefined) ?? 0) + 1;
            (await ctx.session.load()).set('count', count);
            ctx.body = { count };
          },
        }),
      );
      return listen(app.callback(), async () => {
        await store.close?.();
        await plainClient?.quit();
      });
    }
    case 'koa-session+koa-redis': {
      const store = redisStore({ url: redisUrl });
      const app = new Koa();
      app.keys = [SECRET];
      app.use(koaSession({ store }, app));
      const data = (ctx: Koa.Context) => (ctx as unknown as { session: Counted }).session;
      app.use(
        koaRoutes({
          login: (ctx) => {
            data(ctx).user = 'ann';
            data(ctx).count = 0;
            ctx.body = { user: 'ann' };
          },
          read: (ctx) => {
            ctx.body = { user: data(ctx).user };
          },
          write: (ctx) => {
            data(ctx).count = (data(ctx).count ?? 0) + 1;
            ctx.body = { count: data(ctx).count };
          },
        }),
      );
      return listen(app.callback(), () => store.quit());
    }
  }
}

function experimentOptions(name: ServerName): { enableAutoPipelining?: boolean } {
  return name.endsWith('+autopipelining') ? { enableAutoPipelining: true } : {};
}

function sessExpressApp(middleware: ReturnType<typeof sessExpress>): Express {
  const app = express();
  app.use(middleware);
  const shape = sessionShape();
  app.post('/login', async (req, res) => {
    const session = await req.session.load();
    session.set('user', 'ann');
    if (!shape.userOnly) session.set('count', 0);
    for (const [key, value] of Object.entries(shape.extra)) session.set(key as 'user', value);
    res.json({ user: 'ann' });
  });
  app.get('/read', async (req, res) => {
    res.json({ user: (await req.session.load()).get('user') });
  });
  app.post('/write', async (req, res) => {
    const count = (((await req.session.load()).get('count') as number | undefined) ?? 0) + 1;
    (await req.session.load()).set('count', count);
    res.json({ count });
  });
  return app;
}

type KoaHandler = (ctx: Koa.Context) => void | Promise<void>;

/** The three routes without a router dependency; anything else is a 404. */
function koaRoutes(handlers: { login: KoaHandler; read: KoaHandler; write: KoaHandler }): Koa.Middleware {
  return function routes(ctx) {
    if (ctx.method === 'POST' && ctx.path === '/login') return handlers.login(ctx);
    if (ctx.method === 'GET' && ctx.path === '/read') return handlers.read(ctx);
    if (ctx.method === 'POST' && ctx.path === '/write') return handlers.write(ctx);
    ctx.status = 404;
  };
}
