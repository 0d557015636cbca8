/*
 * The manager-level contract of the cookie store. `describeStoreConformance` checks
 * the `SessionStore` interface (get/set/destroy by key), which a cookie store does not
 * implement: it keeps the session in the client. So its contract is checked here,
 * through `createSessionManager` and a browser-like cookie jar.
 */
import { describe, expect, it } from 'vitest';
import { type CookieStoreOptions, createCookieStore } from './cookie-store';
import { SessionTooLargeError } from './errors';
import { createSessionManager, type SessionManagerOptions } from './manager';
import { richSerializer } from './serializer';

const secret = 'cookie-store-secret-cookie-store-secret';
const newerSecret = 'cookie-store-newer-secret-cookie-store-newer';
const OK = { status: 200 };

type Data = { user: string; blob: string; count: number; when: Date; tags: Set<string> };

/** A browser-like jar: keeps what responses set, forgets what they clear, sends it all back. */
function cookieJar() {
  const jar = new Map<string, string>();
  return {
    header: () => [...jar].map(([n, v]) => `${n}=${v}`).join('; ') || undefined,
    take(setCookie: string[]) {
      for (const line of setCookie) {
        const [pair = '', ...attributes] = line.split('; ');
        const at = pair.indexOf('=');
        const name = pair.slice(0, at);
        if (attributes.some((a) => /^Max-Age=0$/i.test(a))) jar.delete(name);
        else jar.set(name, pair.slice(at + 1));
      }
    },
    names: () => [...jar.keys()].sort(),
    get: (name: string) => jar.get(name),
    set: (name: string, value: string) => jar.set(name, value),
    clear: () => jar.clear(),
  };
}

/** Random text that does not compress, so the seal grows with it. */
const noise = (length: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join('');
};

function setup(storeOptions: CookieStoreOptions = {}, managerOptions: Partial<SessionManagerOptions> = {}) {
  const store = createCookieStore(storeOptions);
  const manager = createSessionManager<Data>({ secret, store, ...managerOptions });
  const jar = cookieJar();
  /** One request: opens the session from the jar, runs the handler, commits, stores the cookies. */
  const request = async <T>(handler: (session: ReturnType<typeof manager.open>) => Promise<T>, outcome = OK) => {
    const session = manager.open(jar.header());
    const value = await handler(session);
    const result = await manager.commit(session, outcome);
    jar.take(result.setCookie);
    return { value, result, session };
  };
  return { store, manager, jar, request };
}

