/* Two session() on one request, another library's `session` variable, and getSession(c). */
import { createMemoryStore, createSessionManager } from '@sess/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type AppFlashData, type AppSessionData, getSession, type SessionEnv, session } from '../../src/index';
import { cookieOf, SECRET } from './helpers';

export function describeMounting(runtime: string): void {
  describe(`@sess/hono [${runtime}]: mounting and getSession`, () => {
    it('opens one session when mounted twice', async () => {
      const middleware = session({ secret: SECRET });
      const app = new Hono<SessionEnv>();
      app.use(middleware);
      app.use(middleware);
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('ok');
      });
      expect((await app.request('/', { method: 'POST' })).headers.getSetCookie()).toHaveLength(1);
    });

    it("runs although an earlier middleware set a `session` variable of its own (better-auth's guide does)", async () => {
      const app = new Hono<SessionEnv>();
      app.use(async (c, next) => {
        c.set('session', { id: 'from another library' } as never);
        await next();
      });
      app.use(session({ secret: SECRET }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('ok');
      });
      app.get('/user', async (c) => c.json({ user: (await c.var.session.load()).get('user') ?? null }));
      const res = await app.request('/', { method: 'POST' });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toHaveLength(1);
      expect(await (await app.request('/user', { headers: { cookie: cookieOf(res) } })).json()).toEqual({ user: 'ann' });
    });

    it('finds its session through getSession(c) when a later middleware overwrote the `session` variable', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.use(async (c, next) => {
        c.set('session', { id: 'from another library' } as never);
        await next();
      });
      app.post('/', async (c) => {
        (await getSession(c)).set('user', 'ann');
        return c.text('ok');
      });
      app.get('/user', async (c) => c.json({ user: (await getSession(c)).get('user') ?? null }));
      const res = await app.request('/', { method: 'POST' });
      expect(res.headers.getSetCookie()).toHaveLength(1);
      expect(await (await app.request('/user', { headers: { cookie: cookieOf(res) } })).json()).toEqual({ user: 'ann' });
    });

    it("refuses a sub-app's session() with other options than the app's, with an error that says to mount one", async () => {
      const seen: unknown[] = [];
      const app = new Hono<SessionEnv>();
      app.onError((error, c) => {
        seen.push(error);
        return c.text('refused', 500);
      });
      app.use(session({ secret: SECRET }));
      const sub = new Hono<SessionEnv>();
      sub.use(session({ secret: SECRET, cookie: { name: 'sub_sid' } }));
      sub.get('/', (c) => c.text('sub'));
      app.route('/sub', sub);
      const res = await app.request('/sub');
      expect(res.status).toBe(500);
      expect(String(seen[0])).toMatch(/^Error: @sess\/hono: GET \/sub passes through two session\(\) middlewares with different options/);
      expect(String(seen[0])).toMatch(/subApp\.use\(sessions\)/);
    });

    it("accepts a sub-app's session() with the same options as the app's, and opens one session", async () => {
      const store = createMemoryStore();
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store, cookie: { name: 'sid' } }));
      const sub = new Hono<SessionEnv>();
      sub.use(session({ secret: SECRET, store, cookie: { name: 'sid' } }));
      sub.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('sub');
      });
      app.route('/sub', sub);
      const res = await app.request('/sub', { method: 'POST' });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toHaveLength(1);
    });

    it("accepts a sub-app's session() given the app's manager, and opens one session", async () => {
      const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: SECRET });
      const app = new Hono<SessionEnv>();
      app.use(session(manager));
      const sub = new Hono<SessionEnv>();
      sub.use(session(manager));
      sub.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('sub');
      });
      app.route('/sub', sub);
      const res = await app.request('/sub', { method: 'POST' });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toHaveLength(1);
    });

    it('loads with getSession(c) the same session as c.var.session', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.get('/', async (c) => {
        expect(await getSession(c)).toBe(await c.var.session.load());
        return c.text('ok');
      });
      expect((await app.request('/')).status).toBe(200);
    });

    it('rejects getSession(c) on a route registered before app.use(session()) with an error that says so', async () => {
      const seen: unknown[] = [];
      const app = new Hono<SessionEnv>();
      app.onError((error, c) => {
        seen.push(error);
        return c.text('oops', 500);
      });
      app.get('/early', async (c) => c.json({ user: (await getSession(c)).get('user') ?? null }));
      app.use(session({ secret: SECRET }));
      expect((await app.request('/early')).status).toBe(500);
      expect(String(seen[0])).toMatch(
        /^Error: @sess\/hono: getSession\(c\) found no session on this request \(GET \/early\): session\(\) did not run before this handler/,
      );
      expect(String(seen[0])).toMatch(/call app\.use\(session\(options\)\) before the routes/);
    });
  });
}
