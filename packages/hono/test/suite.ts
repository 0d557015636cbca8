/*
 * The @sess/hono test suite, written once and run on every runtime: Node (in vitest),
 * Bun, Deno and workerd (through the runtime matrix in runtimes.test.ts). Each test's
 * name carries the runtime, e.g. `@sess/hono [bun], memory store: adapter conformance`.
 */
import {
  createCookieStore,
  createMemoryStore,
  createSessionManager,
  isSessionStoreError,
  isSessionTooLargeError,
  type SessionManagerOptions,
  type SessionStore,
} from '@sess/core';
import { statusOfError } from '@sess/core/adapter';
import { type ConformanceServer, describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { streamText } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describe, expect, it } from 'vitest';
import { type AppFlashData, type AppSessionData, getSession, type SessionEnv, session } from '../src/index';

/** A store a runtime can reach besides the in-process ones, with how to clean up after a test. */
export interface ExtraStore<Store extends SessionStore = SessionStore> {
  label: string;
  createStore(): Store | Promise<Store>;
  cleanup(store: Store): Promise<void> | void;
}

/** Where the suite runs and how the app is reached there. */
export interface RuntimeTarget {
  /** Shown in every test name: `node`, `bun`, `deno`, `workerd`. */
  runtime: string;
  /** Serves the app another way than in process through `app.request()`. */
  serve?: (app: Hono<SessionEnv>) => Promise<ConformanceServer>;
  /** Also run the middleware tests, which always go through `app.request()`. @default true */
  middleware?: boolean;
  /** Stores this runtime can reach, beyond memory and cookie (Redis on Node, Bun, Deno). */
  stores?: ExtraStore[];
}

/** The conformance app: the session middleware, then the suite's routes. */
export function conformanceApp(options: Parameters<typeof session>[0]): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();
  // Hono's default handler answers 500 for any error that is not an HTTPException.
  app.onError((error, c) => c.text(String(error), statusOfError(error) as ContentfulStatusCode));
  app.use(session(options));
  app.all('*', async (c) => {
    const reply = await handleConformanceRequest(c.var.session, c.req.method, c.req.url);
    if (reply === undefined) return c.notFound();
    switch (reply.kind) {
      case 'json':
        return c.body(JSON.stringify(reply.body), reply.status as ContentfulStatusCode, {
          ...reply.headers,
          'Content-Type': 'application/json',
        });
      case 'redirect':
        return c.redirect(reply.location);
      case 'stream':
        return streamText(c, async (stream) => {
          for await (const chunk of reply.chunks) await stream.write(chunk);
        });
    }
  });
  return app;
}

/** Reaches an app in process, as `app.request()` does on every runtime. */
export function inProcess(app: Hono<SessionEnv>): Promise<ConformanceServer> {
  return Promise.resolve({ request: async (path, init) => app.request(path, init), close: async () => {} });
}

export function describeHonoSuite(target: RuntimeTarget): void {
  const serve = target.serve ?? inProcess;
  const start = (options: SessionManagerOptions) => serve(conformanceApp(options));
  const label = (store: string) => `@sess/hono [${target.runtime}], ${store}`;

  if (target.middleware ?? true) describeMiddleware(target.runtime);
  describeAdapterConformance(label('memory store'), { start, createStore: () => createMemoryStore() });
  // The conformance suite reads a server store directly, so the cookie store has tests of its own.
  describeCookieStore(target.runtime);
  for (const extra of target.stores ?? []) {
    describeAdapterConformance(label(extra.label), { start, createStore: extra.createStore, cleanup: extra.cleanup });
  }
}

const SECRET = 'hono-adapter-test-secret-0123456789abcdef0123';

/** The cookie pair (`name=value`) of a response's first Set-Cookie, to send back. */
function cookieOf(res: Response): string {
  const [line = ''] = res.headers.getSetCookie();
  return line.split(';')[0] ?? '';
}

/** A store whose every call rejects, as a backend that is down. */
function downStore(): SessionStore {
  const down = () => Promise.reject(new Error('the store is down'));
  return { get: down, set: down, destroy: down, touch: down, update: down };
}

/** A memory store that can be taken down and brought back, as a backend during an outage. */
function outageStore(): { store: SessionStore; down(isDown: boolean): void } {
  const inner = createMemoryStore();
  let isDown = false;
  const guard =
    <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    (...args: Args): Promise<Result> =>
      isDown ? Promise.reject(new Error('the store is down')) : call(...args);
  const store: SessionStore = {
    get: guard((key) => inner.get(key)),
    set: guard((key, record) => inner.set(key, record)),
    destroy: guard((key) => inner.destroy(key)),
    touch: guard((key, meta) => inner.touch!(key, meta)),
    update: guard((key, patch) => inner.update!(key, patch)),
  };
  return { store, down: (value) => (isDown = value) };
}

/** Runs `body` with `console[level]` recorded instead of printed; resolves what it was called with. */
async function recordConsole(level: 'error' | 'warn', body: () => Promise<void>): Promise<unknown[][]> {
  const original = console[level];
  const calls: unknown[][] = [];
  console[level] = (...args: unknown[]) => calls.push(args);
  try {
    await body();
  } finally {
    console[level] = original;
  }
  return calls;
}

/** What only Hono can get wrong: typed variables, immutable responses, onError, upgrades, mounting. */
function describeMiddleware(runtime: string): void {
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

    it('runs although an earlier middleware set a `session` variable of its own (better-auth\'s guide does)', async () => {
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

    it('builds the manager once, from the first request\'s env, when given a function of the env', async () => {
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

/** Every cookie a response sets (not the ones it clears), as the Cookie header a browser sends back. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .filter((line) => !/;\s*Max-Age=0(;|$)/i.test(line) && !/^[^=]+=;/.test(line))
    .map((line) => line.split(';')[0])
    .join('; ');
}

/** The sealed cookie store: the session travels in the cookie, so only this runtime's Web Crypto is involved. */
function describeCookieStore(runtime: string): void {
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
      expect(cookiesOf(write)).not.toContain('ann');
      const read = await app.request('/user', { headers: { cookie: cookiesOf(write) } });
      expect(await read.json()).toEqual({ user: 'ann' });
      expect(read.headers.getSetCookie()).toEqual([]);
      expect(read.headers.get('vary')).toMatch(/cookie/i);
    });

    it('re-seals the cookie when the data changes', async () => {
      const app = cookieApp();
      const first = await app.request('/user/ann', { method: 'POST' });
      const second = await app.request('/user/bob', { method: 'POST', headers: { cookie: cookiesOf(first) } });
      expect(cookiesOf(second)).not.toBe(cookiesOf(first));
      const read = await app.request('/user', { headers: { cookie: cookiesOf(second) } });
      expect(await read.json()).toEqual({ user: 'bob' });
    });

    it('clears the cookie on destroy()', async () => {
      const app = cookieApp();
      const write = await app.request('/user/ann', { method: 'POST' });
      const destroyed = await app.request('/destroy', { method: 'POST', headers: { cookie: cookiesOf(write) } });
      expect(destroyed.headers.getSetCookie().length).toBeGreaterThan(0);
      expect(cookiesOf(destroyed)).toBe('');
    });

    it('answers a tampered cookie with a fresh anonymous session, never a 5xx', async () => {
      const app = cookieApp();
      const write = await app.request('/user/ann', { method: 'POST' });
      const [name, value = ''] = cookiesOf(write).split('=');
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
