import { createMemoryStore, type SessionStore } from '@sess/core';
import { cookieHeaderOf } from '@sess/core/testing';
import { redirect } from 'next/navigation';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSessions, type NextSession } from './index';

/*
 * Server Components and Server Actions run inside Next's request scope, which only
 * `next start` provides (the demo's tests drive them there, in Chromium). Here the two
 * request-scoped functions the adapter calls, `cookies()` and `after()`, are stood in
 * for by a small fake request, so each rule can be checked alone.
 */
const scope = vi.hoisted(() => {
  class FakeRequest {
    /** The jar: what Next's `cookies()` shows, including cookies set earlier in this request. */
    readonly cookies = new Map<string, string>();
    /** The Cookie header as the browser sent it; by default the jar's cookies at the start. */
    rawCookie: string | undefined;
    /** Every `cookies().set` call: what Next would send as Set-Cookie, and re-render for. */
    readonly written: { name: string; value: string; options: unknown }[] = [];
    readonly afterTasks: (() => unknown)[] = [];
    readonly jar = {
      getAll: () => [...this.cookies].map(([name, value]) => ({ name, value })),
      set: (name: string, value: string, options: unknown) => {
        this.written.push({ name, value, options });
        this.cookies.set(name, value);
      },
    };
    readonly headers = {
      get: (name: string) =>
        name.toLowerCase() === 'cookie'
          ? (this.rawCookie ?? ([...this.cookies].map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('; ') || null))
          : null,
    };
    /** Runs what `after()` scheduled, as Next does once the response is sent. */
    async finish(): Promise<void> {
      for (const task of this.afterTasks.splice(0)) await task();
    }
  }
  return { FakeRequest, current: new FakeRequest() };
});

vi.mock('next/headers.js', () => ({ cookies: async () => scope.current.jar, headers: async () => scope.current.headers }));
vi.mock('next/server.js', async (original) => ({
  ...(await original<typeof import('next/server.js')>()),
  after: (task: () => unknown) => {
    scope.current.afterTasks.push(task);
  },
}));

const SECRET = 'next-adapter-test-secret-0123456789abcdef0123';
const HOUR_MS = 60 * 60 * 1000;

/** A browser: its cookies carry over from one request to the next. */
function nextRequest(): InstanceType<typeof scope.FakeRequest> {
  const previous = scope.current;
  const request = new scope.FakeRequest();
  for (const [name, value] of previous.cookies) request.cookies.set(name, value);
  // What the browser sends: the cookies it holds when the request starts.
  request.rawCookie = request.headers.get('cookie') ?? undefined;
  scope.current = request;
  return request;
}

let store: SessionStore;
let nowMs: number;
beforeEach(() => {
  store = createMemoryStore();
  nowMs = Date.now();
  scope.current = new scope.FakeRequest();
});
const app = () => createSessions({ secret: SECRET, store, now: () => nowMs });

async function signIn(sessions: ReturnType<typeof app>, user = 'ann'): Promise<void> {
  nextRequest();
  await sessions.action(async (handle) => {
    const session = await handle.load();
    session.regenerate();
    session.set('user', user);
    session.flash('notice', `Welcome, ${user}!`);
  })();
  await scope.current.finish();
}

