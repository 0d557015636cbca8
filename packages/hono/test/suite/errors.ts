/* Store failures and oversized sessions, under Hono's default error handler and an app's onError. */
import { createMemoryStore, isSessionStoreError, isSessionTooLargeError } from '@sess/core';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { describe, expect, it } from 'vitest';
import { getSession, type SessionEnv, session } from '../../src/index';
import { cookieOf, downStore, outageStore, recordConsole, SECRET } from './helpers';

export function describeStoreFailures(runtime: string): void {
  describe(`@sess/hono [${runtime}]: store failures`, () => {
    it('sends a store failure to app.onError as SessionStoreError (503), without the redirect it replaces', async () => {
      const app = new Hono<SessionEnv>();
      const seen: unknown[] = [];
      app.onError((error, c) => {
        seen.push(error);
        return c.text('try again later', isSessionStoreError(error) ? error.status : 500);
      });
      app.use(session({ secret: SECRET, store: downStore() }));
      app.post('/login', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.redirect('/home', 303);
      });
      const res = await app.request('/login', { method: 'POST' });
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('try again later');
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ name: 'SessionStoreError', status: 503 });
    });

    it('keeps the headers an outer middleware set (CORS) on the error response of a store failure', async () => {
      const app = new Hono<SessionEnv>();
      app.use(cors({ origin: 'http://front.test' }));
      app.use(session({ secret: SECRET, store: downStore() }));
      app.post('/login', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.redirect('/home', 303);
      });
      let res = new Response();
      await recordConsole('error', async () => {
        res = await app.request('/login', { method: 'POST', headers: { origin: 'http://front.test' } });
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://front.test');
      expect(res.headers.get('location')).toBeNull();
    });

    it("answers a store failure in load() or getSession(c) with 503 and Retry-After under Hono's default error handler, and logs it", async () => {
      const { store, down } = outageStore();
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('ok');
      });
      app.get('/user', async (c) => c.json({ user: (await getSession(c)).get('user') ?? null }));
      const cookie = cookieOf(await app.request('/', { method: 'POST' }));
      down(true);
      const answers: Response[] = [];
      const logged = await recordConsole('error', async () => {
        answers.push(await app.request('/', { method: 'POST', headers: { cookie } }));
        answers.push(await app.request('/user', { headers: { cookie } }));
      });
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('2');
        expect(await res.text()).toBe('Service Unavailable');
      }
      expect(logged).toHaveLength(2);
      expect(logged.every(([error]) => isSessionStoreError(error))).toBe(true);
    });

    it('answers a store failure in the commit the same way, 503 with Retry-After, and logs it the same way', async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store: downStore() }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('ok');
      });
      let res = new Response();
      const logged = await recordConsole('error', async () => {
        res = await app.request('/', { method: 'POST' });
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.text()).toBe('Service Unavailable');
      expect(logged).toHaveLength(1);
      expect(isSessionStoreError(logged[0]?.[0])).toBe(true);
    });

    it('gives app.onError the SessionStoreError of a failing load() itself, with its Retry-After header', async () => {
      const { store, down } = outageStore();
      const app = new Hono<SessionEnv>();
      const seen: unknown[] = [];
      app.onError((error, c) => {
        seen.push(error);
        return isSessionStoreError(error) ? c.text('try again later', error.status, error.headers) : c.text('bug', 500);
      });
      app.use(session({ secret: SECRET, store }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return c.text('ok');
      });
      const cookie = cookieOf(await app.request('/', { method: 'POST' }));
      down(true);
      const res = await app.request('/', { method: 'POST', headers: { cookie } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.text()).toBe('try again later');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ name: 'SessionStoreError', operation: 'get', status: 503 });
    });

    it('answers 413 for a session over the store size limit, and onError sees SessionTooLargeError', async () => {
      const app = new Hono<SessionEnv>();
      const seen: unknown[] = [];
      app.use(async (c, next) => {
        await next();
        if (c.error) seen.push(c.error);
      });
      app.use(session({ secret: SECRET, store: createMemoryStore({ maxSizeBytes: 200 }) }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('notes', 'x'.repeat(1000));
        return c.text('ok');
      });
      const res = await app.request('/', { method: 'POST' });
      expect(res.status).toBe(413);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(isSessionTooLargeError(seen[0])).toBe(true);
    });

    it("answers 413 under Hono's default error handler without logging it, as a 4xx HTTPException", async () => {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: SECRET, store: createMemoryStore({ maxSizeBytes: 200 }) }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('notes', 'x'.repeat(1000));
        return c.text('ok');
      });
      let res = new Response();
      const logged = await recordConsole('error', async () => {
        res = await app.request('/', { method: 'POST' });
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(logged).toEqual([]);
    });
  });
}
