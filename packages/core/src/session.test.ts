/*
 * What a session does across requests, through the test client of @sess/core/testing
 * (open, load, commit, cookies): data, flash, regenerate and destroy, the response
 * status, expiry and touch, the user index, read-only sessions, store failures. The
 * manager's own options and commit mechanics are in manager.test.ts; Node's commit
 * point in node.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { createCookieStore } from './cookie-store';
import { SessionUsageError, SessionValueError } from './errors';
import { createSessionManager, type RequestOutcome, type SessionHandle, type SessionManagerOptions, toSessionManager } from './manager';
import { createMemoryStore } from './memory-store';
import { richSerializer } from './rich-serializer';
import type { Serializer } from './serializer';
import { FLASH_KEY, type Session } from './session';
import type { SessionPatch, SessionRecord, SessionStore } from './store';
import { cookieHeaderOf, isCookieDeletion } from './testing/cookie-jar';
import { recordingStore } from './testing/recording-store';
import { createTestClient } from './testing/test-client';
import type { JsonValue } from './values';

const secret = 'session-secret-session-secret-session-secret';
const OK: RequestOutcome = { status: 200 };

type Data = { user: string; count: number; cart: { items: string[] }; role: string; [key: string]: JsonValue };
type Flash = { notice: string; error: string };

function setup(options: Partial<SessionManagerOptions> = {}) {
  const recording = recordingStore((options.store as SessionStore | undefined) ?? createMemoryStore());
  const manager = createSessionManager<Data, Flash>({ secret, ...options, store: recording.store });
  const client = createTestClient(manager);
  return {
    manager,
    /** One request carrying the cookies the server set (minus what it cleared); the handler gets the loaded session. */
    request: <T>(handler: (session: Session<Data, Flash>) => T | Promise<T>, outcome: RequestOutcome = OK, readOnly = false) =>
      client.request(handler, { status: outcome.status, readOnly }),
    open: (readOnly = false): SessionHandle<Data, Flash> => client.open({ readOnly }),
    take: (setCookie: string[]) => client.jar.update(setCookie),
    recording,
    store: recording.inner,
    cookie: () => client.jar.header(),
  };
}

const NOTHING = { setCookie: [], cookies: [], vary: false, private: false };