describe('sessions.read() in a Server Component', () => {
  it('reads what a Server Action wrote, and never writes a cookie', async () => {
    const sessions = app();
    await signIn(sessions);
    const request = nextRequest();
    const session = await sessions.read();
    expect(session.get('user')).toBe('ann');
    await request.finish();
    expect(request.written).toEqual([]);
  });

  it('reads an empty session for a visitor without a cookie, storing nothing', async () => {
    const sessions = app();
    const request = nextRequest();
    const session = await sessions.read();
    expect(session.get('user')).toBeUndefined();
    expect(session.isNew).toBe(true);
    await request.finish();
    expect(request.written).toEqual([]);
  });

  it('extends the store-side expiry through after() once a touch is due, with no cookie', async () => {
    const sessions = app();
    await signIn(sessions);
    const key = (await sessions.read()).key;
    const before = (await store.get(key))!.expiresAtMs;

    nowMs += 5 * HOUR_MS;
    const request = nextRequest();
    await sessions.read();
    // Nothing moves until the response is out.
    expect((await store.get(key))!.expiresAtMs).toBe(before);
    await request.finish();
    expect((await store.get(key))!.expiresAtMs).toBeGreaterThan(before);
    expect(request.written).toEqual([]);
  });

  it('shows a flash message once: it is consumed in the store after the response', async () => {
    const sessions = app();
    await signIn(sessions);
    let request = nextRequest();
    expect((await sessions.read()).getFlash('notice')).toBe('Welcome, ann!');
    await request.finish();
    expect(request.written).toEqual([]);

    request = nextRequest();
    expect((await sessions.read()).getFlash('notice')).toBeUndefined();
    await request.finish();
  });

  it('refuses a write with an error that says to use a Server Action or a Route Handler', async () => {
    const sessions = app();
    await signIn(sessions);
    nextRequest();
    const session = (await sessions.read()) as NextSession;
    expect(() => session.set('user', 'mallory')).toThrow(expect.objectContaining({ name: 'SessionUsageError' }));
    expect(() => session.regenerate()).toThrow(/Server Action or Route Handler/);
    await scope.current.finish();
    expect((await sessions.read()).get('user')).toBe('ann');
  });
});

describe('sessions.action() around a Server Action', () => {
  it('sets the cookie of a new session before the action returns', async () => {
    const sessions = app();
    const request = nextRequest();
    const result = await sessions.action(async (handle, amount: number) => {
      (await handle.load()).set('count', amount);
      return 'done';
    })(3);
    expect(result).toBe('done');
    expect(request.written).toHaveLength(1);
    expect(request.written[0]).toMatchObject({ name: 'sid', options: { httpOnly: true, sameSite: 'lax', path: '/' } });
  });

  it('sends no cookie for an action that only changes session data, so Next does not re-render for it', async () => {
    const sessions = app();
    await signIn(sessions);
    const count = sessions.action(async (handle) => {
      const session = await handle.load();
      session.set('count', (session.get('count') ?? 0) + 1);
    });
    for (let click = 1; click <= 10; click++) {
      const request = nextRequest();
      await count();
      expect(request.written, `click ${click}`).toEqual([]);
    }
    nextRequest();
    expect((await sessions.read()).get('count')).toBe(10);
  });

  it('sets the cookie when the browser must learn something: regenerate, remember-me, destroy', async () => {
    const sessions = app();
    await signIn(sessions);
    for (const change of [
      (session: NextSession) => session.regenerate(),
      (session: NextSession) => session.rememberMe(true),
      (session: NextSession) => session.destroy(),
    ]) {
      const request = nextRequest();
      await sessions.action(async (handle) => change(await handle.load()))();
      expect(request.written, change.toString()).toHaveLength(1);
    }
    nextRequest();
    expect((await sessions.read()).get('user')).toBeUndefined();
  });

  it('commits and sets the cookie before a redirect() thrown inside the action leaves', async () => {
    const sessions = app();
    const request = nextRequest();
    const signInAndGo = sessions.action(async (handle) => {
      (await handle.load()).set('user', 'bob');
      redirect('/');
    });
    await expect(signInAndGo()).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT/) });
    expect(request.written).toHaveLength(1);
    nextRequest();
    expect((await sessions.read()).get('user')).toBe('bob');
  });

  it('persists nothing and sets no cookie when the action throws, rethrowing its error', async () => {
    const sessions = app();
    await signIn(sessions);
    const request = nextRequest();
    const failing = sessions.action(async (handle) => {
      (await handle.load()).set('user', 'mallory');
      throw new Error('the action failed');
    });
    await expect(failing()).rejects.toThrow('the action failed');
    expect(request.written).toEqual([]);
    nextRequest();
    expect((await sessions.read()).get('user')).toBe('ann');
  });

  it('rejects with the store error (503) when the store fails, setting no cookie', async () => {
    const down = () => Promise.reject(new Error('down'));
    const sessions = createSessions({ secret: SECRET, store: { get: down, set: down, destroy: down } });
    const request = nextRequest();
    const action = sessions.action(async (handle) => {
      (await handle.load()).set('user', 'ann');
    });
    await expect(action()).rejects.toMatchObject({ name: 'SessionStoreError', status: 503 });
    expect(request.written).toEqual([]);
  });
});

