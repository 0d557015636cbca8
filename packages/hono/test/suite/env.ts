/* session((env) => options), and the warning for a session() created per request. */
import type { SessionManagerOptions } from '@sess/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type SessionEnv, session } from '../../src/index';
import { cookieOf, recordConsole, SECRET } from './helpers';

export function describeEnvOptions(runtime: string): void {
  describe(`@sess/hono [${runtime}]: configured from the env`, () => {
    it("builds the manager once, from the first request's env, when given a function of the env", async () => {
      interface Bindings {
        SESSION_SECRET: string;
      }
      const envs: Bindings[] = [];
      const middleware = session((env: Bindings) => {
        envs.push(env);
        return { secret: env.SESSION_SECRET };
      });
      expect(() => middleware.manager).toThrow(/^@sess\/hono: session\(\(env\) => options\)\.manager exists only once the first request/);
      const app = new Hono<{ Bindings: Bindings } & SessionEnv>();
      app.use(middleware);
      app.post('/count', async (c) => {
        const current = await c.var.session.load();
        current.set('count', ((current.get('count') as number | undefined) ?? 0) + 1);
        return c.json({ count: current.get('count') });
      });
      const env = { SESSION_SECRET: SECRET };
      let cookie = '';
      for (let i = 1; i <= 5; i++) {
        const res = await app.request('/count', { method: 'POST', headers: cookie ? { cookie } : {} }, env);
        expect(await res.json()).toEqual({ count: i });
        cookie ||= cookieOf(res);
      }
      expect(envs).toEqual([env]);
      expect(middleware.manager.cookieName).toBe('sid');
    });

    it('throws a TypeError naming the package when the function of the env returns no options', async () => {
      const seen: unknown[] = [];
      const functions = [
        () => undefined,
        () => Promise.resolve({ secret: SECRET }),
        () => ({ secret: 'short' }),
        // app.request() without bindings, as on Node: the env is {}, the missing secret the core's error.
        (env: { SESSION_SECRET: string }) => ({ secret: env.SESSION_SECRET }),
      ];
      for (const fromEnv of functions) {
        const app = new Hono<SessionEnv>();
        app.onError((error, c) => {
          seen.push(error);
          return c.text('bad options', 500);
        });
        app.use(session(fromEnv as () => SessionManagerOptions));
        app.get('/', (c) => c.text('ok'));
        expect((await app.request('/')).status).toBe(500);
      }
      expect(seen.map((error) => (error as Error).name)).toEqual(['TypeError', 'TypeError', 'TypeError', 'TypeError']);
      expect(String(seen[0])).toMatch(/^TypeError: @sess\/hono: option `options` must be a function returning session manager options/);
      expect(String(seen[1])).toMatch(/not a Promise/);
      expect(String(seen[2])).toMatch(/^TypeError: @sess\/hono: option `secret`/);
      expect(String(seen[3])).toMatch(/^TypeError: @sess\/hono: option `secret`/);
    });

    it('warns once when session() is created inside each request, which loses every session on the memory store', async () => {
      const app = new Hono<SessionEnv>();
      // The pattern the warning is about: a new middleware, manager and memory store per request.
      app.use((c, next) => session({ secret: SECRET })(c as never, next));
      app.post('/count', async (c) => {
        const current = await c.var.session.load();
        current.set('count', ((current.get('count') as number | undefined) ?? 0) + 1);
        return c.json({ count: current.get('count') });
      });
      const counts: unknown[] = [];
      const warned = await recordConsole('warn', async () => {
        let cookie = '';
        for (let i = 0; i < 4; i++) {
          const res = await app.request('/count', { method: 'POST', headers: cookie ? { cookie } : {} });
          counts.push(((await res.json()) as { count: number }).count);
          cookie = cookieOf(res) || cookie;
        }
      });
      expect(counts).toEqual([1, 1, 1, 1]);
      expect(warned).toHaveLength(1);
      expect(String(warned[0]?.[0])).toMatch(/^@sess\/hono: session\(\) is being created inside a request, once per request/);
      expect(String(warned[0]?.[0])).toMatch(/session\(\(env: Bindings\) => \(\{ secret: env\.SESSION_SECRET \}\)\)/);
    });

    it('does not warn for a middleware created once, whatever cookies its first request brings', async () => {
      const warned = await recordConsole('warn', async () => {
        for (let i = 0; i < 3; i++) {
          const app = new Hono<SessionEnv>();
          app.use(session({ secret: SECRET }));
          app.get('/', (c) => c.text('ok'));
          // The first request comes in a later turn than the middleware was created, as in any server.
          await Promise.resolve();
          await app.request('/', { headers: { cookie: 'sid=from-a-previous-process' } });
        }
      });
      expect(warned).toEqual([]);
    });
  });
}
