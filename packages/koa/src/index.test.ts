import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { createMemoryStore, createSessionManager, type SessionManagerOptions } from '@sess/core';
import { type ConformanceServer, cookieHeaderOf, describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
import { listenOnLoopback, redisConformanceStores } from '@sess/test-kit';
import Koa3 from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppFlashData, type AppSessionData, session } from './index';

// `koa2` is an npm alias of koa@2; its types are Koa 3's, close enough for these calls.
const Koa2 = createRequire(import.meta.url)('koa2') as typeof Koa3;

const SECRET = 'koa-adapter-test-secret-0123456789abcdef01234';

/** Builds the conformance app: the session middleware, then the suite's routes. */
function conformanceApp(Koa: typeof Koa3, options: Parameters<typeof session>[0]): Koa3 {
  const app = new Koa();
  app.silent = true;
  app.use(session(options));
  app.use(async function conformanceRoutes(ctx) {
    const reply = await handleConformanceRequest(ctx.session, ctx.method, ctx.url);
    if (reply === undefined) return;
    switch (reply.kind) {
      case 'json':
        ctx.status = reply.status;
        ctx.set(reply.headers);
        ctx.body = reply.body;
        return;
      case 'redirect':
        ctx.redirect(reply.location);
        return;
      case 'stream':
        ctx.type = 'text/plain';
        ctx.body = Readable.from(reply.chunks);
        return;
    }
  });
  return app;
}

const listen = (app: Koa3) => listenOnLoopback(app.callback());
const redisStores = redisConformanceStores('koa-conformance');

for (const [label, Koa] of [
  ['koa 3', Koa3],
  ['koa 2', Koa2],
] as const) {
  const start = async (options: SessionManagerOptions) => listen(conformanceApp(Koa, options));
  describeAdapterConformance(`@sess/koa on ${label}, memory store`, { start });
  describeAdapterConformance(`@sess/koa on ${label}, Redis store`, { start, ...redisStores });
}

describe('session()', () => {
  const servers: ConformanceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(app: Koa3): Promise<string> {
    const server = await listen(app);
    servers.push(server);
    return server.baseUrl;
  }

  it('returns a named middleware that exposes its manager', () => {
    const middleware = session({ secret: SECRET });
    expect(middleware.name).toBe('sessionMiddleware');
    expect(middleware.manager.cookieName).toBe('sid');
  });

  it('shares a manager given to it, so the app can revoke sessions outside a request', async () => {
    const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: SECRET, store: createMemoryStore() });
    const middleware = session(manager);
    expect(middleware.manager).toBe(manager);
    const app = new Koa3();
    app.use(middleware);
    app.use(async (ctx) => {
      (await ctx.session.load()).set('user', 'alice');
      (await ctx.session.load()).setUserId('alice');
      ctx.body = { ok: true };
    });
    const res = await fetch(await serve(app), { method: 'POST' });
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(await manager.listUserSessions('alice')).toHaveLength(1);
    expect(await manager.revokeUserSessions('alice')).toBe(1);
  });

  it('throws a TypeError naming the package for missing options', () => {
    expect(() => session(undefined as unknown as SessionManagerOptions)).toThrow(/@sess\/koa: option `options`/);
    expect(() => session({ secret: 'short' })).toThrow(TypeError);
  });

  it('throws a store error into Koa error handling, with status 503', async () => {
    const down = () => Promise.reject(new Error('down'));
    const app = new Koa3();
    app.silent = true;
    const seen: unknown[] = [];
    app.use(async (_ctx, next) => {
      try {
        await next();
      } catch (error) {
        seen.push(error);
        throw error;
      }
    });
    app.use(session({ secret: SECRET, store: { get: down, set: down, destroy: down } }));
    app.use(async (ctx) => {
      (await ctx.session.load()).set('user', 'alice');
      ctx.redirect('/next');
    });
    const res = await fetch(await serve(app), { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(503);
    expect(res.headers.get('location')).toBeNull();
    expect(seen[0]).toMatchObject({ name: 'SessionStoreError', operation: 'set', status: 503 });
  });

  it('rethrows a 4xx handler error unchanged, keeping its own headers and adding the session cookie', async () => {
    const store = createMemoryStore();
    const app = new Koa3();
    app.silent = true;
    app.use(session({ secret: SECRET, store }));
    app.use(async (ctx) => {
      (await ctx.session.load()).set('user', 'mallory');
      ctx.throw(409, 'conflict on purpose', { headers: { 'X-Reason': 'conflict' } });
    });
    const res = await fetch(await serve(app), { method: 'POST' });
    expect(res.status).toBe(409);
    expect(await res.text()).toBe('conflict on purpose');
    expect(res.headers.get('x-reason')).toBe('conflict');
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('vary')).toBe('Cookie');
  });

  it('keeps Set-Cookie, Vary and Cache-Control when an upstream middleware catches a 4xx error and answers it itself', async () => {
    const store = createMemoryStore();
    const app = new Koa3();
    app.silent = true;
    // The pattern the README suggests and the demo uses: answer errors in an outer middleware.
    app.use(async function errors(ctx, next) {
      try {
        await next();
      } catch (error) {
        const status = (error as { status?: number }).status ?? 500;
        ctx.status = status;
        ctx.body = { error: (error as Error).message };
      }
    });
    app.use(session({ secret: SECRET, store }));
    app.use(async (ctx) => {
      (await ctx.session.load()).set('user', 'kept');
      ctx.throw(422, 'invalid form on purpose');
    });
    const base = await serve(app);
    const res = await fetch(base, { method: 'POST' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: 'invalid form on purpose' });
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(res.headers.get('vary')).toBe('Cookie');
    expect(res.headers.get('cache-control')).toBe('private');
    // The cookie names the stored record: the data is not orphaned.
    const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: SECRET, store });
    const handle = manager.open(cookieHeaderOf(cookies));
    expect((await handle.load()).get('user')).toBe('kept');
  });

  it('rethrows a status-less handler error unchanged and persists nothing', async () => {
    const store = createMemoryStore();
    const app = new Koa3();
    app.silent = true;
    app.use(session({ secret: SECRET, store }));
    app.use(async (ctx) => {
      (await ctx.session.load()).set('user', 'mallory');
      throw new Error('broken on purpose');
    });
    const res = await fetch(await serve(app), { method: 'POST' });
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('persists a thrown request when saveOnError is on', async () => {
    const store = createMemoryStore();
    const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: SECRET, store, saveOnError: true });
    const app = new Koa3();
    app.silent = true;
    let key = '';
    app.use(session(manager));
    app.use(async (ctx) => {
      const loaded = await ctx.session.load();
      loaded.set('user', 'alice');
      key = loaded.key;
      throw new Error('after the write');
    });
    const res = await fetch(await serve(app), { method: 'POST' });
    expect(res.status).toBe(500);
    expect((await store.get(key))?.data).toEqual({ user: 'alice' });
  });
});
