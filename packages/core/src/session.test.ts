import { describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManagerOptions } from './manager';
import { createMemoryStore } from './memory-store';
import { FLASH_KEY, type RequestOutcome } from './session';
import type { SessionPatch, SessionRecord, SessionStore } from './store';

const secret = 'session-secret-session-secret-session-secret';
const OK = { status: 200 };

type Data = { user: string; count: number; cart: { items: string[] }; role: string; [key: string]: unknown };
type Flash = { notice: string; error: string };

/** Records which store methods ran, over the memory store. */
function recordingStore(inner: SessionStore = createMemoryStore()) {
  const calls: string[] = [];
  const log = <T>(name: string, result: Promise<T>) => {
    calls.push(name);
    return result;
  };
  const store: SessionStore = {
    get: (k) => log('get', inner.get(k)),
    set: (k, r) => log('set', inner.set(k, r)),
    destroy: (k) => log('destroy', inner.destroy(k)),
    touch: (k, m) => log('touch', inner.touch!(k, m)),
    update: (k, p: SessionPatch) => log('update', inner.update!(k, p)),
    listByUser: (u) => inner.listByUser!(u),
    destroyByUser: (u) => inner.destroyByUser!(u),
  };
  return { store, calls, inner };
}

function setup(options: Partial<SessionManagerOptions> = {}) {
  const recording = recordingStore(options.store as SessionStore | undefined);
  const manager = createSessionManager<Data, Flash>({ secret, ...options, store: recording.store });
  let cookie: string | undefined;
  /** One request carrying the last cookie the server set (or cleared). */
  const request = async <T>(handler: (session: ReturnType<typeof manager.open>) => Promise<T>, outcome: RequestOutcome = OK) => {
    const session = manager.open(cookie);
    const value = await handler(session);
    const result = await manager.commit(session, outcome);
    for (const line of result.setCookie) {
      const pair = line.split(';')[0]!;
      cookie = /Max-Age=0/.test(line) ? undefined : pair;
    }
    return { value, result, session };
  };
  return { manager, request, calls: recording.calls, store: recording.inner, cookie: () => cookie };
}

