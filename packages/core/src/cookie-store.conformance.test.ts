/*
 * The manager-level contract of the cookie store. `describeStoreConformance` checks
 * the `SessionStore` interface (get/set/destroy by key), which a cookie store does not
 * implement: it keeps the session in the client. So its contract is checked here,
 * through `createSessionManager` and the cookie jar of `@sess/core/testing`.
 */
import { describe, expect, it } from 'vitest';
import { type CookieStoreOptions, createCookieStore } from './cookie-store';
import { SessionTooLargeError } from './errors';
import { createSessionManager, type RequestOutcome, type SessionManager, type SessionManagerOptions } from './manager';
import { richSerializer } from './rich-serializer';
import type { Session } from './session';
import { CookieJar, cookiePairOf, isCookieDeletion } from './testing/cookie-jar';
import { createTestClient } from './testing/test-client';

const secret = 'cookie-store-secret-cookie-store-secret';
const newerSecret = 'cookie-store-newer-secret-cookie-store-newer';
const OK: RequestOutcome = { status: 200 };

type Data = { user: string; blob: string; count: number };
type RichData = { when: Date; tags: Set<string> };

/** Opens and loads a session from a Cookie header. */
async function loaded<D extends object, F extends object>(manager: SessionManager<D, F>, header: string | undefined) {
  const handle = manager.open(header);
  return { handle, session: await handle.load() };
}

/** Random text that does not compress, so the seal grows with it. */
const noise = (length: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join('');
};

function setup(storeOptions: CookieStoreOptions = {}, managerOptions: Partial<SessionManagerOptions> = {}) {
  const store = createCookieStore(storeOptions);
  const manager = createSessionManager<Data>({ secret, store, ...managerOptions });
  const client = createTestClient(manager);
  /** One request: loads the session from the jar, runs the handler, commits, stores the cookies. */
  const request = <T>(handler: (session: Session<Data>) => T | Promise<T>, outcome = OK) =>
    client.request(handler, { status: outcome.status });
  return { store, manager, jar: client.jar, request };
}

