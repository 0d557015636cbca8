/* The sealed cookie store: the session travels in the cookie, so only this runtime's Web Crypto is involved. */
import { createCookieStore } from '@sess/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type SessionEnv, session } from '../../src/index';
import { cookieOf, SECRET } from './helpers';

export function describeCookieStore(runtime: string): void {
  describe(`@sess/hono [${runtime}], cookie store`, () => {
    function cookieApp(options: Parameters<typeof createCookieStore>[0] = {}): Hono<SessionEnv> {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store: createCookieStore(options) }));
      app.get('/user', async (c) => c.json({ user: (await c.var.session.load()).get('user') ?? null }));
      app.post('/user/:name', async (c) => {
        (await c.var.session.load()).set('user', c.req.param('name'));
        return c.text('ok');
      });
      app.post('/notes', async (c) => {
        (await c.var.session.load()).set('notes', 'n'.repeat(20_000));
        return c.text('ok');
      });
      app.post('/destroy', async (c) => {
        (await c.var.session.load()).destroy();
        return c.text('ok');
      });
      return app;
    }

    it('keeps the session in a sealed cookie that the next request reads back', async () => {
      const app = cookieApp();
      const write = await app.request('/user/ann', { method: 'POST' });
      expect(write.headers.getSetCookie()).toHaveLength(1);
      expect(cookieOf(write)).not.toContain('ann');
      const read = await app.request('/user', { headers: { cookie: cookieOf(write) } });
      expect(await read.json()).toEqual({ user: 'ann' });
      expect(read.headers.getSetCookie()).toEqual([]);
      expect(read.headers.get('vary')).toMatch(/cookie/i);
    });

    it('re-seals the cookie when the data changes', async () => {
      const app = cookieApp();
      const first = await app.request('/user/ann', { method: 'POST' });
      const second = await app.request('/user/bob', { method: 'POST', headers: { cookie: cookieOf(first) } });
      expect(cookieOf(second)).not.toBe(cookieOf(first));
      const read = await app.request('/user', { headers: { cookie: cookieOf(second) } });
      expect(await read.json()).toEqual({ user: 'bob' });
    });

    it('clears the cookie on destroy()', async () => {
      const app = cookieApp();
      const write = await app.request('/user/ann', { method: 'POST' });
      const destroyed = await app.request('/destroy', { method: 'POST', headers: { cookie: cookieOf(write) } });
      expect(destroyed.headers.getSetCookie().length).toBeGreaterThan(0);
      expect(cookieOf(destroyed)).toBe('');
    });

    it('answers a tampered cookie with a fresh anonymous session, never a 5xx', async () => {
      const app = cookieApp();
      const write = await app.request('/user/ann', { method: 'POST' });
      const [name, value = ''] = cookieOf(write).split('=');
      const tampered = `${name}=${value.slice(0, -4)}${value.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const read = await app.request('/user', { headers: { cookie: tampered } });
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({ user: null });
    });

    it('answers 413 when the session outgrows the cookies it may span', async () => {
      const res = await cookieApp({ maxCookies: 2 }).request('/notes', { method: 'POST' });
      expect(res.status).toBe(413);
      expect(res.headers.getSetCookie()).toEqual([]);
    });
  });
}
