/**
 * The Hono servers of the benchmark, on @hono/node-server: the same three routes and
 * JSON bodies as the Express and Koa ones (servers.ts), so only the session work differs.
 */
import { getRequestListener } from '@hono/node-server';
import { type SessionEnv as HonoSessionEnv, useSession } from '@hono/session';
import { createMemoryStore } from '@sess/core';
import { type SessionEnv, session as sessHono } from '@sess/hono';
import { createRedisStore, type RedisStore } from '@sess/store-redis';
import { Hono } from 'hono';
import { CookieStore, type Session as HonoSessionsSession, type SessionData, type Store, sessionMiddleware } from 'hono-sessions';
import { Redis } from 'ioredis';
import type { RunningServer, ServerSpec } from './servers';

export type HonoServerName =
  | 'hono'
  | 'hono+raw-get'
  | 'hono+@sess/memory'
  | 'hono+@sess/redis'
  | 'hono-sessions+cookie'
  | 'hono-sessions+ioredis'
  | '@hono/session+cookie';

/** The idle lifetime the other servers default to (one day), where a library needs one set. */
const ONE_DAY_SECONDS = 24 * 60 * 60;
/** @hono/session wants 32 bytes, hex-encoded. */
const HEX_SECRET = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

export const HONO_SERVER_SPECS: readonly (ServerSpec & { name: HonoServerName })[] = [
  { name: 'hono', framework: 'hono', sessions: false, redis: false, config: 'Hono 4 on @hono/node-server 2, `c.json` on every route.' },
  {
    name: 'hono+raw-get',
    framework: 'hono',
    sessions: false,
    redis: true,
    config: 'Hono 4, one ioredis 6 `GET` of a fixed key per request (default client options). The floor.',
  },
  {
    name: 'hono+@sess/memory',
    framework: 'hono',
    sessions: true,
    redis: false,
    config: '`session({ secret, store: createMemoryStore() })` from @sess/hono: @sess defaults.',
  },
  {
    name: 'hono+@sess/redis',
    framework: 'hono',
    sessions: true,
    redis: true,
    config: '`session({ secret, store: createRedisStore({ url }) })` from @sess/hono: @sess defaults.',
  },
  {
    name: 'hono-sessions+cookie',
    framework: 'hono',
    sessions: true,
    redis: false,
    dataInCookie: true,
    config:
      'hono-sessions 0.8 `sessionMiddleware({ store: new CookieStore(), encryptionKey, expireAfterSeconds: 86400, cookieOptions: { sameSite: "Lax", path: "/", httpOnly: true } })` (iron-webcrypto seal in the cookie).',
  },
  {
    name: 'hono-sessions+ioredis',
    framework: 'hono',
    sessions: true,
    redis: true,
    config:
      'hono-sessions 0.8 with the same options on a small ioredis 6 store (one `GET`, `SET ... EX 86400`, `DEL`; JSON), as its wiki describes custom drivers.',
  },
  {
    name: '@hono/session+cookie',
    framework: 'hono',
    sessions: true,
    redis: false,
    dataInCookie: true,
    config: '@hono/session 0.2 `useSession({ secret })`, its default cookie mode (the data in a JWE cookie, no storage).',
  },
];

export function isHonoServer(name: string): name is HonoServerName {
  return HONO_SERVER_SPECS.some((spec) => spec.name === name);
}

type Listen = (handler: ReturnType<typeof getRequestListener>, cleanup: () => Promise<unknown>) => Promise<RunningServer>;
type Counted = { user?: string; count?: number };

/** hono-sessions' storage contract on ioredis: one key per session, JSON, a day's TTL. */
class IoredisSessionStore implements Store {
  constructor(
    private readonly client: Redis,
    private readonly prefix = 'bench:hono-sessions:',
  ) {}

  async getSessionById(sessionId?: string): Promise<SessionData | null> {
    if (sessionId === undefined) return null;
    const text = await this.client.get(this.prefix + sessionId);
    return text === null ? null : (JSON.parse(text) as SessionData);
  }

  async createSession(sessionId: string, initialData: SessionData): Promise<void> {
    await this.client.set(this.prefix + sessionId, JSON.stringify(initialData), 'EX', ONE_DAY_SECONDS);
  }

