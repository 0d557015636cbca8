/*
 * createSessionManager itself: options, what a commit sends and which store calls it
 * makes, loads in flight, untrusted cookies, rotation races, secrets, serializers, time
 * bounds, per-user work. What a session does across requests is in session.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toSessionManager } from './adapter';
import { createCookieStore } from './cookie-store';
import { createSessionManager, isSessionManager, type SessionManager, type SessionManagerOptions } from './manager';
import { createMemoryStore } from './memory-store';
import { richSerializer } from './rich-serializer';
import { jsonSerializer, type Serializer } from './serializer';
import type { SessionPatch, SessionStore } from './store';
import { CookieJar, cookieHeaderOf, isCookieDeletion } from './testing/cookie-jar';
import { recordingStore } from './testing/recording-store';

const secret = 'a-secret-that-is-at-least-32-characters-long';

/** The memory store, its calls recorded; without `rotate` unless asked, as most tests here expect. */
function countingStore(inner: SessionStore = createMemoryStore(), { rotate = false } = {}) {
  return recordingStore(rotate ? inner : withoutRotate(inner));
}

/** The same store without `rotate`, as a store written before it existed. */
function withoutRotate(inner: SessionStore): SessionStore {
  const { rotate: _rotate, ...rest } = inner;
  return rest;
}

type Data = { user: string; count: number; cart: { items: string[] } };
type RichData = { when: Date; tags: Set<string> };

/** Opens and loads a session from a Cookie header. */
async function loaded<D extends object, F extends object>(manager: SessionManager<D, F>, header: string | undefined) {
  const handle = manager.open(header);
  return { handle, session: await handle.load() };
}

/** The user a Cookie header opens, in a request that is then committed. */
async function userOf(manager: SessionManager<Data>, header: string | undefined) {
  const { handle, session } = await loaded(manager, header);
  const user = session.get('user');
  await manager.commit(handle, { status: 200 });
  return user;
}