describe('sessions.route() around a Route Handler', () => {
  it('sets the cookie through cookies() when the handler calls redirect()', async () => {
    const sessions = app();
    const request = nextRequest();
    const handler = sessions.route(async (_request, handle) => {
      (await handle.load()).set('user', 'carol');
      redirect('/');
    });
    await expect(handler(new Request('http://next.test/login', { method: 'POST' }), {})).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT/),
    });
    expect(request.written).toHaveLength(1);
  });

  it('leaves a response alone when the handler never loaded the session', async () => {
    const sessions = app();
    const original = new Response('static');
    const response = await sessions.route(() => original)(new Request('http://next.test/'), {});
    expect(response).toBe(original);
    expect(response.headers.get('vary')).toBeNull();
  });
});

describe('createSessions()', () => {
  it('checks nothing at import, so next build needs no secret, and throws a TypeError naming the package at the first request', async () => {
    const makeStore = vi.fn(() => createMemoryStore());
    const sessions = createSessions({ secret: process.env.SESS_NO_SUCH_SECRET as string, store: makeStore, cookie: { name: 'build.sid' } });
    expect(makeStore).not.toHaveBeenCalled();
    nextRequest();
    await expect(sessions.read()).rejects.toThrow(/^@sess\/next: .*secret/);
    expect(() => createSessions(undefined as never)).toThrow(/@sess\/next/);
  });

  it('shares a manager it is given', () => {
    const sessions = app();
    expect(createSessions(sessions.manager).manager).toBe(sessions.manager);
  });
});