  async persistSessionData(sessionId: string, sessionData: SessionData): Promise<void> {
    await this.client.set(this.prefix + sessionId, JSON.stringify(sessionData), 'EX', ONE_DAY_SECONDS);
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.client.del(this.prefix + sessionId);
  }
}

/** The @sess/hono app: the three routes on the loaded session. */
function sessApp(middleware: ReturnType<typeof sessHono>): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();
  app.use(middleware);
  app.post('/login', async (c) => {
    const current = await c.var.session.load();
    current.set('user', 'ann');
    current.set('count', 0);
    return c.json({ user: 'ann' });
  });
  app.get('/read', async (c) => c.json({ user: (await c.var.session.load()).get('user') }));
  app.post('/write', async (c) => {
    const current = await c.var.session.load();
    const count = Number(current.get('count') ?? 0) + 1;
    current.set('count', count);
    return c.json({ count });
  });
  return app;
}

function honoSessionsApp(
  store: Parameters<typeof sessionMiddleware>[0]['store'],
  secret: string,
): Hono<{ Variables: { session: HonoSessionsSession<Counted> } }> {
  const app = new Hono<{ Variables: { session: HonoSessionsSession<Counted> } }>();
  app.use(
    sessionMiddleware({
      store,
      encryptionKey: secret,
      expireAfterSeconds: ONE_DAY_SECONDS,
      cookieOptions: { sameSite: 'Lax', path: '/', httpOnly: true },
    }),
  );
  app.post('/login', (c) => {
    c.var.session.set('user', 'ann');
    c.var.session.set('count', 0);
    return c.json({ user: 'ann' });
  });
  app.get('/read', (c) => c.json({ user: c.var.session.get('user') ?? undefined }));
  app.post('/write', (c) => {
    const count = (c.var.session.get('count') ?? 0) + 1;
    c.var.session.set('count', count);
    return c.json({ count });
  });
  return app;
}

export async function startHonoServer(
  name: HonoServerName,
  redisUrl: string,
  options: { secret: string; floorKey: string; listen: Listen },
): Promise<RunningServer> {
  const { secret, floorKey, listen } = options;
  switch (name) {
    case 'hono': {
      const app = new Hono();
      app.all('*', (c) => c.json({ user: 'ann' }));
      return listen(getRequestListener(app.fetch), async () => {});
    }
    case 'hono+raw-get': {
      const client = new Redis(redisUrl);
      await client.set(floorKey, 'ann');
      const app = new Hono();
      app.all('*', async (c) => c.json({ user: await client.get(floorKey) }));
      return listen(getRequestListener(app.fetch), () => client.quit());
    }
    case 'hono+@sess/memory':
      return listen(getRequestListener(sessApp(sessHono({ secret, store: createMemoryStore() })).fetch), async () => {});
    case 'hono+@sess/redis': {
      const store: RedisStore = createRedisStore({ url: redisUrl });
      return listen(getRequestListener(sessApp(sessHono({ secret, store })).fetch), async () => {
        await store.close?.();
      });
    }
    case 'hono-sessions+cookie':
      return listen(getRequestListener(honoSessionsApp(new CookieStore(), secret).fetch), async () => {});
    case 'hono-sessions+ioredis': {
      const client = new Redis(redisUrl);
      return listen(getRequestListener(honoSessionsApp(new IoredisSessionStore(client), secret).fetch), () => client.quit());
    }
    case '@hono/session+cookie': {
      const app = new Hono<HonoSessionEnv<Counted>>();
      app.use(useSession({ secret: HEX_SECRET }));
      app.post('/login', async (c) => {
        await c.var.session.update({ user: 'ann', count: 0 });
        return c.json({ user: 'ann' });
      });
      app.get('/read', async (c) => c.json({ user: (await c.var.session.get())?.user }));
      app.post('/write', async (c) => {
        const count = ((await c.var.session.get())?.count ?? 0) + 1;
        await c.var.session.update((previous) => ({ ...previous, count }));
        return c.json({ count });
      });
      return listen(getRequestListener(app.fetch), async () => {});
    }
  }
}