describe('createSessionManager', () => {
  describe('options', () => {
    it('refuses a secret shorter than 32 characters with a TypeError naming the package and option', () => {
      expect(() => createSessionManager({ secret: 'short' })).toThrow(/@sess\/core: option `secret` must be at least 32/);
      expect(() => createSessionManager({ secret: { 1: secret, 2: 'short' } })).toThrow(/`secret.2`/);
    });

    it('refuses a placeholder secret with fewer than 6 distinct characters, and accepts one with 6', () => {
      for (const placeholder of [
        ' '.repeat(32),
        'x'.repeat(40),
        'abcabcabcabcabcabcabcabcabcabcabcabc',
        'abcdeabcdeabcdeabcdeabcdeabcdeabcde',
      ]) {
        expect(() => createSessionManager({ secret: placeholder }), placeholder).toThrow(
          /^@sess\/core: option `secret` has fewer than 6 distinct characters: that is a placeholder, not a secret\. Generate one with `openssl rand -base64 32`\.$/,
        );
      }
      expect(() => createSessionManager({ secret: { 1: secret, 2: 'y'.repeat(32) } })).toThrow(/`secret.2` has fewer than 6 distinct/);
      expect(() => createSessionManager({ secret: 'abcdefabcdefabcdefabcdefabcdefab' })).not.toThrow();
    });

    it('refuses a __Host- cookie that is not Secure, and an invalid store', () => {
      expect(() => createSessionManager({ secret, cookie: { name: '__Host-sid' } })).toThrow(TypeError);
      expect(() => createSessionManager({ secret, cookie: { name: '__Host-sid', secure: true } })).not.toThrow();
      expect(() => createSessionManager({ secret, store: {} as SessionStore })).toThrow(/option `store`/);
    });

    const unknownKeys: [string, Record<string, unknown>, string][] = [
      ['at the top level', { secret, sotre: createMemoryStore() }, 'sotre'],
      ['in cookie', { secret, cookie: { sameSIte: 'lax' } }, 'cookie.sameSIte'],
      ['in expiry', { secret, expiry: { idleTimeout: 1000 } }, 'expiry.idleTimeout'],
      ['in expiry.rememberMe', { secret, expiry: { rememberMe: { idle: 1000 } } }, 'expiry.rememberMe.idle'],
    ];
    it.each(unknownKeys)('refuses an unknown option key %s with a TypeError naming it and listing the known ones', (_, options, name) => {
      const create = () => createSessionManager(options as unknown as SessionManagerOptions);
      expect(create).toThrow(TypeError);
      expect(create).toThrow(new RegExp(`^@sess/core: unknown option \`${name.replaceAll('.', '\\.')}\`\\. Known options: `));
    });

    const hints: [string, Record<string, unknown>, RegExp][] = [
      ['resave', { resave: false }, /unknown option `resave`\. Sessions are saved only when they change/],
      ['saveUninitialized', { saveUninitialized: false }, /unknown option `saveUninitialized`\. An empty session is never stored/],
      ['rolling', { rolling: true }, /unknown option `rolling`\. Sessions always slide: `expiry\.idleTimeoutMs`/],
      ['name', { name: 'connect.sid' }, /unknown option `name`\. Use `cookie: \{ name \}`/],
      ['maxAge', { maxAge: 60_000 }, /unknown option `maxAge`\. Use `expiry\.idleTimeoutMs` \(milliseconds\)/],
      ['cookie.maxAge', { cookie: { maxAge: 60_000 } }, /unknown option `cookie\.maxAge`\. The cookie lifetime follows the session/],
      ['genid', { genid: () => 'id' }, /unknown option `genid`\. Ids are always 256 random bits/],
      ['expiry.idle', { expiry: { idle: 60_000 } }, /unknown option `expiry\.idle`\. Use `expiry\.idleTimeoutMs`/],
    ];
    it.each(hints)('refuses the express-session/koa-session option %s with a hint saying what to use instead', (_, options, message) => {
      expect(() => createSessionManager({ secret, ...options } as unknown as SessionManagerOptions)).toThrow(message);
    });

    it('refuses options that are not an object, and invalid values of known options, naming the option', () => {
      expect(() => createSessionManager(null as unknown as SessionManagerOptions)).toThrow(/option `options` must be an object/);
      expect(() => createSessionManager({ secret, cookieValue: 'encrypt' as 'seal' })).toThrow(/option `cookieValue`/);
      expect(() => createSessionManager({ secret, storeTimeoutMs: 0 })).toThrow(/option `storeTimeoutMs`/);
      expect(() => createSessionManager({ secret, saveOnError: 'yes' as unknown as boolean })).toThrow(/option `saveOnError`/);
      expect(() => createSessionManager({ secret, serializer: { stringify: JSON.stringify } as never })).toThrow(/option `serializer`/);
      expect(() => createSessionManager({ secret, expiry: { idleTimeoutMs: -1 } })).toThrow(/option `expiry\.idleTimeoutMs`/);
      expect(() => createSessionManager({ secret, cookie: { secure: 'false' as unknown as boolean } })).toThrow(
        /option `cookie\.secure` must be a boolean/,
      );
    });

    describe('NODE_ENV', () => {
      afterEach(() => {
        vi.unstubAllEnvs();
      });

      it.each(['production', 'Production', 'PRODUCTION', ' production '])(
        'makes cookies Secure by default when NODE_ENV is %j',
        async (env) => {
          vi.stubEnv('NODE_ENV', env);
          const manager = createSessionManager<Data>({ secret });
          const { handle, session } = await loaded(manager, undefined);
          session.set('user', 'ann');
          expect((await manager.commit(handle, { status: 200 })).setCookie[0]).toMatch(/; Secure/);
        },
      );

      it('leaves cookies without Secure outside production, unless asked for', async () => {
        vi.stubEnv('NODE_ENV', 'development');
        for (const [options, secure] of [
          [{}, false],
          [{ cookie: { secure: true } }, true],
        ] as const) {
          const manager = createSessionManager<Data>({ secret, ...options });
          const { handle, session } = await loaded(manager, undefined);
          session.set('user', 'ann');
          const [line] = (await manager.commit(handle, { status: 200 })).setCookie;
          expect(/; Secure/.test(line!)).toBe(secure);
        }
      });
    });
  });

  describe('toSessionManager', () => {
    it('names the adapter package in every option error', () => {
      expect(() => toSessionManager({ secret: 'short' }, '@sess/hono')).toThrow(/^@sess\/hono: option `secret` must be at least 32/);
      expect(() => toSessionManager({ secret, resave: false } as unknown as SessionManagerOptions, '@sess/hono')).toThrow(
        /^@sess\/hono: unknown option `resave`\./,
      );
      expect(() => toSessionManager({ secret, cookie: { name: 'a b' } }, '@sess/koa')).toThrow(/^@sess\/koa: option `cookie\.name`/);
      expect(() => toSessionManager(undefined as unknown as SessionManagerOptions, '@sess/express')).toThrow(
        /^@sess\/express: option `options`/,
      );
    });

    it('gives back a manager it is given, so an app can share one manager with admin code', () => {
      const manager = createSessionManager({ secret });
      expect(toSessionManager(manager, '@sess/hono')).toBe(manager);
      expect(isSessionManager(manager)).toBe(true);
      const created = toSessionManager({ secret }, '@sess/hono');
      expect(isSessionManager(created)).toBe(true);
      expect(created.cookieName).toBe('sid');
    });

    it('names the adapter package in the error of a commit given a foreign handle', async () => {
      const one = toSessionManager({ secret }, '@sess/next');
      const other = createSessionManager({ secret });
      await expect(one.commit(other.open(undefined), { status: 200 })).rejects.toThrow(
        /^@sess\/next: manager\.commit\(\) takes a handle this manager's open\(\) returned/,
      );
    });
  });

  it('never calls the store for a request that does not load the session', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager({ secret, store });
    const handle = manager.open('sid=whatever');
    const result = await manager.commit(handle, { status: 200 });
    expect(recording.methods()).toEqual([]);
    expect(result).toMatchObject({ setCookie: [], vary: false, private: false });
  });

  it('neither stores nor sends an untouched new session, but marks the response Vary and not private', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const { handle, session } = await loaded(manager, undefined);
    expect(session.get('user')).toBeUndefined();
    const result = await manager.commit(handle, { status: 200 });
    expect(recording.methods()).toEqual([]);
    expect(result).toEqual({ setCookie: [], cookies: [], vary: true, private: false });
  });

  it('stores a new session with data and sends an HttpOnly SameSite=Lax cookie, marked private', async () => {
    const manager = createSessionManager<Data>({ secret });
    const { handle, session } = await loaded(manager, undefined);
    session.set('user', 'ann');
    const result = await manager.commit(handle, { status: 200 });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]).toMatch(/^sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(result.cookies).toEqual([
      {
        name: 'sid',
        value: cookieHeaderOf(result.setCookie)!.slice(4),
        options: { path: '/', sameSite: 'lax', httpOnly: true, secure: false },
      },
    ]);
    expect(result).toMatchObject({ vary: true, private: true });
    const next = await loaded(manager, cookieHeaderOf(result.setCookie));
    expect(next.session.get('user')).toBe('ann');
    expect(next.session.isNew).toBe(false);
  });

  it('marks a response that only read a stored session private, without a cookie', async () => {
    const manager = createSessionManager<Data>({ secret });
    const jar = new CookieJar();
    const first = await loaded(manager, undefined);
    first.session.set('user', 'ann');
    jar.update((await manager.commit(first.handle, { status: 200 })).setCookie);
    const { handle, session } = await loaded(manager, jar.header());
    expect(session.get('user')).toBe('ann');
    expect(await manager.commit(handle, { status: 200 })).toEqual({ setCookie: [], cookies: [], vary: true, private: true });
  });

  it('marks private a response whose new session holds data, even when a 5xx stores nothing', async () => {
    const manager = createSessionManager<Data>({ secret });
    const { handle, session } = await loaded(manager, undefined);
    session.set('user', 'ann');
    expect(await manager.commit(handle, { status: 500 })).toEqual({ setCookie: [], cookies: [], vary: true, private: true });
    const emptied = await loaded(manager, undefined);
    emptied.session.set('user', 'ann');
    emptied.session.unset('user');
    expect(await manager.commit(emptied.handle, { status: 200 })).toEqual({ setCookie: [], cookies: [], vary: true, private: false });
  });

  it('shares one store load between concurrent load() calls', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = new CookieJar();
    const first = await loaded(manager, undefined);
    first.session.set('count', 1);
    jar.update((await manager.commit(first.handle, { status: 200 })).setCookie);
    recording.clear();
    const handle = manager.open(jar.header());
    const [a, b, c] = await Promise.all([handle.load(), handle.load(), handle.load()]);
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(a.get('count')).toBe(1);
    expect(recording.methods()).toEqual(['get']);
  });

  it('waits for a load still in flight when the commit comes first, and commits what it loaded', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const handle = manager.open(undefined);
    const loading = handle.load();
    const result = await manager.commit(handle, { status: 200 });
    expect(result).toMatchObject({ setCookie: [], vary: true });
    expect((await loading).isNew).toBe(true);
    expect(recording.methods()).toEqual([]);
  });

  it('does not rewrite an unmodified session and sends no cookie', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    s1.session.set('user', 'ann');
    jar.update((await manager.commit(s1.handle, { status: 200 })).setCookie);
    recording.clear();
    const s2 = await loaded(manager, jar.header());
    expect(s2.session.get('user')).toBe('ann');
    const result = await manager.commit(s2.handle, { status: 200 });
    expect(recording.methods()).toEqual(['get']);
    expect(result.setCookie).toEqual([]);
  });

  it('notices deep mutation and writes only the changed top-level keys, without a cookie', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    s1.session.set('cart', { items: [] });
    s1.session.set('user', 'ann');
    jar.update((await manager.commit(s1.handle, { status: 200 })).setCookie);
    recording.clear();
    const s2 = await loaded(manager, jar.header());
    s2.session.data.cart!.items.push('apple');
    s2.session.unset('user');
    const result = await manager.commit(s2.handle, { status: 200 });
    expect(recording.methods()).toEqual(['get', 'update']);
    expect((recording.calls[1]!.args[1] as SessionPatch).removed).toEqual(['user']);
    expect(Object.keys((recording.calls[1]!.args[1] as SessionPatch).set)).toEqual(['cart']);
    expect(result.setCookie).toEqual([]);
    const s3 = await loaded(manager, jar.header());
    expect(s3.session.get('cart')).toEqual({ items: ['apple'] });
    expect(s3.session.has('user')).toBe(false);
  });

  it('deletes a session emptied by the handler and clears its cookie', async () => {
    const { store, ...recording } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    s1.session.set('user', 'ann');
    jar.update((await manager.commit(s1.handle, { status: 200 })).setCookie);
    recording.clear();
    const s2 = await loaded(manager, jar.header());
    s2.session.unset('user');
    const result = await manager.commit(s2.handle, { status: 200 });
    expect(recording.methods()).toEqual(['get', 'destroy']);
    expect(isCookieDeletion(result.setCookie[0]!)).toBe(true);
  });

  it('refuses a commit without a numeric status', async () => {
    const manager = createSessionManager<Data>({ secret });
    await expect(manager.commit(manager.open(undefined), {} as { status: number })).rejects.toThrow(/needs the response status/);
  });

  it('gives a fresh session with a new id for a tampered, malformed or unknown cookie', async () => {
    const manager = createSessionManager<Data>({ secret });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    s1.session.set('user', 'ann');
    jar.update((await manager.commit(s1.handle, { status: 200 })).setCookie);
    const good = jar.get('sid')!;
    const forged = `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
    for (const value of [forged, 'garbage', '', `${'a'.repeat(43)}.1.${'0'.repeat(64)}.${'b'.repeat(43)}`]) {
      const { handle, session } = await loaded(manager, `sid=${value}`);
      expect(session.get('user')).toBeUndefined();
      expect(session.isNew).toBe(true);
      expect(good.startsWith(session.id)).toBe(false);
      const result = await manager.commit(handle, { status: 200 });
      expect(result.setCookie.every((line) => isCookieDeletion(line))).toBe(true);
    }
    const other = createSessionManager<Data>({ secret });
    const unknown = await loaded(other, `sid=${good}`);
    expect(unknown.session.get('user')).toBeUndefined();
    expect(good.startsWith(unknown.session.id)).toBe(false);
  });

  describe('a regenerate() racing a revocation', () => {
    /** A signed-in session, loaded by a request that then waits while the user is revoked. */
    async function regenerateAfterRevocation(
      store: SessionStore,
      revoke: (manager: SessionManager<Data>, key: string) => Promise<unknown>,
    ) {
      const manager = createSessionManager<Data>({ secret, store });
      const jar = new CookieJar();
      const s1 = await loaded(manager, undefined);
      s1.session.set('user', 'ann');
      s1.session.setUserId('u-ann');
      jar.update((await manager.commit(s1.handle, { status: 200 })).setCookie);
      const inFlight = await loaded(manager, jar.header());
      await revoke(manager, inFlight.session.key);
      inFlight.session.regenerate();
      const result = await manager.commit(inFlight.handle, { status: 200 });
      jar.update(result.setCookie);
      return { manager, jar, result, newKey: inFlight.session.key };
    }

    const stores = [
      ['a store with rotate (memory)', () => createMemoryStore()],
      ['a store without rotate (read, then set and destroy)', () => withoutRotate(createMemoryStore())],
    ] as const;
    const revocations = [
      ['sign out everywhere', (manager: SessionManager<Data>) => manager.revokeUserSessions('u-ann')],
      ['a logout in another tab', (manager: SessionManager<Data>, key: string) => manager.revokeSession(key)],
    ] as const;

    for (const [storeName, makeStore] of stores) {
      for (const [revocationName, revoke] of revocations) {
        it(`keeps the user revoked after ${revocationName}, on ${storeName}: nothing is written and the cookie is cleared`, async () => {
          const store = makeStore();
          const { manager, jar, result, newKey } = await regenerateAfterRevocation(store, revoke);
          expect(result.setCookie).toHaveLength(1);
          expect(isCookieDeletion(result.setCookie[0]!)).toBe(true);
          expect(result.private).toBe(true);
          expect(await store.get(newKey)).toBeUndefined();
          expect(await manager.listUserSessions('u-ann')).toEqual([]);
          expect(jar.header()).toBeUndefined();
        });
      }

      it(`moves a live session to its new key on ${storeName}, indexed under the new key only`, async () => {
        const store = makeStore();
        const { manager, jar, newKey } = await regenerateAfterRevocation(store, async () => {});
        expect(await userOf(manager, jar.header())).toBe('ann');
        expect((await manager.listUserSessions('u-ann')).map((s) => s.key)).toEqual([newKey]);
      });
    }

    it("uses the store's rotate when it has one, and reads before it sets and destroys when it has not", async () => {
      const rotating = countingStore(createMemoryStore(), { rotate: true });
      await regenerateAfterRevocation(rotating.store, async () => {});
      expect(rotating.methods()).toEqual(['set', 'get', 'rotate']);

      const plain = countingStore();
      await regenerateAfterRevocation(plain.store, async () => {});
      expect(plain.methods()).toEqual(['set', 'get', 'get', 'set', 'destroy']);

      const revoked = countingStore();
      await regenerateAfterRevocation(revoked.store, (_, key) => revoked.store.destroy(key));
      expect(revoked.methods()).toEqual(['set', 'get', 'destroy', 'get']);
    });
  });

  it('re-seals a cookie opened with an older secret with the newest one', async () => {
    const old = createSessionManager<Data>({ secret: { 1: secret } });
    const store = old.store as SessionStore;
    const s1 = await loaded(old, undefined);
    s1.session.set('user', 'ann');
    const cookie = cookieHeaderOf((await old.commit(s1.handle, { status: 200 })).setCookie)!;
    const rotated = createSessionManager<Data>({ secret: { 1: secret, 2: `${secret}-newer` }, store });
    const s2 = await loaded(rotated, cookie);
    expect(s2.session.get('user')).toBe('ann');
    const result = await rotated.commit(s2.handle, { status: 200 });
    expect(result.setCookie).toHaveLength(1);
    expect(cookieHeaderOf(result.setCookie)).not.toBe(cookie);
    const dropped = createSessionManager<Data>({ secret: { 2: `${secret}-newer` }, store });
    expect(await userOf(dropped, cookieHeaderOf(result.setCookie))).toBe('ann');
    expect(await userOf(dropped, cookie)).toBeUndefined();
  });

  it('round-trips Date, Map, Set and BigInt with the rich serializer and notices Set mutation', async () => {
    const manager = createSessionManager<RichData>({
      secret,
      serializer: richSerializer,
      store: createMemoryStore({ serializer: richSerializer }),
    });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    // The types follow the registered serializer (JSON here); the values follow the configured one.
    s1.session.set('when', new Date(5) as never);
    s1.session.set('tags', new Set(['a']) as never);
    jar.update((await manager.commit(s1.handle, { status: 200 })).setCookie);
    const s2 = await loaded(manager, jar.header());
    (s2.session.get('tags') as unknown as Set<string>).add('b');
    await manager.commit(s2.handle, { status: 200 });
    const s3 = await loaded(manager, jar.header());
    expect(s3.session.get('when')).toEqual(new Date(5));
    expect(s3.session.get('tags')).toEqual(new Set(['a', 'b']));
  });

  it.each([
    ['the cookie store', () => createCookieStore()],
    ['a memory store created without the serializer', () => createMemoryStore()],
  ])('gives a Date back as a Date, or refuses the configuration, when the manager is rich but %s is JSON', async (_, store) => {
    let manager: SessionManager<RichData>;
    try {
      manager = createSessionManager<RichData>({ secret, serializer: richSerializer, store: store() });
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      return;
    }
    const s1 = await loaded(manager, undefined);
    s1.session.set('when', new Date(5) as never);
    const header = cookieHeaderOf((await manager.commit(s1.handle, { status: 200 })).setCookie);
    expect((await loaded(manager, header)).session.get('when')).toBeInstanceOf(Date);
  });

  describe('serializer of the store', () => {
    /** Sets a Date, commits, and reads it back through the cookies the commit set. */
    async function dateRoundTrip(manager: SessionManager<RichData>) {
      const s1 = await loaded(manager, undefined);
      s1.session.set('when', new Date(5) as never);
      const header = cookieHeaderOf((await manager.commit(s1.handle, { status: 200 })).setCookie);
      return (await loaded(manager, header)).session.get('when');
    }

    const richStores = [
      ['a rich memory store', () => createMemoryStore({ serializer: richSerializer })],
      ['a rich cookie store', () => createCookieStore({ serializer: richSerializer })],
    ] as const;

    it.each(richStores)('adopts the serializer of %s when the manager has none, so a Date comes back as a Date', async (_, store) => {
      const manager = createSessionManager<RichData>({ secret, store: store() });
      expect(await dateRoundTrip(manager)).toEqual(new Date(5));
    });

    it.each(richStores)('accepts the same serializer given to both the manager and %s', async (_, store) => {
      const manager = createSessionManager<RichData>({ secret, serializer: richSerializer, store: store() });
      expect(await dateRoundTrip(manager)).toEqual(new Date(5));
    });

    it('accepts two serializers of the same kind', () => {
      const otherJson: Serializer = { kind: 'json', stringify: JSON.stringify, parse: JSON.parse };
      expect(() => createSessionManager({ secret, serializer: otherJson, store: createMemoryStore() })).not.toThrow();
    });

    it('falls back to the JSON serializer for a store that declares none, so set() refuses a Date instead of losing it', async () => {
      const { serializer: _serializer, ...undeclared } = createMemoryStore({ serializer: richSerializer });
      const manager = createSessionManager<RichData>({ secret, store: undeclared });
      const { session } = await loaded(manager, undefined);
      expect(() => session.set('when', new Date(5) as never)).toThrow(
        /cannot be stored: value is a Date instance, which the json serializer/,
      );
    });

    it.each([
      ['a rich manager and the default cookie store', () => ({ serializer: richSerializer, store: createCookieStore() })],
      ['a rich manager and the default memory store', () => ({ serializer: richSerializer, store: createMemoryStore() })],
      [
        'a JSON manager and a rich memory store',
        () => ({ serializer: jsonSerializer, store: createMemoryStore({ serializer: richSerializer }) }),
      ],
      [
        'a JSON manager and a rich custom store',
        () => ({ serializer: jsonSerializer, store: { ...createMemoryStore(), serializer: richSerializer } }),
      ],
    ])('refuses %s at creation with a TypeError naming `serializer` and saying what to do', (_, options) => {
      const create = () => createSessionManager({ secret, ...options() });
      expect(create).toThrow(TypeError);
      expect(create).toThrow(/^@sess\/core: option `serializer` is a (json|rich) serializer but the store encodes with a (rich|json) one/);
      expect(create).toThrow(/Pass the same serializer to the store, such as createMemoryStore\(\{ serializer: (rich|json)Serializer \}\)/);
    });

    it('names the adapter package in the mismatch error when an adapter creates the manager', () => {
      const create = () => toSessionManager({ secret, serializer: richSerializer, store: createCookieStore() }, '@sess/express');
      expect(create).toThrow(/^@sess\/express: option `serializer`/);
    });

    it('trusts a serializer without a kind on either side, since its rules are unknown', () => {
      const custom: Serializer = { stringify: JSON.stringify, parse: JSON.parse };
      expect(() =>
        createSessionManager({ secret, serializer: custom, store: createMemoryStore({ serializer: richSerializer }) }),
      ).not.toThrow();
      expect(() =>
        createSessionManager({ secret, serializer: richSerializer, store: createMemoryStore({ serializer: custom }) }),
      ).not.toThrow();
    });

    it('refuses a store whose declared serializer is not one, naming `store.serializer`', () => {
      const store = { ...createMemoryStore(), serializer: { stringify: JSON.stringify } } as unknown as SessionStore;
      expect(() => createSessionManager({ secret, store })).toThrow(
        /^@sess\/core: option `store\.serializer` must be an object with stringify and parse/,
      );
    });

    it('refuses a store whose declared call bound is not a positive number, naming `store.callTimeoutMs`', () => {
      for (const callTimeoutMs of [0, -1, Number.NaN, '2000']) {
        const store = { ...createMemoryStore(), callTimeoutMs } as unknown as SessionStore;
        expect(() => createSessionManager({ secret, store })).toThrow(
          /^@sess\/core: option `store\.callTimeoutMs` must be a positive number/,
        );
      }
    });

    it("encodes the default memory store with the manager's serializer", async () => {
      const manager = createSessionManager<RichData>({ secret, serializer: richSerializer });
      expect(manager.store.serializer).toBe(richSerializer);
      expect(await dateRoundTrip(manager)).toEqual(new Date(5));
    });
  });

  it('sets no timer for a load from the memory store, whose calls settle in the tick they are made', async () => {
    vi.useFakeTimers();
    try {
      const manager = createSessionManager<Data>({ secret });
      const s1 = await loaded(manager, undefined);
      s1.session.set('user', 'ann');
      const cookie = cookieHeaderOf((await manager.commit(s1.handle, { status: 200 })).setCookie);
      const handle = manager.open(cookie);
      const loading = handle.load();
      expect(vi.getTimerCount()).toBe(0);
      expect((await loading).get('user')).toBe('ann');
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails a store call that does not answer in time with a SessionStoreError', async () => {
    const hanging: SessionStore = { get: () => new Promise(() => {}), set: async () => {}, destroy: async () => {} };
    const manager = createSessionManager<Data>({ secret, store: hanging, storeTimeoutMs: 50 });
    const jar = new CookieJar();
    const writer = createSessionManager<Data>({ secret });
    const s1 = await loaded(writer, undefined);
    s1.session.set('user', 'ann');
    jar.update((await writer.commit(s1.handle, { status: 200 })).setCookie);
    const started = Date.now();
    const handle = manager.open(jar.header());
    await expect(handle.load()).rejects.toMatchObject({ name: 'SessionStoreError', operation: 'get', timedOut: true, status: 503 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await manager.commit(handle, { status: 503 })).toMatchObject({ setCookie: [], vary: true });
  });

  it('keeps the whole session in sealed cookies with the cookie store, split when large', async () => {
    const manager = createSessionManager<Data>({ secret, store: createCookieStore({ chunkSize: 500, maxCookies: 4 }) });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    s1.session.set('user', 'x'.repeat(700));
    const r1 = await manager.commit(s1.handle, { status: 200 });
    expect(r1.setCookie.map((c) => c.split('=')[0])).toEqual(['sid.0', 'sid.1', 'sid.2']);
    jar.update(r1.setCookie);
    const s2 = await loaded(manager, jar.header());
    expect(s2.session.get('user')).toBe('x'.repeat(700));
    s2.session.set('user', 'ann');
    const r2 = await manager.commit(s2.handle, { status: 200 });
    expect(r2.setCookie.map((c) => c.split('=')[0])).toEqual(['sid', 'sid.0', 'sid.1', 'sid.2']);
    jar.update(r2.setCookie);
    expect(await userOf(manager, jar.header())).toBe('ann');
    const s3 = await loaded(manager, jar.header());
    s3.session.set('user', 'y'.repeat(3000));
    await expect(manager.commit(s3.handle, { status: 200 })).rejects.toMatchObject({ name: 'SessionTooLargeError', status: 413 });
  });

  it('lists, revokes and refuses per-user work by what the store supports', async () => {
    const manager = createSessionManager<Data>({ secret });
    const { handle, session } = await loaded(manager, undefined);
    session.set('user', 'ann');
    session.setUserId('u1');
    await manager.commit(handle, { status: 200 });
    expect((await manager.listUserSessions('u1')).map((s) => s.key)).toEqual([session.key]);
    expect(await manager.revokeUserSessions('u1')).toBe(1);
    expect(await manager.listUserSessions('u1')).toEqual([]);
    const bare = createSessionManager<Data>({
      secret,
      store: { get: async () => undefined, set: async () => {}, destroy: async () => {} },
    });
    await expect(bare.listUserSessions('u1')).rejects.toThrow(/^@sess\/core: the configured store does not implement `listByUser`/);
    await expect(bare.revokeUserSessions('u1')).rejects.toThrow(/does not implement `destroyByUser`/);
  });
});