describe('Session', () => {
  describe('loading', () => {
    it('refuses to tell its id, key or metadata before it is loaded, saying to await load()', async () => {
      const { manager } = setup();
      const session = manager.open(undefined);
      for (const read of [() => session.id, () => session.key, () => session.isNew, () => session.createdAt, () => session.expiresAt, () => session.persistent, () => session.userId]) {
        expect(read).toThrow(/^@sess\/core: session\.\w+ is known only once the session is loaded; `await session\.load\(\)` first\.$/);
      }
      expect(await session.load()).toBe(session);
      expect(session.isNew).toBe(true);
      expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('loads once, however many times and however concurrently it is used', async () => {
      const { request, calls } = setup();
      await request((s) => s.set('user', 'ann'));
      calls.length = 0;
      await request(async (s) => {
        await Promise.all([s.load(), s.get('user'), s.has('count'), s.data(), s.load()]);
        await s.get('role');
      });
      expect(calls).toEqual(['get']);
    });

    it('does nothing at all for a request that never uses the session, even with a valid cookie', async () => {
      const { request, calls } = setup();
      await request((s) => s.set('user', 'ann'));
      calls.length = 0;
      const { result } = await request(async () => undefined);
      expect(calls).toEqual([]);
      expect(result).toEqual({ setCookie: [], cookies: [], vary: false, private: false });
    });

    it('gives a fresh session when the store still returns a record whose time is up', async () => {
      let now = 1_000_000;
      const records = new Map<string, SessionRecord>();
      // A store that forgets to expire anything: the session must not trust it.
      const lax: SessionStore = {
        get: async (k) => structuredClone(records.get(k)),
        set: async (k, r) => void records.set(k, structuredClone(r)),
        destroy: async (k) => void records.delete(k),
      };
      const { request } = setup({ store: lax, now: () => now, expiry: { idleTimeoutMs: 10_000 } });
      await request((s) => s.set('user', 'ann'));
      now += 10_000;
      const { value, result } = await request(async (s) => [await s.get('user'), s.isNew] as const);
      expect(value).toEqual([undefined, true]);
      expect(result.setCookie[0]).toMatch(/^sid=; Max-Age=0/);
    });

    it('commits once: a second commit of the same session sends and writes nothing', async () => {
      const { manager, calls } = setup();
      const session = manager.open(undefined);
      await session.set('user', 'ann');
      expect((await manager.commit(session, OK)).setCookie).toHaveLength(1);
      expect(await manager.commit(session, OK)).toEqual({ setCookie: [], cookies: [], vary: false, private: false });
      expect(calls).toEqual(['set']);
    });
  });

  describe('data access', () => {
    it('treats set(key, undefined) as removing the key', async () => {
      const { request } = setup();
      await request(async (s) => {
        await s.set('user', 'ann');
        await s.set('role', 'admin');
      });
      await request((s) => s.set('role', undefined as unknown as string));
      expect((await request((s) => s.data())).value).toEqual({ user: 'ann' });
    });

    it('has() tells own keys only', async () => {
      const { request } = setup();
      await request((s) => s.set('user', 'ann'));
      const { value } = await request(async (s) => [await s.has('user'), await s.has('role'), await s.has('toString')] as const);
      expect(value).toEqual([true, false, false]);
    });

    it('notices values added, replaced and deleted through the live data object', async () => {
      const { request, calls } = setup();
      await request(async (s) => {
        await s.set('user', 'ann');
        await s.set('role', 'admin');
      });
      calls.length = 0;
      await request(async (s) => {
        const data = await s.data();
        data.count = 3;
        data.user = 'bob';
        delete data.role;
      });
      expect(calls).toEqual(['get', 'update']);
      expect((await request((s) => s.data())).value).toEqual({ user: 'bob', count: 3 });
    });

    it('notices deep mutation of a value obtained with get()', async () => {
      const { request } = setup();
      await request((s) => s.set('cart', { items: [] }));
      await request(async (s) => (await s.get('cart'))!.items.push('pear'));
      expect((await request((s) => s.get('cart'))).value).toEqual({ items: ['pear'] });
    });

    it('writes nothing when a value is changed and changed back within a request', async () => {
      const { request, calls } = setup();
      await request((s) => s.set('count', 1));
      calls.length = 0;
      const { result } = await request(async (s) => {
        await s.set('count', 2);
        await s.set('count', 1);
      });
      expect(calls).toEqual(['get']);
      expect(result.setCookie).toEqual([]);
    });

    it('sends only the keys that changed to store.update', async () => {
      const patches: SessionPatch[] = [];
      const memory = createMemoryStore();
      const store: SessionStore = {
        ...memory,
        update: (k, p) => {
          patches.push(structuredClone(p));
          return memory.update!(k, p);
        },
      };
      const { request } = setup({ store });
      await request(async (s) => {
        await s.set('user', 'ann');
        await s.set('count', 1);
        await s.set('role', 'admin');
      });
      await request(async (s) => {
        await s.get('user');
        await s.set('count', 2);
        await s.unset('role');
      });
      expect(patches).toHaveLength(1);
      expect(patches[0]).toMatchObject({ set: { count: 2 }, removed: ['role'] });
    });
  });

  describe('flash', () => {
    it('keeps each flash value until it is read once, independently of the others', async () => {
      const { request } = setup();
      await request(async (s) => {
        await s.set('user', 'ann');
        await s.flash('notice', 'saved');
        await s.flash('error', 'but slowly');
      });
      expect((await request((s) => s.getFlash('notice'))).value).toBe('saved');
      expect((await request((s) => s.getFlash('notice'))).value).toBeUndefined();
      expect((await request((s) => s.getFlash('error'))).value).toBe('but slowly');
      expect((await request((s) => s.data())).value).toEqual({ user: 'ann' });
    });

    it('reading a flash that is not there changes nothing', async () => {
      const { request, calls } = setup();
      await request((s) => s.set('user', 'ann'));
      calls.length = 0;
      expect((await request((s) => s.getFlash('notice'))).value).toBeUndefined();
      expect(calls).toEqual(['get']);
    });

    it('stores a flash-only session and drops it once the flash is read', async () => {
      const { request, calls, cookie } = setup();
      await request((s) => s.flash('notice', 'hello'));
      expect(cookie()).toBeDefined();
      calls.length = 0;
      expect((await request((s) => s.getFlash('notice'))).value).toBe('hello');
      expect(calls).toEqual(['get', 'destroy']);
      expect(cookie()).toBeUndefined();
    });

    it('keeps flash values under the reserved key', async () => {
      const { request } = setup();
      await request((s) => s.flash('notice', 'x'));
      expect(await (await request((s) => s.data())).value).toEqual({ [FLASH_KEY]: { notice: 'x' } });
    });
  });

  describe('regenerate and destroy', () => {
    it('regenerate keeps the data, restarts the absolute timeout, and drops the old record', async () => {
      let now = 1_000_000;
      const { request, store } = setup({ now: () => now, store: createMemoryStore({ now: () => now }) });
      const first = await request(async (s) => {
        await s.set('user', 'ann');
        return s.key;
      });
      now += 5_000;
      const second = await request(async (s) => {
        await s.regenerate();
        return [s.key, s.createdAt.getTime(), await s.get('user')] as const;
      });
      expect(second.value).toEqual([expect.any(String), now, 'ann']);
      expect(second.value[0]).not.toBe(first.value);
      expect(await store.get(first.value)).toBeUndefined();
      expect((await store.get(second.value[0]))?.data).toEqual({ user: 'ann' });
    });

    it('regenerating a new, empty session stores nothing', async () => {
      const { request, calls } = setup();
      const { result } = await request((s) => s.regenerate());
      expect(calls).toEqual([]);
      expect(result.setCookie).toEqual([]);
    });

    it('destroy leaves a fresh, empty session under a new id in the same request', async () => {
      const { request, store } = setup();
      const first = await request(async (s) => {
        await s.set('user', 'ann');
        return s.key;
      });
      const { value, result } = await request(async (s) => {
        await s.destroy();
        return [await s.data(), s.isNew, s.key] as const;
      });
      expect(value[0]).toEqual({});
      expect(value[1]).toBe(true);
      expect(value[2]).not.toBe(first.value);
      expect(await store.get(first.value)).toBeUndefined();
      expect(result.setCookie[0]).toMatch(/^sid=; Max-Age=0/);
    });

    it('a failed request neither regenerates nor destroys', async () => {
      const { request, store, cookie } = setup();
      const first = await request(async (s) => {
        await s.set('user', 'ann');
        return s.key;
      });
      const before = cookie();
      await request((s) => s.regenerate(), { status: 500 });
      await request((s) => s.destroy(), { status: 200, threw: true });
      expect(cookie()).toBe(before);
      expect((await store.get(first.value))?.data).toEqual({ user: 'ann' });
    });
  });

  describe('expiry', () => {
    it('touch() extends an unmodified session even before the throttle would', async () => {
      let now = 1_000_000;
      const { request, calls, store } = setup({ now: () => now, store: createMemoryStore({ now: () => now }), expiry: { idleTimeoutMs: 10_000, touchAfterShare: 0.5 } });
      const { value: key } = await request(async (s) => {
        await s.set('user', 'ann');
        return s.key;
      });
      now += 1_000;
      calls.length = 0;
      await request((s) => s.touch());
      expect(calls).toEqual(['get', 'touch']);
      expect((await store.get(key))?.expiresAtMs).toBe(now + 10_000);
    });

    it('reports expiresAt as the nearest deadline, moved by each write', async () => {
      let now = 1_000_000;
      const { request } = setup({ now: () => now, store: createMemoryStore({ now: () => now }), expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 15_000 } });
      const first = await request(async (s) => {
        await s.set('count', 1);
        return s;
      });
      expect(first.value.expiresAt.getTime()).toBe(now + 10_000);
      now += 8_000;
      const second = await request(async (s) => {
        await s.set('count', 2);
        return s;
      });
      expect(second.value.expiresAt.getTime()).toBe(1_000_000 + 15_000);
    });

    it('remember-me switches to the long timeouts and a persistent cookie', async () => {
      let now = 1_000_000;
      const { request, store } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 1_000_000 } },
      });
      const { value, result } = await request(async (s) => {
        await s.set('user', 'ann');
        await s.rememberMe();
        return [s.persistent, s.key] as const;
      });
      expect(value[0]).toBe(true);
      expect(result.setCookie[0]).toMatch(/; Max-Age=100; /);
      expect(await store.get(value[1])).toMatchObject({ persistent: true, expiresAtMs: now + 100_000 });
      now += 50_000;
      expect((await request((s) => s.get('user'))).value).toBe('ann');
    });

    it('turning remember-me off re-sends the cookie without Max-Age, so it dies with the browser', async () => {
      const { request } = setup();
      await request(async (s) => {
        await s.set('user', 'ann');
        await s.rememberMe();
      });
      const { result } = await request((s) => s.rememberMe(false));
      expect(result.setCookie).toHaveLength(1);
      expect(result.setCookie[0]).not.toMatch(/Max-Age/);
    });
  });

  describe('user index', () => {
    it('indexes a session under its user and un-indexes it', async () => {
      const { manager, request } = setup();
      const { value: key } = await request(async (s) => {
        await s.set('user', 'ann');
        await s.setUserId('u1');
        return s.key;
      });
      expect((await request(async (s) => (await s.load()).userId)).value).toBe('u1');
      expect((await manager.listUserSessions('u1')).map((x) => x.key)).toEqual([key]);
      await request((s) => s.setUserId(undefined));
      expect(await manager.listUserSessions('u1')).toEqual([]);
    });

    it('revoking a user ends their sessions on the next request', async () => {
      const { manager, request } = setup();
      await request(async (s) => {
        await s.set('user', 'ann');
        await s.setUserId('u1');
      });
      expect(await manager.revokeUserSessions('u1')).toBe(1);
      expect((await request((s) => s.get('user'))).value).toBeUndefined();
    });

    it('revokeSession ends one session by its key', async () => {
      const { manager, request } = setup();
      const { value: key } = await request(async (s) => {
        await s.set('user', 'ann');
        return s.key;
      });
      await manager.revokeSession(key);
      expect((await request((s) => s.get('user'))).value).toBeUndefined();
    });
  });

  describe('store failures', () => {
    it('rejects the session call with a SessionStoreError when the store read fails, and commits nothing', async () => {
      const memory = createMemoryStore();
      let failing = false;
      const store: SessionStore = {
        ...memory,
        get: (k) => (failing ? Promise.reject(new Error('connection refused')) : memory.get(k)),
      };
      const { manager, request, cookie } = setup({ store });
      await request((s) => s.set('user', 'ann'));
      failing = true;
      const session = manager.open(cookie());
      await expect(session.get('user')).rejects.toMatchObject({
        name: 'SessionStoreError',
        operation: 'get',
        status: 503,
        message: '@sess/core: session store get failed: connection refused',
      });
      expect(await manager.commit(session, { status: 503 })).toEqual({ setCookie: [], cookies: [], vary: true, private: false });
    });

    it('rejects the commit with a SessionStoreError naming the write that failed', async () => {
      const memory = createMemoryStore();
      const cause = new Error('READONLY');
      const store: SessionStore = { ...memory, set: () => Promise.reject(cause) };
      const { manager } = setup({ store });
      const session = manager.open(undefined);
      await session.set('user', 'ann');
      const commit = manager.commit(session, OK);
      await expect(commit).rejects.toMatchObject({ name: 'SessionStoreError', operation: 'set', cause, timedOut: false });
    });
  });

  describe('keys that are not data', () => {
    it('get() returns undefined for Object.prototype members such as constructor and toString', async () => {
      const { request } = setup();
      const { value } = await request(async (s) => [await s.get('constructor'), await s.get('toString')] as const);
      expect(value).toEqual([undefined, undefined]);
    });

    it('refuses set("__proto__", value), so no key can change what other keys read', async () => {
      const { request } = setup();
      const { value } = await request(async (s) => {
        await expect(s.set('__proto__', { role: 'admin' })).rejects.toThrow(TypeError);
        return s.get('role');
      });
      expect(value).toBeUndefined();
    });
  });
});
