/* What only Hono can get wrong: typed variables, immutable responses, onError, upgrades. */
import { createMemoryStore, createSessionManager, type SessionManagerOptions } from '@sess/core';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { type AppFlashData, type AppSessionData, type SessionEnv, session } from '../../src/index';
import { cookieOf, SECRET } from './helpers';

export function describeMiddleware(runtime: string): void {
  describe(`@sess/hono [${runtime}]: middleware`, () => {
    it('returns a named middleware that exposes its manager', () => {
      const middleware = session({ secret: SECRET });
      expect(middleware.name).toBe('sessionMiddleware');
      expect(middleware.manager.cookieName).toBe('sid');
    });

    it('throws a TypeError naming the package and the option when the options are wrong', () => {
      expect(() => session(undefined as unknown as SessionManagerOptions)).toThrow(/^@sess\/hono: option `options`/);
      expect(() => session({ secret: 'short' })).toThrow(TypeError);
    });

    it('gives the handler a lazy session in c.var.session and c.get(), loaded once per request', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.post('/count', async (c) => {
        const [first, second] = await Promise.all([c.var.session.load(), c.get('session').load()]);
        expect(first).toBe(second);
        first.set('count', ((first.get('count') as number | undefined) ?? 0) + 1);
        return c.json({ count: first.get('count') });
      });
      const one = await app.request('/count', { method: 'POST' });
      expect(await one.json()).toEqual({ count: 1 });
      const two = await app.request('/count', { method: 'POST', headers: { cookie: cookieOf(one) } });
      expect(await two.json()).toEqual({ count: 2 });
    });

    it('adds its cookie to a Response.redirect(), whose headers are immutable', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.post('/login', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return Response.redirect('http://app.test/home', 303);
      });
      app.get('/user', async (c) => c.json({ user: (await c.var.session.load()).get('user') ?? null }));
      const res = await app.request('/login', { method: 'POST' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('http://app.test/home');
      expect(res.headers.getSetCookie()).toHaveLength(1);
      expect(res.headers.get('vary')).toMatch(/cookie/i);
      const next = await app.request('/user', { headers: { cookie: cookieOf(res) } });
      expect(await next.json()).toEqual({ user: 'ann' });
    });

    it('never writes its headers into a Response object the handler returns on every request', async () => {
      const shared = new Response(null, { status: 204 });
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return shared;
      });
      const [one, two] = [await app.request('/', { method: 'POST' }), await app.request('/', { method: 'POST' })];
      expect(one.headers.getSetCookie()).toHaveLength(1);
      expect(two.headers.getSetCookie()).toHaveLength(1);
      expect(cookieOf(one)).not.toBe(cookieOf(two));
      expect([...shared.headers]).toEqual([]);
    });

    it('keeps the cookies a handler set itself next to its own', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        c.header('Set-Cookie', 'theme=dark; Path=/', { append: true });
        return c.text('ok');
      });
      const cookies = (await app.request('/', { method: 'POST' })).headers.getSetCookie();
      expect(cookies).toHaveLength(2);
      expect(cookies[0]).toBe('theme=dark; Path=/');
      expect(cookies[1]).toMatch(/^sid=/);
    });

    it('writes nothing on the response before the handler ran', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      const seen: string[][] = [];
      app.use(async (c, next) => {
        seen.push(c.res.headers.getSetCookie());
        await next();
      });
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return new Response('replaced');
      });
      const res = await app.request('/', { method: 'POST' });
      expect(seen).toEqual([[]]);
      expect(await res.text()).toBe('replaced');
      expect(res.headers.getSetCookie()).toHaveLength(1);
    });

    it('commits nothing on a 101 WebSocket upgrade', async () => {
      const store = createMemoryStore();
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store }));
      app.get('/ws', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        // Only a runtime's upgrade API makes a real 101; its status is what the middleware reads.
        return Object.defineProperty(new Response(null), 'status', { value: 101 });
      });
      const res = await app.request('/ws');
      expect(res.status).toBe(101);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(res.headers.get('vary')).toBeNull();
    });

    it('persists the write of a handler that throws an HTTPException 4xx', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.post('/conflict', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        throw new HTTPException(409, { message: 'conflict on purpose' });
      });
      app.get('/user', async (c) => c.json({ user: (await c.var.session.load()).get('user') ?? null }));
      const res = await app.request('/conflict', { method: 'POST' });
      expect(res.status).toBe(409);
      expect(await res.text()).toBe('conflict on purpose');
      expect(res.headers.getSetCookie()).toHaveLength(1);
      expect(await (await app.request('/user', { headers: { cookie: cookieOf(res) } })).json()).toEqual({ user: 'ann' });
    });

    it('persists nothing when the handler throws, even if onError answers 4xx', async () => {
      const store = createMemoryStore();
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store }));
      app.onError((_error, c) => c.text('handled', 400));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'mallory');
        throw new Error('after the write');
      });
      const res = await app.request('/', { method: 'POST' });
      expect(res.status).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('persists nothing when onError turns a thrown 4xx into a 5xx', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET }));
      app.onError((_error, c) => c.text('hidden', 500));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'mallory');
        throw new HTTPException(404);
      });
      const res = await app.request('/', { method: 'POST' });
      expect(res.status).toBe(500);
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('shares a manager given to it, so the app can revoke sessions outside a request', async () => {
      const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: SECRET, store: createMemoryStore() });
      const middleware = session(manager);
      expect(middleware.manager).toBe(manager);
      const app = new Hono<SessionEnv>();
      app.use(middleware);
      app.post('/', async (c) => {
        const current = await c.var.session.load();
        current.set('user', 'ann');
        current.setUserId('ann');
        return c.text('ok');
      });
      await app.request('/', { method: 'POST' });
      expect(await manager.listUserSessions('ann')).toHaveLength(1);
      expect(await manager.revokeUserSessions('ann')).toBe(1);
    });
  });
}
