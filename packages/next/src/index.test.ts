import { createMemoryStore, type SessionStore } from '@sess/core';
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
    readonly cookies = new Map<string, string>();
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
    /** Runs what `after()` scheduled, as Next does once the response is sent. */
    async finish(): Promise<void> {
      for (const task of this.afterTasks.splice(0)) await task();
    }
  }
  return { FakeRequest, current: new FakeRequest() };
});

vi.mock('next/headers', () => ({ cookies: async () => scope.current.jar }));
vi.mock('next/server', async (original) => ({
  ...(await original<typeof import('next/server')>()),
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
  it('throws a TypeError naming the package for bad options', () => {
    expect(() => createSessions(undefined as never)).toThrow(/@sess\/next/);
    expect(() => createSessions({ secret: 'short' })).toThrow(TypeError);
  });

  it('shares a manager it is given', () => {
    const sessions = app();
    expect(createSessions(sessions.manager).manager).toBe(sessions.manager);
  });
});