describe('cookie store through the session manager', () => {
  it('keeps data in the cookie and reads it back on the next request, as the same session', async () => {
    const { jar, request } = setup();
    const first = await request((s) => {
      s.set('user', 'ann');
      return s.id;
    });
    expect(first.result.setCookie).toHaveLength(1);
    expect(first.result.setCookie[0]).toMatch(/^sid=Fe26\.2\*[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(jar.get('sid')).not.toContain('ann');
    const second = await request((s) => [s.get('user'), s.isNew, s.id] as const);
    expect(second.value).toEqual(['ann', false, first.value]);
  });

  it('sends nothing for an untouched new session and for an unmodified one not due a touch', async () => {
    const { request } = setup();
    expect((await request((s) => s.get('user'))).result).toMatchObject({ setCookie: [], vary: true });
    await request((s) => s.set('user', 'ann'));
    expect((await request((s) => s.get('user'))).result.setCookie).toEqual([]);
  });

  it('rewrites the cookie when the data changes', async () => {
    const { jar, request } = setup();
    await request((s) => s.set('count', 1));
    const before = jar.get('sid');
    await request((s) => s.set('count', (s.get('count') ?? 0) + 1));
    expect(jar.get('sid')).not.toBe(before);
    expect((await request((s) => s.get('count'))).value).toBe(2);
  });

  it('splits a large session into numbered cookies and joins them back', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    const blob = noise(1500);
    const { result } = await request((s) => s.set('blob', blob));
    expect(result.setCookie.length).toBeGreaterThanOrEqual(3);
    expect(jar.names()).toEqual(result.setCookie.map((_, i) => `sid.${i}`).sort());
    for (const { name, value } of result.setCookie.map(cookiePairOf))
      expect(`${name}=${value}`.length).toBeLessThanOrEqual(500 + 'sid.0='.length);
    expect((await request((s) => s.get('blob'))).value).toBe(blob);
  });

  it('clears the stale chunks when the session shrinks back into one cookie, and the single cookie when it grows', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    expect(jar.names().length).toBeGreaterThanOrEqual(3);
    const shrink = await request((s) => s.set('blob', 'small'));
    expect(shrink.result.setCookie.filter((line) => isCookieDeletion(line)).length).toBeGreaterThanOrEqual(3);
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
    const { handle, session } = await loaded(manager, before);
    session.set('blob', noise(2000));
    await expect(manager.commit(handle, OK)).rejects.toBeInstanceOf(SessionTooLargeError);
    await expect(manager.commit(handle, OK)).resolves.toMatchObject({ setCookie: [] });
    expect(jar.header()).toBe(before);
    expect((await request((s) => s.get('user'))).value).toBe('ann');
  });

  it('destroy clears every chunk and the next request gets a fresh session', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    const chunks = jar.names();
    const { result } = await request((s) => s.destroy());
    expect(result.setCookie.map((c) => c.split('=')[0]).sort()).toEqual(chunks);
    for (const line of result.setCookie) expect(isCookieDeletion(line) && line.includes('; Path=/;')).toBe(true);
    expect(jar.names()).toEqual([]);
    const next = await request((s) => [s.get('blob'), s.isNew] as const);
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
    const old = await request((s) => {
      s.set('blob', noise(1500));
      return s.id;
    });
    const next = await request((s) => {
      s.destroy();
      s.set('user', 'bob');
      return s.id;
    });
    expect(next.value).not.toBe(old.value);
    expect(jar.names()).toEqual(['sid']);
    expect((await request((s) => [s.get('user'), s.get('blob'), s.id] as const)).value).toEqual(['bob', undefined, next.value]);
  });

  it('regenerate issues a new id and keeps the data', async () => {
    const { request } = setup();
    const first = await request((s) => {
      s.set('user', 'ann');
      return s.id;
    });
    const regenerated = await request((s) => {
      s.regenerate();
      return s.id;
    });
    expect(regenerated.value).not.toBe(first.value);
    expect((await request((s) => [s.get('user'), s.id] as const)).value).toEqual(['ann', regenerated.value]);
  });

  it('honours the idle timeout, extends it on a due touch, and caps it at the absolute timeout', async () => {
    let now = 1_000_000;
    const { jar, request } = setup(
      {},
      { now: () => now, expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 25_000, touchAfterShare: 0.5 } },
    );
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
    const capped = await request((s) => [s.get('user'), s.isNew] as const);
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

  it('gives every chunk of a remember-me session the same Max-Age, running to the absolute deadline', async () => {
    const { request } = setup(
      { chunkSize: 500, maxCookies: 8 },
      { expiry: { rememberMe: { idleTimeoutMs: 3_600_000, absoluteTimeoutMs: 7_200_000 } } },
    );
    const { result } = await request((s) => {
      s.set('blob', noise(1500));
      s.rememberMe();
    });
    expect(result.setCookie.length).toBeGreaterThanOrEqual(3);
    for (const line of result.setCookie) expect(line).toMatch(/; Max-Age=(7199|7200);/);
  });

  it('re-seals a persistent session on a data change with a Max-Age that still runs to the absolute deadline', async () => {
    let now = 1_000_000;
    const { request } = setup({}, { now: () => now, expiry: { rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 1_000_000 } } });
    const first = await request((s) => {
      s.set('user', 'ann');
      s.rememberMe();
    });
    expect(first.result.setCookie[0]).toMatch(/; Max-Age=1000;/);
    now += 30_000;
    const changed = await request((s) => s.set('count', 1));
    expect(changed.result.setCookie).toHaveLength(1);
    expect(changed.result.setCookie[0]).toMatch(/; Max-Age=970;/);
    expect((await request((s) => [s.get('user'), s.get('count'), s.persistent] as const)).value).toEqual(['ann', 1, true]);
  });

  it('answers a tampered chunk with a fresh session and clears the chunks it was sent', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    const chunk = jar.get('sid.1')!;
    jar.set('sid.1', `${chunk.slice(0, 100)}${chunk[100] === 'A' ? 'B' : 'A'}${chunk.slice(101)}`);
    const sent = jar.names();
    const { value, result } = await request((s) => [s.get('blob'), s.isNew] as const);
    expect(value).toEqual([undefined, true]);
    expect(result.setCookie.map((c) => c.split('=')[0]).sort()).toEqual(sent);
    expect(jar.names()).toEqual([]);
  });

  it('answers a missing chunk with a fresh session', async () => {
    const { jar, request } = setup({ chunkSize: 500, maxCookies: 8 });
    await request((s) => s.set('blob', noise(1500)));
    const kept = new Map(
      jar
        .names()
        .filter((n) => n !== 'sid.1')
        .map((n) => [n, jar.get(n)!] as const),
    );
    jar.clear();
    for (const [n, v] of kept) jar.set(n, v);
    const { value } = await request((s) => [s.get('blob'), s.isNew] as const);
    expect(value).toEqual([undefined, true]);
  });

  it('does not accept the id cookie of a server-store manager of the same name', async () => {
    const serverManager = createSessionManager<Data>({ secret });
    const s1 = await loaded(serverManager, undefined);
    s1.session.set('user', 'ann');
    const [line] = (await serverManager.commit(s1.handle, OK)).setCookie;
    const { jar, request } = setup();
    jar.update([line!]);
    expect((await request((s) => [s.get('user'), s.isNew] as const)).value).toEqual([undefined, true]);
  });

  it('persists nothing and sends no cookie for a 5xx answer', async () => {
    const { jar, request } = setup();
    await request((s) => s.set('user', 'ann'));
    const before = jar.header();
    for (const status of [500, 503]) {
      const { result } = await request((s) => s.set('user', 'mallory'), { status });
      expect(result.setCookie).toEqual([]);
    }
    const destroyed = await request((s) => s.destroy(), { status: 500 });
    expect(destroyed.result.setCookie).toEqual([]);
    expect(jar.header()).toBe(before);
    expect((await request((s) => s.get('user'))).value).toBe('ann');
  });

  it('persists a 4xx answer like a 2xx', async () => {
    const { request } = setup();
    await request((s) => s.set('user', 'ann'));
    const { result } = await request((s) => s.set('user', 'bob'), { status: 422 });
    expect(result.setCookie).toHaveLength(1);
    expect((await request((s) => s.get('user'))).value).toBe('bob');
  });

  it('re-seals a cookie made with an older secret, and a removed secret opens nothing, through one shared store', async () => {
    const store = createCookieStore();
    const jar = new CookieJar();
    const old = createSessionManager<Data>({ secret: { 1: secret }, store });
    const s1 = await loaded(old, undefined);
    s1.session.set('user', 'ann');
    jar.update((await old.commit(s1.handle, OK)).setCookie);
    const oldCookie = jar.header();

    const rotated = createSessionManager<Data>({ secret: { 1: secret, 2: newerSecret }, store });
    const s2 = await loaded(rotated, oldCookie);
    expect(s2.session.get('user')).toBe('ann');
    const resealed = await rotated.commit(s2.handle, OK);
    expect(resealed.setCookie).toHaveLength(1);
    jar.update(resealed.setCookie);
    expect(jar.header()).not.toBe(oldCookie);

    const retired = createSessionManager<Data>({ secret: { 2: newerSecret }, store });
    expect((await loaded(retired, jar.header())).session.get('user')).toBe('ann');
    expect((await loaded(retired, oldCookie)).session.get('user')).toBeUndefined();
  });

  it('round-trips Date and Set with the rich serializer and notices their mutation', async () => {
    const manager = createSessionManager<RichData>({
      secret,
      store: createCookieStore({ serializer: richSerializer }),
      serializer: richSerializer,
    });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    // The types follow the registered serializer (JSON here); the values follow the configured one.
    s1.session.set('when', new Date(5) as never);
    s1.session.set('tags', new Set(['a']) as never);
    jar.update((await manager.commit(s1.handle, OK)).setCookie);
    const s2 = await loaded(manager, jar.header());
    (s2.session.get('tags') as unknown as Set<string>).add('b');
    jar.update((await manager.commit(s2.handle, OK)).setCookie);
    const s3 = await loaded(manager, jar.header());
    expect([s3.session.get('when'), s3.session.get('tags')]).toEqual([new Date(5), new Set(['a', 'b'])]);
  });

  it('reads a flash value once', async () => {
    const manager = createSessionManager<Data, { notice: string }>({ secret, store: createCookieStore() });
    const jar = new CookieJar();
    const s1 = await loaded(manager, undefined);
    s1.session.set('user', 'ann');
    s1.session.flash('notice', 'Welcome');
    jar.update((await manager.commit(s1.handle, OK)).setCookie);
    const s2 = await loaded(manager, jar.header());
    expect(s2.session.data).toEqual({ user: 'ann' });
    expect(s2.session.getFlash('notice')).toBe('Welcome');
    jar.update((await manager.commit(s2.handle, OK)).setCookie);
    expect((await loaded(manager, jar.header())).session.getFlash('notice')).toBeUndefined();
  });

  it('cannot list or revoke sessions server-side', async () => {
    const { manager } = setup();
    await expect(manager.listUserSessions('u1')).rejects.toThrow(/does not implement `listByUser`/);
    await expect(manager.revokeUserSessions('u1')).rejects.toThrow(/does not implement `destroyByUser`/);
    await expect(manager.revokeSession('key')).rejects.toThrow(/^@sess\/core: sessions in a cookie store cannot be revoked server-side/);
  });
});