describe('Session', () => {
  describe('loading', () => {
    it('a handle offers only load(), which resolves a session that knows its id and metadata', async () => {
      const { manager } = setup();
      const handle = manager.open(undefined);
      for (const member of ['get', 'set', 'id', 'key', 'isNew', 'data']) expect(member in handle).toBe(false);
      const session = await handle.load();
      expect(session.isNew).toBe(true);
      expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.key).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(session.key).not.toBe(session.id);
      expect(session.persistent).toBe(false);
      expect(session.userId).toBeUndefined();
      expect(session.createdAt).toBeInstanceOf(Date);
    });

    it('loads once, however many times and however concurrently load() is called', async () => {
      const { request, open, recording } = setup();
      await request((s) => s.set('user', 'ann'));
      recording.clear();
      const handle = open();
      const sessions = await Promise.all([handle.load(), handle.load(), handle.load()]);
      expect(sessions[1]).toBe(sessions[0]);
      expect(sessions[2]).toBe(sessions[0]);
      expect(await handle.load()).toBe(sessions[0]);
      expect(sessions[0]!.get('user')).toBe('ann');
      expect(recording.methods()).toEqual(['get']);
    });

    it('does nothing at all for a request that never loads the session, even with a valid cookie', async () => {
      const { manager, request, open, recording } = setup();
      await request((s) => s.set('user', 'ann'));
      recording.clear();
      const result = await manager.commit(open(), OK);
      expect(recording.methods()).toEqual([]);
      expect(result).toEqual(NOTHING);
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
      const { value, result } = await request((s) => [s.get('user'), s.isNew] as const);
      expect(value).toEqual([undefined, true]);
      expect(isCookieDeletion(result.setCookie[0]!)).toBe(true);
    });

    it('commits once: a second commit of the same handle sends and writes nothing', async () => {
      const { manager, recording } = setup();
      const handle = manager.open(undefined);
      (await handle.load()).set('user', 'ann');
      expect((await manager.commit(handle, OK)).setCookie).toHaveLength(1);
      expect(await manager.commit(handle, OK)).toEqual(NOTHING);
      expect(recording.methods()).toEqual(['set']);
    });
  });

  describe('after commit', () => {
    it('reports SessionUsageError "committed" through onError for every write made after the commit, throws none and persists none', async () => {
      const reports: Error[] = [];
      const { request, store } = setup({ onError: (error) => reports.push(error) });
      const { session: first } = await request((s) => {
        s.set('user', 'ann');
        s.flash('notice', 'hi');
      });
      const writes: [string, (s: Session<Data, Flash>) => unknown][] = [
        ['set', (s) => s.set('user', 'bob')],
        ['unset', (s) => s.unset('user')],
        ['flash', (s) => s.flash('notice', 'late')],
        ['regenerate', (s) => s.regenerate()],
        ['destroy', (s) => s.destroy()],
        ['touch', (s) => s.touch()],
        ['rememberMe', (s) => s.rememberMe()],
        ['setUserId', (s) => s.setUserId('u1')],
        ['getFlash', (s) => expect(s.getFlash('notice')).toBe('hi')],
      ];
      const { session } = await request((s) => s);
      for (const [method, write] of writes) {
        reports.length = 0;
        expect(() => write(session), method).not.toThrow();
        expect(reports, method).toHaveLength(1);
        expect(reports[0], method).toBeInstanceOf(SessionUsageError);
        expect(reports[0], method).toMatchObject({
          reason: 'committed',
          message: expect.stringMatching(
            new RegExp(
              `^@sess/core: session\\.${method}\\(\\) was called after the session of this request was already committed, so the change is lost\\. .*do not write from timers or after the response is sent\\.$`,
            ),
          ),
        });
      }
      expect((await store.get(first.key))?.data).toEqual({ user: 'ann', [FLASH_KEY]: { notice: 'hi' } });
      expect(session.get('user')).toBe('ann');
      expect(session.id).toBe(first.id);
    });

    it("names the adapter's package and response call in the report, and logs with console.error by default", async () => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const manager = toSessionManager<Data, Flash>({ secret }, '@sess/express');
        const handle = manager.open(undefined, { afterResponse: 'after res.send(), res.json() or res.end()' });
        const session = await handle.load();
        await manager.commit(handle, OK);
        session.set('user', 'late');
        expect(error).toHaveBeenCalledOnce();
        expect(String(error.mock.calls[0]?.[0])).toMatch(
          /^SessionUsageError: @sess\/express: session\.set\(\) was called after .* do not write from timers or after res\.send\(\), res\.json\(\) or res\.end\(\)\.$/,
        );
      } finally {
        error.mockRestore();
      }
    });

    it('falls back to console.error when onError itself throws, and never throws at the late write', async () => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const { request } = setup({
          onError: () => {
            throw new Error('reporter down');
          },
        });
        const { session } = await request((s) => s.set('user', 'ann'));
        expect(() => session.set('user', 'late')).not.toThrow();
        expect(error.mock.calls.map((call) => String(call[0]))).toEqual([
          'Error: reporter down',
          expect.stringMatching(/^SessionUsageError: @sess\/core: session\.set\(\)/),
        ]);
      } finally {
        error.mockRestore();
      }
    });

    it('refuses an onError that is not a function, naming the option', () => {
      expect(() => createSessionManager({ secret, onError: 'log' as never })).toThrow(/^@sess\/core: option `onError` must be a function/);
    });

    it('rejects load() with SessionUsageError "committed" when the handle was committed before it was ever loaded', async () => {
      const { manager, recording } = setup();
      const handle = manager.open(undefined);
      await manager.commit(handle, OK);
      await expect(handle.load()).rejects.toMatchObject({ name: 'SessionUsageError', reason: 'committed' });
      await expect(handle.load()).rejects.toBeInstanceOf(SessionUsageError);
      expect(recording.methods()).toEqual([]);
    });

    it('load() after the commit of a loaded handle gives back the same, now read-only, session', async () => {
      const { manager } = setup();
      const handle = manager.open(undefined);
      const session = await handle.load();
      await manager.commit(handle, OK);
      expect(await handle.load()).toBe(session);
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      session.set('user', 'ann');
      expect(error).toHaveBeenCalledOnce();
      error.mockRestore();
      expect(session.get('user')).toBeUndefined();
    });

    it('persists a write from an un-awaited load().then() started before the commit', async () => {
      const { manager } = setup();
      const handle = manager.open(undefined);
      let thrown: unknown;
      const write = handle.load().then(
        (s) => s.set('user', 'ann'),
        (error: unknown) => {
          thrown = error;
        },
      );
      const result = await manager.commit(handle, OK);
      await write.catch((error: unknown) => {
        thrown = error;
      });
      expect(thrown).toBeUndefined();
      expect(result.setCookie).toHaveLength(1);
      const next = manager.open(cookieHeaderOf(result.setCookie));
      expect((await next.load()).get('user')).toBe('ann');
    });

    it('persists a write from a load().then() registered before the commit, also when the load itself had already finished', async () => {
      const { manager } = setup();
      const handle = manager.open(undefined);
      await handle.load();
      // The callback is queued, not run, when the adapter commits.
      const write = handle.load().then((s) => s.set('user', 'ann'));
      const result = await manager.commit(handle, OK);
      await expect(write).resolves.toBeUndefined();
      expect(result.setCookie).toHaveLength(1);
      const next = manager.open(cookieHeaderOf(result.setCookie));
      expect((await next.load()).get('user')).toBe('ann');
    });
  });

  describe('data access', () => {
    it('treats set(key, undefined) as removing the key', async () => {
      const { request } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.set('role', 'admin');
      });
      await request((s) => s.set('role', undefined));
      expect((await request((s) => s.data)).value).toEqual({ user: 'ann' });
    });

    it('has() tells own keys only', async () => {
      const { request } = setup();
      await request((s) => s.set('user', 'ann'));
      const { value } = await request((s) => [s.has('user'), s.has('role'), s.has('toString')] as const);
      expect(value).toEqual([true, false, false]);
    });

    it('data is a shallow copy: adding, replacing or deleting its keys changes nothing, writes go through set()', async () => {
      const { request, recording } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.set('role', 'admin');
      });
      recording.clear();
      const { value: inRequest } = await request((s) => {
        const data = s.data as Record<string, unknown>;
        data.count = 3;
        data.user = 'bob';
        delete data.role;
        const again = s.data;
        return [s.get('user'), s.has('role'), s.has('count'), again !== data] as const;
      });
      expect(inRequest).toEqual(['ann', true, false, true]);
      expect(recording.methods()).toEqual(['get']);
      expect((await request((s) => s.data)).value).toEqual({ user: 'ann', role: 'admin' });
    });

    it('notices deep mutation of a value obtained through data', async () => {
      const { request } = setup();
      await request((s) => s.set('cart', { items: [] }));
      await request((s) => s.data.cart!.items.push('apple'));
      expect((await request((s) => s.get('cart'))).value).toEqual({ items: ['apple'] });
    });

    it('notices deep mutation of a value obtained with get()', async () => {
      const { request } = setup();
      await request((s) => s.set('cart', { items: [] }));
      await request((s) => s.get('cart')!.items.push('pear'));
      expect((await request((s) => s.get('cart'))).value).toEqual({ items: ['pear'] });
    });

    it('writes nothing when a value is changed and changed back within a request', async () => {
      const { request, recording } = setup();
      await request((s) => s.set('count', 1));
      recording.clear();
      const { result } = await request((s) => {
        s.set('count', 2);
        s.set('count', 1);
      });
      expect(recording.methods()).toEqual(['get']);
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
      await request((s) => {
        s.set('user', 'ann');
        s.set('count', 1);
        s.set('role', 'admin');
      });
      await request((s) => {
        s.get('user');
        s.set('count', 2);
        s.unset('role');
      });
      expect(patches).toHaveLength(1);
      expect(patches[0]).toMatchObject({ set: { count: 2 }, removed: ['role'] });
    });
  });

  describe('values', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const deep = (levels: number): unknown => {
      let value: unknown = 'bottom';
      for (let i = 0; i < levels; i++) value = { next: value };
      return value;
    };
    const cyclic = () => {
      const value: Record<string, unknown> = { name: 'loop' };
      value.self = value;
      return value;
    };
    const unstorableUnderJson: [string, () => unknown][] = [
      ['a cycle', cyclic],
      ['nesting deeper than 64 levels', () => deep(65)],
      ['a BigInt', () => 10n],
      ['a Date', () => new Date(5)],
      ['a Map', () => new Map([['a', 1]])],
      ['a Set', () => new Set(['a'])],
      ['a class instance', () => new Point(1, 2)],
      ['a function', () => () => 1],
      ['NaN', () => Number.NaN],
      ['Infinity nested in an object', () => ({ ratio: Number.POSITIVE_INFINITY })],
      ['undefined inside an array', () => [1, undefined]],
    ];

    it.each(unstorableUnderJson)(
      'set() refuses %s under the JSON serializer with a SessionValueError naming the key, and keeps the old value',
      async (_, make) => {
        const { request } = setup();
        await request((s) => s.set('role', 'admin'));
        const { value, result } = await request((s) => {
          let thrown: unknown;
          try {
            s.set('role', make() as never);
          } catch (error) {
            thrown = error;
          }
          return [thrown, s.get('role')] as const;
        });
        expect(value[0]).toBeInstanceOf(SessionValueError);
        expect(value[0]).toMatchObject({
          key: 'role',
          message: expect.stringMatching(/^@sess\/core: session key "role" cannot be stored: value/),
        });
        expect(value[1]).toBe('admin');
        expect(result.setCookie).toEqual([]);
      },
    );

    it('set() accepts nesting of exactly 64 levels', async () => {
      const { request } = setup();
      await request((s) => s.set('cart', deep(64) as never));
      expect((await request((s) => s.get('cart'))).value).toEqual(deep(64));
    });

    it('flash() refuses an unstorable value with a SessionValueError too', async () => {
      const { request } = setup();
      await request((s) => {
        expect(() => s.flash('notice', new Date() as unknown as string)).toThrow(SessionValueError);
      });
    });

    it('set() accepts Date, Map, Set and BigInt under the rich serializer and gives them back', async () => {
      const { request } = setup({ serializer: richSerializer, store: createMemoryStore({ serializer: richSerializer }) });
      const values = { when: new Date(5), map: new Map([['a', 1]]), tags: new Set(['x']), big: 2n ** 70n };
      await request((s) => {
        for (const [key, value] of Object.entries(values)) s.set(key, value as unknown as JsonValue);
      });
      const { value } = await request((s) => Object.keys(values).map((key) => s.get(key)));
      expect(value).toEqual(Object.values(values));
    });

    it('set() still refuses a cycle-free class instance and a function under the rich serializer', async () => {
      const { request } = setup({ serializer: richSerializer, store: createMemoryStore({ serializer: richSerializer }) });
      await request((s) => {
        expect(() => s.set('role', new Point(1, 2) as never)).toThrow(SessionValueError);
        expect(() => s.set('role', (() => 1) as never)).toThrow(SessionValueError);
      });
    });

    it('set() turns a throwing stringify of a custom serializer without kind into a SessionValueError naming the key', async () => {
      const picky: Serializer = {
        stringify: (value) => {
          if (typeof value === 'string' && value.startsWith('bad')) throw new Error('no bad strings');
          return JSON.stringify(value);
        },
        parse: (text) => JSON.parse(text),
      };
      const { request } = setup({ serializer: picky });
      const { value } = await request((s) => {
        s.set('user', 'good');
        try {
          s.set('role', 'bad value');
        } catch (error) {
          return error;
        }
        return undefined;
      });
      expect(value).toBeInstanceOf(SessionValueError);
      expect(value).toMatchObject({ key: 'role', message: expect.stringContaining('no bad strings') });
      expect((await request((s) => s.data)).value).toEqual({ user: 'good' });
    });
  });

  describe('flash', () => {
    it('keeps each flash value until it is read once, independently of the others', async () => {
      const { request } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.flash('notice', 'saved');
        s.flash('error', 'but slowly');
      });
      const read = await request((s) => s.getFlash('notice'));
      expect(read.value).toBe('saved');
      // Reading a flash writes the store, never the cookie.
      expect(read.result.setCookie).toEqual([]);
      expect((await request((s) => s.getFlash('notice'))).value).toBeUndefined();
      expect((await request((s) => s.getFlash('error'))).value).toBe('but slowly');
      expect((await request((s) => s.data)).value).toEqual({ user: 'ann' });
    });

    it('reading a flash that is not there changes nothing', async () => {
      const { request, recording } = setup();
      await request((s) => s.set('user', 'ann'));
      recording.clear();
      expect((await request((s) => s.getFlash('notice'))).value).toBeUndefined();
      expect(recording.methods()).toEqual(['get']);
    });

    it('stores a flash-only session and drops it once the flash is read', async () => {
      const { request, recording, cookie } = setup();
      await request((s) => s.flash('notice', 'hello'));
      expect(cookie()).toBeDefined();
      recording.clear();
      expect((await request((s) => s.getFlash('notice'))).value).toBe('hello');
      expect(recording.methods()).toEqual(['get', 'destroy']);
      expect(cookie()).toBeUndefined();
    });

    it('keeps flash values under the reserved key in the store, and never in session.data, get() or has()', async () => {
      const { request, store } = setup();
      const { value: sameRequest, session } = await request((s) => {
        s.set('user', 'ann');
        s.flash('notice', 'x');
        return [s.data, s.get(FLASH_KEY), s.has(FLASH_KEY)] as const;
      });
      expect(sameRequest).toEqual([{ user: 'ann' }, undefined, false]);
      expect((await store.get(session.key))?.data).toEqual({ user: 'ann', [FLASH_KEY]: { notice: 'x' } });
      const { value: nextRequest } = await request((s) => [s.data, s.get(FLASH_KEY), s.has(FLASH_KEY)] as const);
      expect(nextRequest).toEqual([{ user: 'ann' }, undefined, false]);
    });
  });

  describe('keys that are not data', () => {
    it('get() returns undefined for Object.prototype members such as constructor and toString', async () => {
      const { request } = setup();
      const { value } = await request((s) => [s.get('constructor'), s.get('toString')] as const);
      expect(value).toEqual([undefined, undefined]);
    });

    it('refuses set("__proto__", value), so no key can change what other keys read', async () => {
      const { request } = setup();
      const { value } = await request((s) => {
        expect(() => s.set('__proto__', { role: 'admin' })).toThrow(TypeError);
        return [s.get('role'), s.data] as const;
      });
      expect(value).toEqual([undefined, {}]);
    });

    it('refuses the reserved flash key and the empty key as data keys, for set and unset', async () => {
      const { request, store } = setup();
      const { session } = await request((s) => {
        s.set('user', 'ann');
        s.flash('notice', 'kept');
        for (const key of [FLASH_KEY, '']) {
          expect(() => s.set(key, { notice: 'forged' }), key).toThrow(/cannot be a session key \(reserved or empty\)/);
          expect(() => s.unset(key), key).toThrow(TypeError);
        }
      });
      expect((await store.get(session.key))?.data).toEqual({ user: 'ann', [FLASH_KEY]: { notice: 'kept' } });
    });

    for (const [serializerName, serializer] of [
      ['JSON', undefined],
      ['rich', richSerializer],
    ] as const) {
      it(`refuses keys and user ids with a NUL or a lone surrogate, which stores cannot all keep, and takes emoji (${serializerName} serializer)`, async () => {
        const { request, store } = setup(serializer === undefined ? {} : { store: createMemoryStore({ serializer }) });
        const { session } = await request((s) => {
          for (const key of ['a\u0000b', '\u0000', 'x\ud800', '\udc00y', 'a\udc00\ud800b']) {
            expect(() => s.set(key, 1), JSON.stringify(key)).toThrow(
              /cannot be a session key: it holds a NUL character or a lone surrogate/,
            );
            expect(() => s.unset(key), JSON.stringify(key)).toThrow(TypeError);
            expect(() => s.setUserId(key), JSON.stringify(key)).toThrow(
              /setUserId takes a non-empty string without NUL characters or lone surrogates/,
            );
          }
          s.set('wave 👋', 'é');
          s.setUserId('zoë 👋');
        });
        const stored = await store.get(session.key);
        expect(stored?.data).toEqual({ 'wave 👋': 'é' });
        expect(stored?.userId).toBe('zoë 👋');
      });
    }
  });

  describe('regenerate and destroy', () => {
    it('regenerate keeps the data, restarts the absolute timeout, and drops the old record, so the old cookie opens nothing', async () => {
      let now = 1_000_000;
      const { manager, request, store, cookie } = setup({ now: () => now, store: createMemoryStore({ now: () => now }) });
      const first = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      const oldCookie = cookie();
      now += 5_000;
      const second = await request((s) => {
        s.regenerate();
        return [s.key, s.createdAt.getTime(), s.get('user')] as const;
      });
      expect(second.value).toEqual([expect.any(String), now, 'ann']);
      expect(second.value[0]).not.toBe(first.value);
      expect(second.result.setCookie).toHaveLength(1);
      expect(await store.get(first.value)).toBeUndefined();
      expect((await store.get(second.value[0]))?.data).toEqual({ user: 'ann' });
      expect((await manager.open(oldCookie).load()).get('user')).toBeUndefined();
    });

    it('regenerating a new, empty session stores nothing', async () => {
      const { request, recording } = setup();
      const { result } = await request((s) => s.regenerate());
      expect(recording.methods()).toEqual([]);
      expect(result.setCookie).toEqual([]);
    });

    it('destroy leaves a fresh, empty session under a new id in the same request', async () => {
      const { request, store } = setup();
      const first = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      const { value, result } = await request((s) => {
        s.destroy();
        return [s.data, s.isNew, s.key] as const;
      });
      expect(value[0]).toEqual({});
      expect(value[1]).toBe(true);
      expect(value[2]).not.toBe(first.value);
      expect(await store.get(first.value)).toBeUndefined();
      expect(isCookieDeletion(result.setCookie[0]!)).toBe(true);
    });

    it('destroy then set starts a new session under a new id, and the old cookie opens nothing', async () => {
      const { manager, request, cookie } = setup();
      await request((s) => s.set('user', 'ann'));
      const oldCookie = cookie();
      await request((s) => {
        s.destroy();
        s.set('count', 1);
      });
      expect(cookie()).not.toBe(oldCookie);
      expect((await request((s) => s.data)).value).toEqual({ count: 1 });
      expect((await manager.open(oldCookie).load()).has('user')).toBe(false);
    });
  });

  describe('the response status', () => {
    it('a 5xx answer persists nothing and sends no cookie, unless saveOnError', async () => {
      const { request, recording } = setup();
      for (const status of [500, 502, 503, 599]) {
        expect((await request((s) => s.set('user', 'ann'), { status })).result.setCookie).toEqual([]);
      }
      expect(recording.methods()).toEqual([]);
      const saving = setup({ saveOnError: true });
      expect((await saving.request((s) => s.set('user', 'ann'), { status: 503 })).result.setCookie).toHaveLength(1);
    });

    it('a 4xx answer persists like a 2xx (a thrown 4xx error included)', async () => {
      const { request, recording } = setup();
      for (const status of [400, 401, 404, 422, 499]) {
        const fresh = setup({ store: recording.store });
        expect((await fresh.request((s) => s.set('user', 'ann'), { status })).result.setCookie).toHaveLength(1);
      }
      expect(recording.methods()).toEqual(['set', 'set', 'set', 'set', 'set']);
      const conflict = Object.assign(new Error('conflict'), { status: 409 });
      await expect(
        request((s) => {
          s.set('user', 'ann');
          throw conflict;
        }),
      ).rejects.toBe(conflict);
      expect((await request((s) => s.get('user'))).value).toBe('ann');
    });

    it('a 5xx answer neither regenerates nor destroys', async () => {
      const { request, store, cookie } = setup();
      const first = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      const before = cookie();
      await request((s) => s.regenerate(), { status: 500 });
      await request((s) => s.destroy(), { status: 503 });
      expect(cookie()).toBe(before);
      expect((await store.get(first.value))?.data).toEqual({ user: 'ann' });
    });

    it('a 4xx answer persists like a 2xx: a destroy answered 403 ends the session', async () => {
      const { request, store, cookie } = setup();
      const first = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      const { result } = await request((s) => s.destroy(), { status: 403 });
      expect(isCookieDeletion(result.setCookie[0]!)).toBe(true);
      expect(cookie()).toBeUndefined();
      expect(await store.get(first.value)).toBeUndefined();
    });
  });

  describe('expiry', () => {
    it('touches only when the throttle allows, without a cookie, and never returns an expired session', async () => {
      let now = 1_000_000;
      const { request, recording } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000, touchAfterShare: 0.5 },
      });
      await request((s) => s.set('user', 'ann'));
      recording.clear();
      now += 4_000;
      expect((await request((s) => s.get('user'))).value).toBe('ann');
      expect(recording.methods()).toEqual(['get']);
      now += 2_000;
      expect((await request((s) => s.get('user'))).result.setCookie).toEqual([]);
      expect(recording.methods()).toEqual(['get', 'get', 'touch']);
      now += 9_000; // 9 s after the touch: still inside the 10 s idle window
      expect((await request((s) => s.get('user'))).value).toBe('ann');
      now += 10_001;
      expect((await request((s) => s.get('user'))).value).toBeUndefined();
    });

    it('caps a busy session at the absolute timeout', async () => {
      let now = 0;
      const { request } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 25_000, touchAfterShare: 0 },
      });
      await request((s) => s.set('user', 'ann'));
      for (let i = 0; i < 3; i++) {
        now += 8_000;
        expect((await request((s) => s.get('user'))).value).toBe('ann');
      }
      now += 1_001; // 25.001 s after creation
      expect((await request((s) => s.get('user'))).value).toBeUndefined();
    });

    it('touch() extends an unmodified session even before the throttle would, without a cookie', async () => {
      let now = 1_000_000;
      const { request, recording, store } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, touchAfterShare: 0.5 },
      });
      const { value: key } = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      now += 1_000;
      recording.clear();
      const { result } = await request((s) => s.touch());
      expect(recording.methods()).toEqual(['get', 'touch']);
      expect(result.setCookie).toEqual([]);
      expect((await store.get(key))?.expiresAtMs).toBe(now + 10_000);
    });

    it('reports expiresAt as the nearest deadline, moved by each write', async () => {
      let now = 1_000_000;
      const { request } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 15_000 },
      });
      const first = await request((s) => {
        s.set('count', 1);
        return s;
      });
      expect(first.value.expiresAt.getTime()).toBe(now + 10_000);
      now += 8_000;
      const second = await request((s) => {
        s.set('count', 2);
        return s;
      });
      expect(second.value.expiresAt.getTime()).toBe(1_000_000 + 15_000);
    });

    it('remember-me switches to the long timeouts and a persistent cookie whose Max-Age runs to the absolute deadline', async () => {
      let now = 1_000_000;
      const { request, store } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 1_000_000 } },
      });
      const { value, result } = await request((s) => {
        s.set('user', 'ann');
        s.rememberMe();
        return [s.persistent, s.key] as const;
      });
      expect(value[0]).toBe(true);
      expect(result.setCookie[0]).toMatch(/; Max-Age=1000; /);
      expect(result.cookies[0]!.options.maxAge).toBe(1000);
      expect(await store.get(value[1])).toMatchObject({ persistent: true, expiresAtMs: now + 100_000 });
      now += 50_000;
      expect((await request((s) => s.get('user'))).value).toBe('ann');
    });

    it('a persistent session sends no cookie for a write or a due touch that only move the idle deadline', async () => {
      let now = 1_000_000;
      const { request, store, recording } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 1_000_000 }, touchAfterShare: 0.5 },
      });
      const { value: key } = await request((s) => {
        s.set('user', 'ann');
        s.rememberMe();
        return s.key;
      });
      now += 10_000;
      const write = await request((s) => s.set('count', 1));
      expect(write.result.setCookie).toEqual([]);
      expect((await store.get(key))?.expiresAtMs).toBe(now + 100_000);
      now += 60_000;
      recording.clear();
      const touch = await request((s) => s.get('user'));
      expect(recording.methods()).toEqual(['get', 'touch']);
      expect(touch.result.setCookie).toEqual([]);
      expect(touch.result.private).toBe(true);
      expect((await store.get(key))?.expiresAtMs).toBe(now + 100_000);
    });

    it('switching remember-me on later gives a Max-Age that counts down from the creation, and regenerate restarts it', async () => {
      let now = 1_000_000;
      const { request } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 1_000_000 } },
      });
      await request((s) => s.set('user', 'ann'));
      now += 50_000;
      const on = await request((s) => s.rememberMe());
      expect(on.result.setCookie).toHaveLength(1);
      expect(on.result.setCookie[0]).toMatch(/; Max-Age=950; /);
      now += 10_000;
      const regenerated = await request((s) => s.regenerate());
      expect(regenerated.result.setCookie[0]).toMatch(/; Max-Age=1000; /);
    });

    it('turning remember-me off re-sends the cookie without Max-Age, so it dies with the browser', async () => {
      const { request } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.rememberMe();
      });
      const { result } = await request((s) => s.rememberMe(false));
      expect(result.setCookie).toHaveLength(1);
      expect(result.setCookie[0]).not.toMatch(/Max-Age/);
    });

    it('switching remember-me on and off again within one request sends no cookie', async () => {
      const { request } = setup();
      await request((s) => s.set('user', 'ann'));
      const { result } = await request((s) => {
        s.rememberMe(true);
        s.rememberMe(false);
      });
      expect(result.setCookie).toEqual([]);
    });
  });

  describe('user index', () => {
    it('indexes a session under its user and un-indexes it', async () => {
      const { manager, request } = setup();
      const { value: key } = await request((s) => {
        s.set('user', 'ann');
        s.setUserId('u1');
        return s.key;
      });
      expect((await request((s) => s.userId)).value).toBe('u1');
      expect((await manager.listUserSessions('u1')).map((x) => x.key)).toEqual([key]);
      await request((s) => s.setUserId(undefined));
      expect(await manager.listUserSessions('u1')).toEqual([]);
    });

    it('refuses an empty user id with a TypeError', async () => {
      const { request } = setup();
      await request((s) => expect(() => s.setUserId('')).toThrow(/setUserId takes a non-empty string/));
    });

    it('revoking a user ends their sessions on the next request', async () => {
      const { manager, request } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.setUserId('u1');
      });
      expect(await manager.revokeUserSessions('u1')).toBe(1);
      expect((await request((s) => s.get('user'))).value).toBeUndefined();
    });

    it('revokeSession ends one session by its key', async () => {
      const { manager, request } = setup();
      const { value: key } = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      expect(await manager.revokeSession(key)).toBe(true);
      expect((await request((s) => s.get('user'))).value).toBeUndefined();
      expect(await manager.revokeSession(key)).toBe(false);
    });

    it("revokeSession refuses anything but a store key, so a user index under the store's prefix cannot be deleted", async () => {
      const { manager, request } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.setUserId('alice');
      });
      for (const key of ['user:{alice}', 'alice', '', 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}=`, 42]) {
        await expect(manager.revokeSession(key as string), String(key)).rejects.toThrow(
          /^@sess\/core: revokeSession\(\) takes a store key \(`session\.key` or a key from listUserSessions: 32 base64url characters\)/,
        );
        await expect(manager.revokeSession(key as string, { userId: 'alice' })).resolves.toBe(false);
      }
      expect(await manager.listUserSessions('alice')).toHaveLength(1);
      expect(await manager.revokeUserSessions('alice')).toBe(1);
    });

    it("revokeSession with a user id revokes only that user's session and says whether it did", async () => {
      const { manager, request } = setup();
      const { value: aliceKey } = await request((s) => {
        s.set('user', 'alice');
        s.setUserId('alice');
        return s.key;
      });
      expect(await manager.revokeSession(aliceKey, { userId: 'mallory' })).toBe(false);
      expect(await manager.listUserSessions('alice')).toHaveLength(1);
      expect(await manager.revokeSession(aliceKey, { userId: 'alice' })).toBe(true);
      expect(await manager.listUserSessions('alice')).toEqual([]);
      await expect(manager.revokeSession(aliceKey, { userId: '' })).rejects.toThrow(/takes a non-empty string user id/);
    });
  });

  describe('read-only sessions', () => {
    it('throws SessionUsageError "read-only" on every write', async () => {
      const { request } = setup();
      await request((s) => s.set('user', 'ann'));
      const writes: [string, (s: Session<Data, Flash>) => unknown][] = [
        ['set', (s) => s.set('user', 'bob')],
        ['unset', (s) => s.unset('user')],
        ['flash', (s) => s.flash('notice', 'x')],
        ['regenerate', (s) => s.regenerate()],
        ['destroy', (s) => s.destroy()],
        ['touch', (s) => s.touch()],
        ['rememberMe', (s) => s.rememberMe()],
        ['setUserId', (s) => s.setUserId('u1')],
      ];
      const { result } = await request(
        (s) => {
          for (const [method, write] of writes) {
            let thrown: unknown;
            try {
              write(s);
            } catch (error) {
              thrown = error;
            }
            expect(thrown, method).toBeInstanceOf(SessionUsageError);
            expect(thrown, method).toMatchObject({
              reason: 'read-only',
              message: expect.stringMatching(new RegExp(`^@sess/core: session\\.${method}\\(\\) cannot be used on a read-only session`)),
            });
          }
        },
        OK,
        true,
      );
      expect(result.setCookie).toEqual([]);
      expect((await request((s) => s.data)).value).toEqual({ user: 'ann' });
    });

    it('lets a read-only session consume a flash value, and a server store records it without a cookie', async () => {
      const { request, recording } = setup();
      await request((s) => {
        s.set('user', 'ann');
        s.flash('notice', 'Welcome');
      });
      recording.clear();
      const { value, result } = await request((s) => s.getFlash('notice'), OK, true);
      expect(value).toBe('Welcome');
      expect(recording.methods()).toEqual(['get', 'update']);
      expect(result.setCookie).toEqual([]);
      expect((await request((s) => s.getFlash('notice'))).value).toBeUndefined();
    });

    it('a read-only session that consumes its only flash value does not show it again', async () => {
      const { request } = setup();
      await request((s) => s.flash('notice', 'Welcome'));
      const { value, result } = await request((s) => s.getFlash('notice'), OK, true);
      expect(value).toBe('Welcome');
      expect(result.setCookie).toEqual([]);
      expect((await request((s) => s.getFlash('notice'))).value).toBeUndefined();
    });

    it('never returns cookies: not for a stale, a tampered or a missing cookie', async () => {
      const { manager, request, cookie } = setup();
      await request((s) => s.set('user', 'ann'));
      const rotated = createSessionManager<Data, Flash>({ secret: { 1: secret, 2: `${secret}-newer` }, store: manager.store });
      const stale = rotated.open(cookie(), { readOnly: true });
      expect((await stale.load()).get('user')).toBe('ann');
      expect((await rotated.commit(stale, OK)).setCookie).toEqual([]);
      for (const header of [`${cookie()}x`, undefined]) {
        const handle = manager.open(header, { readOnly: true });
        expect((await handle.load()).isNew).toBe(true);
        const result = await manager.commit(handle, OK);
        expect(result.setCookie).toEqual([]);
        expect(result.cookies).toEqual([]);
      }
    });

    it('extends the server store expiry when a touch is due, without a cookie', async () => {
      let now = 1_000_000;
      const { request, recording, store } = setup({
        now: () => now,
        store: createMemoryStore({ now: () => now }),
        expiry: { idleTimeoutMs: 10_000, touchAfterShare: 0.5 },
      });
      const { value: key } = await request((s) => {
        s.set('user', 'ann');
        return s.key;
      });
      now += 6_000;
      recording.clear();
      const { result } = await request((s) => s.get('user'), OK, true);
      expect(recording.methods()).toEqual(['get', 'touch']);
      expect(result).toMatchObject({ setCookie: [], cookies: [], vary: true, private: true });
      expect((await store.get(key))?.expiresAtMs).toBe(now + 10_000);
    });

    it('does nothing at all with the cookie store: no cookie for a consumed flash nor for a due touch', async () => {
      let now = 1_000_000;
      const manager = createSessionManager<Data, Flash>({
        secret,
        now: () => now,
        store: createCookieStore(),
        expiry: { idleTimeoutMs: 10_000, touchAfterShare: 0.5 },
      });
      const first = manager.open(undefined);
      const s1 = await first.load();
      s1.set('user', 'ann');
      s1.flash('notice', 'Welcome');
      const header = cookieHeaderOf((await manager.commit(first, OK)).setCookie);
      now += 6_000;
      const readOnly = manager.open(header, { readOnly: true });
      expect((await readOnly.load()).getFlash('notice')).toBe('Welcome');
      const result = await manager.commit(readOnly, OK);
      expect(result.setCookie).toEqual([]);
      expect(result.cookies).toEqual([]);
      // Nothing could be recorded: the flash is still in the client's cookie.
      expect((await manager.open(header).load()).getFlash('notice')).toBe('Welcome');
    });
  });

  describe('store failures', () => {
    it('rejects load() with a SessionStoreError when the store read fails, and commits nothing', async () => {
      const memory = createMemoryStore();
      let failing = false;
      const store: SessionStore = {
        ...memory,
        get: (k) => (failing ? Promise.reject(new Error('connection refused')) : memory.get(k)),
      };
      const { manager, request, cookie } = setup({ store });
      await request((s) => s.set('user', 'ann'));
      failing = true;
      const handle = manager.open(cookie());
      await expect(handle.load()).rejects.toMatchObject({
        name: 'SessionStoreError',
        operation: 'get',
        status: 503,
        message: '@sess/core: session store get failed: connection refused',
      });
      expect(await manager.commit(handle, { status: 503 })).toEqual({ setCookie: [], cookies: [], vary: true, private: false });
    });

    it('rejects the commit with a SessionStoreError naming the write that failed', async () => {
      const memory = createMemoryStore();
      const cause = new Error('READONLY');
      const store: SessionStore = { ...memory, set: () => Promise.reject(cause) };
      const { manager } = setup({ store });
      const handle = manager.open(undefined);
      (await handle.load()).set('user', 'ann');
      await expect(manager.commit(handle, OK)).rejects.toMatchObject({
        name: 'SessionStoreError',
        operation: 'set',
        cause,
        timedOut: false,
      });
    });
  });
});