describe('createSessions() evaluated once per route bundle', () => {
  // Each call stands for one copy of `lib/sessions.ts`: Next evaluates it once per route bundle.
  const copyOfModule = (makeStore?: () => SessionStore, cookie = 'bundles.sid') =>
    createSessions(
      makeStore === undefined
        ? { secret: SECRET, cookie: { name: cookie } }
        : { secret: SECRET, store: makeStore, cookie: { name: cookie } },
    );
  beforeEach(() => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('@sess/next/managers')];
  });

  it('calls the store function once per process, at the first request, and every copy sees the same sessions', async () => {
    const makeStore = vi.fn(() => createMemoryStore());
    const routeBundle = copyOfModule(makeStore);
    const pageBundle = copyOfModule(makeStore);
    expect(makeStore).not.toHaveBeenCalled();
    await signIn(routeBundle);
    nextRequest();
    expect((await pageBundle.read()).get('user')).toBe('ann');
    expect(makeStore).toHaveBeenCalledTimes(1);
    expect(pageBundle.manager.store).toBe(routeBundle.manager.store);
  });

  it('shares one default memory store between copies', async () => {
    const routeBundle = copyOfModule();
    const pageBundle = copyOfModule();
    await signIn(routeBundle, 'bea');
    nextRequest();
    expect((await pageBundle.read()).get('user')).toBe('bea');
    expect(pageBundle.manager.store).toBe(routeBundle.manager.store);
  });

  it('keeps a given store object to its own call', async () => {
    const first = createSessions({ secret: SECRET, store: createMemoryStore(), cookie: { name: 'bundles.sid' } });
    const second = createSessions({ secret: SECRET, store: createMemoryStore(), cookie: { name: 'bundles.sid' } });
    await signIn(first);
    nextRequest();
    expect((await second.read()).get('user')).toBeUndefined();
  });

  it('refuses, in production, two calls for one cookie name with different options', async () => {
    const first = createSessions({ secret: SECRET, cookie: { name: 'bundles.sid', secure: false } });
    const second = createSessions({ secret: SECRET, cookie: { name: 'bundles.sid', secure: false }, expiry: { idleTimeoutMs: HOUR_MS } });
    vi.stubEnv('NODE_ENV', 'production');
    try {
      nextRequest();
      await first.read();
      await expect(second.read()).rejects.toThrow(/@sess\/next: two createSessions\(\) calls .* "bundles\.sid" with different options/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('takes the options of the copy evaluated last outside production (a module edited under next dev)', async () => {
    const before = createSessions({ secret: SECRET, cookie: { name: 'bundles.sid' } });
    const storeBefore = before.manager.store;
    const edited = createSessions({ secret: SECRET, cookie: { name: 'bundles.sid' }, expiry: { idleTimeoutMs: HOUR_MS } });
    expect(edited.manager.store).not.toBe(storeBefore);
    // A stale copy not evaluated again yet uses the newer manager rather than making its own again.
    expect(before.manager.store).toBe(edited.manager.store);
  });
});

describe('two session cookies in one request (a cookie tossed from a sibling subdomain)', () => {
  /** The cookie value of a session signed in as `user`, in a store both share. */
  async function cookieOf(sessions: ReturnType<typeof app>, user: string): Promise<string> {
    scope.current = new scope.FakeRequest(); // another browser
    await signIn(sessions, user);
    return scope.current.cookies.get('sid')!;
  }

  it("read() and action() take the first, as Route Handlers do, where Next's cookie jar keeps the last", async () => {
    const sessions = app();
    const victim = await cookieOf(sessions, 'victim');
    const attacker = await cookieOf(sessions, 'attacker');
    const header = `sid=${victim}; sid=${attacker}`;
    const sent = () => {
      const request = nextRequest();
      request.cookies.set('sid', attacker); // Next's jar: the last one wins
      request.rawCookie = header;
    };
    sent();
    expect((await sessions.read()).get('user')).toBe('victim');
    sent();
    expect(await sessions.action(async (handle) => (await handle.load()).get('user'))()).toBe('victim');
    const route = sessions.route(async (_request, handle) => Response.json((await handle.load()).get('user')));
    expect(await (await route(new Request('http://next.test/', { headers: { cookie: header } }), {})).json()).toBe('victim');
  });

  it('read() after an action signed in, in the same request, sees the new session the header does not show yet', async () => {
    const sessions = app();
    const request = nextRequest();
    await sessions.action(async (handle) => {
      (await handle.load()).set('user', 'dan');
    })();
    expect(request.rawCookie).toBeUndefined();
    expect((await sessions.read()).get('user')).toBe('dan');
  });
});

describe('sessions.route() during a store outage', () => {
  /** A memory store whose `get` or `set` can be made to fail. */
  function flakyStore() {
    const memory = createMemoryStore();
    const flaky = { failing: undefined as 'get' | 'set' | undefined };
    const unless = async <T>(operation: 'get' | 'set', call: () => Promise<T>): Promise<T> => {
      if (flaky.failing === operation) throw new Error('down');
      return call();
    };
    const store: SessionStore = {
      ...memory,
      get: (key) => unless('get', () => memory.get(key)),
      set: (key, record) => unless('set', () => memory.set(key, record)),
      update: (key, patch) => unless('set', () => memory.update!(key, patch)),
    };
    return Object.assign(flaky, { store });
  }
  const count = async (_request: Request, handle: { load(): Promise<NextSession> }) => {
    const session = await handle.load();
    session.set('count', (session.get('count') ?? 0) + 1);
    return new Response('ok');
  };
  const post = (cookie?: string) => new Request('http://next.test/count', { method: 'POST', headers: cookie ? { cookie } : {} });

  it('answers 503 with Retry-After instead of a bare 500', async () => {
    const flaky = flakyStore();
    flaky.failing = 'set';
    const response = await createSessions({ secret: SECRET, store: flaky.store }).route(count)(post(), {});
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers with onStoreError when given one, for a failing load and a failing commit alike', async () => {
    const flaky = flakyStore();
    const sessions = createSessions({ secret: SECRET, store: flaky.store });
    const onStoreError = vi.fn((error: { operation: string }) => Response.json({ failed: error.operation }, { status: 503 }));
    const route = sessions.route(count, { onStoreError });
    const cookie = cookieHeaderOf(await route(post(), {}))!;
    for (const operation of ['get', 'set'] as const) {
      flaky.failing = operation;
      expect((await route(post(cookie), {})).status).toBe(503);
    }
    expect(onStoreError.mock.calls.map(([error]) => error.operation)).toEqual(['get', 'update']);
  });
});

describe('sessions.route() when the session grows over the size limit', () => {
  const grow = async (_request: Request, handle: { load(): Promise<NextSession> }) => {
    (await handle.load()).set('user', 'x'.repeat(600));
    return Response.json({ ok: true });
  };
  const post = () => new Request('http://next.test/grow', { method: 'POST' });
  const store = () => createMemoryStore({ maxSizeBytes: 500 });

  it("answers a plain 413 instead of the handler's 200, setting no cookie", async () => {
    const response = await createSessions({ secret: SECRET, store: store() }).route(grow)(post(), {});
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^Content Too Large: the session would be \d+ bytes, over the limit of 500\./);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("answers with onSessionTooLarge when given one, in the app's own format", async () => {
    const onSessionTooLarge = vi.fn((error: { limitBytes: number }) => Response.json({ limit: error.limitBytes }, { status: 413 }));
    const response = await createSessions({ secret: SECRET, store: store() }).route(grow, { onSessionTooLarge })(post(), {});
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ limit: 500 });
    expect(onSessionTooLarge).toHaveBeenCalledOnce();
  });
});

describe('sessions.action() when the write after it fails (the core settleRequest policy)', () => {
  /** Reads from the test's store, refuses every write. */
  const writesFail = (): SessionStore => {
    const down = () => Promise.reject(new Error('the store refuses writes'));
    return { get: (key) => store.get(key), set: down, destroy: down, touch: down, update: down };
  };
  const failing = (reported: Error[]) =>
    createSessions({ secret: SECRET, store: writesFail(), now: () => nowMs, onError: (error) => reported.push(error) });

  it('rejects with the store error instead of returning a result whose write was lost', async () => {
    const reported: Error[] = [];
    const request = nextRequest();
    const action = failing(reported).action(async (handle) => {
      (await handle.load()).set('user', 'ann');
      return 'saved';
    });
    await expect(action()).rejects.toMatchObject({ name: 'SessionStoreError', status: 503 });
    expect(request.written).toEqual([]);
    expect(reported).toEqual([]);
  });

  it('rejects with the store error instead of a redirect() whose write was lost', async () => {
    const request = nextRequest();
    const action = failing([]).action(async (handle) => {
      (await handle.load()).set('user', 'ann');
      redirect('/');
    });
    await expect(action()).rejects.toMatchObject({ name: 'SessionStoreError', status: 503 });
    expect(request.written).toEqual([]);
  });

  it("rethrows the 409 the action threw, and reports the store's error through onError", async () => {
    const reported: Error[] = [];
    const request = nextRequest();
    const action = failing(reported).action(async (handle) => {
      (await handle.load()).set('user', 'fix the form');
      throw Object.assign(new Error('conflict'), { status: 409 });
    });
    await expect(action()).rejects.toMatchObject({ message: 'conflict', status: 409 });
    expect(request.written).toEqual([]);
    expect(reported).toEqual([expect.objectContaining({ name: 'SessionStoreError' })]);
  });

  it('rethrows the error without a status the action threw, writing and reporting nothing', async () => {
    const reported: Error[] = [];
    const request = nextRequest();
    const action = failing(reported).action(async (handle) => {
      (await handle.load()).set('user', 'mallory');
      throw new Error('the action failed');
    });
    await expect(action()).rejects.toThrow('the action failed');
    expect(request.written).toEqual([]);
    expect(reported).toEqual([]);
  });
});