describe('cookie store through the session manager', () => {
  it('keeps data in the cookie and reads it back on the next request, as the same session', async () => {
    const { jar, request } = setup();
    const first = await request(async (s) => {
      await s.set('user', 'ann');
      return s.id;
    });
    expect(first.result.setCookie).toHaveLength(1);
    expect(first.result.setCookie[0]).toMatch(/^sid=Fe26\.2\*[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(jar.get('sid')).not.toContain('ann');
    const second = await request(async (s) => [await s.get('user'), s.isNew, s.id] as const);
    expect(second.value).toEqual(['ann', false, first.value]);
  });

  it('sends nothing for an untouched new session and for an unmodified one not due a touch', async () => {
    const { request } = setup();
    expect((await request(async (s) => s.get('user'))).result).toMatchObject({ setCookie: [], vary: true });
    await request((s) => s.set('user', 'ann'));
    expect((await request(async (s) => s.get('user'))).result.setCookie).toEqual([]);
  });

  it('rewrites the cookie when the data changes', async () => {
    const { jar, request } = setup();
    await request((s) => s.set('count', 1));
    const before = jar.get('sid');
    await request(async (s) => s.set('count', ((await s.get('count')) ?? 0) + 1));
    expect(jar.get('sid')).not.toBe(before);
    expect((await request((s) => s.get('count'))).value).toBe(2);
  });

  it('splits a large session into numbered cookies and joins them back', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    const blob = noise(1500);
    const { result } = await request((s) => s.set('blob', blob));
    expect(result.setCookie.length).toBeGreaterThanOrEqual(3);
    expect(jar.names()).toEqual(result.setCookie.map((_, i) => `sid.${i}`).sort());
    for (const line of result.setCookie) expect(line.split(';')[0]!.length).toBeLessThanOrEqual(500 + 'sid.0='.length);
    expect((await request((s) => s.get('blob'))).value).toBe(blob);
  });

  it('clears the stale chunks when the session shrinks back into one cookie, and the single cookie when it grows', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    expect(jar.names().length).toBeGreaterThanOrEqual(3);
    const shrink = await request((s) => s.set('blob', 'small'));
    expect(shrink.result.setCookie.filter((c) => /Max-Age=0/.test(c)).length).toBeGreaterThanOrEqual(3);
    expect(jar.names()).toEqual(['sid']);
    expect((await request((s) => s.get('blob'))).value).toBe('small');
    await request((s) => s.set('blob', noise(800)));
    expect(jar.names()).not.toContain('sid');
    expect(jar.names()[0]).toBe('sid.0');
    expect((await request((s) => s.get('blob'))).value).toHaveLength(800);
  });

  it('fails the commit with a SessionTooLargeError past maxCookies and leaves the client cookies alone', async () => {
    const { manager, jar, request } = setup({ chunkSize: 500, maxCookies: 2 });
    await request((s) => s.set('user', 'ann'));
    const before = jar.header();
    const session = manager.open(before);
    await session.set('blob', noise(2000));
    await expect(manager.commit(session, OK)).rejects.toBeInstanceOf(SessionTooLargeError);
    expect(jar.header()).toBe(before);
    expect((await request((s) => s.get('user'))).value).toBe('ann');
  });

  it('destroy clears every chunk and the next request gets a fresh session', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    const chunks = jar.names();
    const { result } = await request((s) => s.destroy());
    expect(result.setCookie.map((c) => c.split('=')[0]).sort()).toEqual(chunks);
    for (const line of result.setCookie) expect(line).toMatch(/=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(jar.names()).toEqual([]);
    const next = await request(async (s) => [await s.get('blob'), s.isNew] as const);
    expect(next.value).toEqual([undefined, true]);
  });

  it('a session emptied by the handler clears its cookie', async () => {
    const { jar, request } = setup();
    await request((s) => s.set('user', 'ann'));
    await request((s) => s.unset('user'));
    expect(jar.names()).toEqual([]);
  });

  it('destroy then set starts a new session under a new id in place of the old cookies', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    const old = await request(async (s) => {
      await s.set('blob', noise(1500));
      return s.id;
    });
    const next = await request(async (s) => {
      await s.destroy();
      await s.set('user', 'bob');
      return s.id;
    });
    expect(next.value).not.toBe(old.value);
    expect(jar.names()).toEqual(['sid']);
    expect((await request(async (s) => [await s.get('user'), await s.get('blob'), s.id] as const)).value).toEqual([
      'bob',
      undefined,
      next.value,
    ]);
  });

  it('regenerate issues a new id and keeps the data', async () => {
    const { request } = setup();
    const first = await request(async (s) => {
      await s.set('user', 'ann');
      return s.id;
    });
    const regenerated = await request(async (s) => {
      await s.regenerate();
      return s.id;
    });
    expect(regenerated.value).not.toBe(first.value);
    expect((await request(async (s) => [await s.get('user'), s.id] as const)).value).toEqual(['ann', regenerated.value]);
  });

  it('honours the idle timeout, extends it on a due touch, and caps it at the absolute timeout', async () => {
    let now = 1_000_000;
    const { jar, request } = setup({}, { now: () => now, expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 25_000, touchAfterShare: 0.5 } });
    await request((s) => s.set('user', 'ann'));
    now += 4_000;
    const early = await request((s) => s.get('user'));
    expect(early.result.setCookie).toEqual([]);
    now += 2_000; // 6 s since the write: due a touch, which rewrites the cookie
    const before = jar.get('sid');
    const touched = await request((s) => s.get('user'));
    expect(touched.value).toBe('ann');
    expect(touched.result.setCookie).toHaveLength(1);
    expect(jar.get('sid')).not.toBe(before);
    now += 9_000; // 15 s after creation, 9 s after the touch
    expect((await request((s) => s.get('user'))).value).toBe('ann');
    now += 9_000; // 24 s after creation, 9 s after the second touch
    expect((await request((s) => s.get('user'))).value).toBe('ann');
    now += 1_000; // 25 s: the absolute cap
    const capped = await request(async (s) => [await s.get('user'), s.isNew] as const);
    expect(capped.value).toEqual([undefined, true]);
    expect(jar.names()).toEqual([]);
  });

  it('forgets a session idle past its timeout and clears its cookie', async () => {
    let now = 1_000_000;
    const { jar, request } = setup({}, { now: () => now, expiry: { idleTimeoutMs: 10_000 } });
    await request((s) => s.set('user', 'ann'));
    now += 10_000;
    expect((await request((s) => s.get('user'))).value).toBeUndefined();
    expect(jar.names()).toEqual([]);
  });

  it('gives every chunk of a remember-me session the same Max-Age', async () => {
    const { request } = setup({ chunkSize: 500, maxCookies: 8 }, { expiry: { rememberMe: { idleTimeoutMs: 3_600_000 } } });
    const { result } = await request(async (s) => {
      await s.set('blob', noise(1500));
      await s.rememberMe();
    });
    expect(result.setCookie.length).toBeGreaterThanOrEqual(3);
    for (const line of result.setCookie) expect(line).toMatch(/; Max-Age=(3599|3600);/);
  });

  it('answers a tampered chunk with a fresh session and clears the chunks it was sent', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    const chunk = jar.get('sid.1')!;
    jar.set('sid.1', `${chunk.slice(0, 100)}${chunk[100] === 'A' ? 'B' : 'A'}${chunk.slice(101)}`);
    const sent = jar.names();
    const { value, result } = await request(async (s) => [await s.get('blob'), s.isNew] as const);
    expect(value).toEqual([undefined, true]);
    expect(result.setCookie.map((c) => c.split('=')[0]).sort()).toEqual(sent);
    expect(jar.names()).toEqual([]);
  });

  it('answers a missing chunk with a fresh session', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    const kept = new Map(jar.names().filter((n) => n !== 'sid.1').map((n) => [n, jar.get(n)!] as const));
    jar.clear();
    for (const [n, v] of kept) jar.set(n, v);
    const { value } = await request(async (s) => [await s.get('blob'), s.isNew] as const);
    expect(value).toEqual([undefined, true]);
  });

  it('does not accept the id cookie of a server-store manager of the same name', async () => {
    const serverManager = createSessionManager<Data>({ secret });
    const s1 = serverManager.open(undefined);
    await s1.set('user', 'ann');
    const [line] = (await serverManager.commit(s1, OK)).setCookie;
    const { jar, request } = setup();
    jar.take([line!]);
    expect((await request(async (s) => [await s.get('user'), s.isNew] as const)).value).toEqual([undefined, true]);
  });

  it('persists nothing and sends no cookie when the handler failed', async () => {
    const { jar, request } = setup();
    await request((s) => s.set('user', 'ann'));
    const before = jar.header();
    for (const outcome of [{ status: 500 }, { status: 200, threw: true }]) {
      const { result } = await request((s) => s.set('user', 'mallory'), outcome);
      expect(result.setCookie).toEqual([]);
    }
    expect(jar.header()).toBe(before);
    expect((await request((s) => s.get('user'))).value).toBe('ann');
  });

  it('re-seals a cookie made with an older secret, and a removed secret opens nothing, through one shared store', async () => {
    const store = createCookieStore();
    const jar = cookieJar();
    const old = createSessionManager<Data>({ secret: { 1: secret }, store });
    const s1 = old.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await old.commit(s1, OK)).setCookie);
    const oldCookie = jar.header();

    const rotated = createSessionManager<Data>({ secret: { 1: secret, 2: newerSecret }, store });
    const s2 = rotated.open(oldCookie);
    expect(await s2.get('user')).toBe('ann');
    const resealed = await rotated.commit(s2, OK);
    expect(resealed.setCookie).toHaveLength(1);
    jar.take(resealed.setCookie);
    expect(jar.header()).not.toBe(oldCookie);

    const retired = createSessionManager<Data>({ secret: { 2: newerSecret }, store });
    expect(await retired.open(jar.header()).get('user')).toBe('ann');
    expect(await retired.open(oldCookie).get('user')).toBeUndefined();
  });

  it('round-trips Date and Set with the rich serializer and notices their mutation', async () => {
    const { request } = setup({ serializer: richSerializer }, { serializer: richSerializer });
    await request(async (s) => {
      await s.set('when', new Date(5));
      await s.set('tags', new Set(['a']));
    });
    await request(async (s) => (await s.get('tags'))!.add('b'));
    const { value } = await request(async (s) => [await s.get('when'), await s.get('tags')] as const);
    expect(value).toEqual([new Date(5), new Set(['a', 'b'])]);
  });

  it('reads a flash value once', async () => {
    const manager = createSessionManager<Data, { notice: string }>({ secret, store: createCookieStore() });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    await s1.flash('notice', 'Welcome');
    jar.take((await manager.commit(s1, OK)).setCookie);
    const s2 = manager.open(jar.header());
    expect(await s2.getFlash('notice')).toBe('Welcome');
    jar.take((await manager.commit(s2, OK)).setCookie);
    expect(await manager.open(jar.header()).getFlash('notice')).toBeUndefined();
  });

  it('cannot list or revoke sessions server-side', async () => {
    const { manager } = setup();
    // Wrapped: today the manager throws these synchronously instead of rejecting.
    await expect(async () => manager.listUserSessions('u1')).rejects.toThrow(/does not implement `listByUser`/);
    await expect(async () => manager.revokeUserSessions('u1')).rejects.toThrow(/does not implement `destroyByUser`/);
  });
});
