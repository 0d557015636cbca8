import { describe, expect, it } from 'vitest';
import { createCookieStore } from './cookie-store';
import { applyCommitHeaders, createSessionManager, privateCacheControl } from './manager';
import { createMemoryStore } from './memory-store';
import { richSerializer } from './serializer';
import type { SessionPatch, SessionStore } from './store';

const secret = 'a-secret-that-is-at-least-32-characters-long';

/** A browser-like jar: sends back what the last response set. */
function cookieJar() {
  const jar = new Map<string, string>();
  return {
    header: () => [...jar].map(([n, v]) => `${n}=${v}`).join('; ') || undefined,
    take(setCookie: string[]) {
      for (const line of setCookie) {
        const [pair, ...attrs] = line.split('; ');
        const [name, value] = pair!.split('=') as [string, string];
        if (attrs.some((a) => /^Max-Age=0$/i.test(a))) jar.delete(name);
        else jar.set(name, value);
      }
    },
    set: (name: string, value: string) => jar.set(name, value),
    get: (name: string) => jar.get(name),
  };
}

/** A store that counts calls, over the memory store. */
function countingStore(inner: SessionStore = createMemoryStore()) {
  const calls: string[] = [];
  const record = <T>(name: string, result: Promise<T>) => {
    calls.push(name);
    return result;
  };
  const store: SessionStore = {
    get: (k) => record('get', inner.get(k)),
    set: (k, r) => record('set', inner.set(k, r)),
    destroy: (k) => record('destroy', inner.destroy(k)),
    touch: (k, m) => record('touch', inner.touch!(k, m)),
    update: (k, p: SessionPatch) => record(`update:${Object.keys(p.set).join(',')}|${p.removed.join(',')}`, inner.update!(k, p)),
  };
  return { store, calls };
}

type Data = { user: string; count: number; cart: { items: string[] }; when: Date; tags: Set<string> };

describe('createSessionManager', () => {
  it('refuses a secret shorter than 32 characters with a TypeError naming the package and option', () => {
    expect(() => createSessionManager({ secret: 'short' })).toThrow(/@sess\/core: option `secret` must be at least 32/);
    expect(() => createSessionManager({ secret: { 1: secret, 2: 'short' } })).toThrow(/`secret.2`/);
  });

  it('refuses a __Host- cookie that is not Secure, and an invalid store', () => {
    expect(() => createSessionManager({ secret, cookie: { name: '__Host-sid' } })).toThrow(TypeError);
    expect(() => createSessionManager({ secret, cookie: { name: '__Host-sid', secure: true } })).not.toThrow();
    expect(() => createSessionManager({ secret, store: {} as SessionStore })).toThrow(/option `store`/);
  });

  it('never calls the store for a request that does not use the session', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager({ secret, store });
    const session = manager.open('sid=whatever');
    const result = await manager.commit(session, { status: 200 });
    expect(calls).toEqual([]);
    expect(result).toMatchObject({ setCookie: [], vary: false, private: false });
  });

  it('neither stores nor sends an untouched new session, but marks the response Vary', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager({ secret, store });
    const session = manager.open(undefined);
    expect(await session.get('user')).toBeUndefined();
    const result = await manager.commit(session, { status: 200 });
    expect(calls).toEqual([]);
    expect(result.setCookie).toEqual([]);
    expect(result.vary).toBe(true);
  });

  it('stores a new session with data and sends an HttpOnly SameSite=Lax cookie', async () => {
    const manager = createSessionManager<Data>({ secret });
    const session = manager.open(undefined);
    await session.set('user', 'ann');
    const result = await manager.commit(session, { status: 200 });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]).toMatch(/^sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(result.private).toBe(true);
    const next = manager.open(result.setCookie[0]!.split(';')[0]);
    expect(await next.get('user')).toBe('ann');
    expect(next.isNew).toBe(false);
  });

  it('shares one store load between concurrent first uses', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = cookieJar();
    const first = manager.open(undefined);
    await first.set('count', 1);
    jar.take((await manager.commit(first, { status: 200 })).setCookie);
    calls.length = 0;
    const session = manager.open(jar.header());
    await Promise.all([session.get('count'), session.has('user'), session.get('user')]);
    expect(calls).toEqual(['get']);
  });

  it('does not rewrite an unmodified session and sends no cookie', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    calls.length = 0;
    const s2 = manager.open(jar.header());
    expect(await s2.get('user')).toBe('ann');
    const result = await manager.commit(s2, { status: 200 });
    expect(calls).toEqual(['get']);
    expect(result.setCookie).toEqual([]);
  });

  it('notices deep mutation and writes only the changed top-level keys', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('cart', { items: [] });
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    calls.length = 0;
    const s2 = manager.open(jar.header());
    const data = await s2.data();
    data.cart!.items.push('apple');
    delete data.user;
    await manager.commit(s2, { status: 200 });
    expect(calls).toEqual(['get', 'update:cart|user']);
    const s3 = manager.open(jar.header());
    expect(await s3.get('cart')).toEqual({ items: ['apple'] });
    expect(await s3.has('user')).toBe(false);
  });

  it('deletes a session emptied by the handler and clears its cookie', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    calls.length = 0;
    const s2 = manager.open(jar.header());
    await s2.unset('user');
    const result = await manager.commit(s2, { status: 200 });
    expect(calls).toEqual(['get', 'destroy']);
    expect(result.setCookie[0]).toMatch(/^sid=; Max-Age=0/);
  });

  it('persists nothing when the handler threw or answered 5xx', async () => {
    const { store, calls } = countingStore();
    const manager = createSessionManager<Data>({ secret, store });
    for (const outcome of [{ status: 500 }, { status: 200, threw: true }]) {
      const s = manager.open(undefined);
      await s.set('user', 'ann');
      const result = await manager.commit(s, outcome);
      expect(result.setCookie).toEqual([]);
    }
    expect(calls).toEqual([]);
    const saving = createSessionManager<Data>({ secret, store, saveOnError: true });
    const s = saving.open(undefined);
    await s.set('user', 'ann');
    expect((await saving.commit(s, { status: 503 })).setCookie).toHaveLength(1);
  });

  it('gives a fresh session with a new id for a tampered, malformed or unknown cookie', async () => {
    const manager = createSessionManager<Data>({ secret });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    const good = jar.get('sid')!;
    const forged = `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
    for (const value of [forged, 'garbage', '', `${'a'.repeat(43)}.1.${'0'.repeat(64)}.${'b'.repeat(43)}`]) {
      const s = manager.open(`sid=${value}`);
      expect(await s.get('user')).toBeUndefined();
      expect(s.isNew).toBe(true);
      expect(good.startsWith(s.id)).toBe(false);
      const result = await manager.commit(s, { status: 200 });
      expect(result.setCookie.join()).toMatch(/^sid=; Max-Age=0|^$/);
    }
    const other = createSessionManager<Data>({ secret });
    const unknown = other.open(`sid=${good}`);
    expect(await unknown.get('user')).toBeUndefined();
    expect(good.startsWith(unknown.id)).toBe(false);
  });

  it('regenerates: new id, same data, old id dead', async () => {
    const manager = createSessionManager<Data>({ secret });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    const oldCookie = jar.header();
    const s2 = manager.open(oldCookie);
    await s2.load();
    const oldId = s2.id;
    await s2.regenerate();
    expect(s2.id).not.toBe(oldId);
    jar.take((await manager.commit(s2, { status: 200 })).setCookie);
    expect(await manager.open(jar.header()).get('user')).toBe('ann');
    expect(await manager.open(oldCookie).get('user')).toBeUndefined();
  });

  it('destroy then set starts a new session under a new id', async () => {
    const manager = createSessionManager<Data>({ secret });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    const oldCookie = jar.header();
    const s2 = manager.open(oldCookie);
    await s2.destroy();
    await s2.set('count', 1);
    jar.take((await manager.commit(s2, { status: 200 })).setCookie);
    expect(jar.header()).not.toBe(oldCookie);
    const s3 = manager.open(jar.header());
    expect(await s3.data()).toEqual({ count: 1 });
    expect(await manager.open(oldCookie).has('user')).toBe(false);
  });

  it('reads flash values once', async () => {
    const manager = createSessionManager<Data, { notice: string }>({ secret });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    await s1.flash('notice', 'Welcome');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    const s2 = manager.open(jar.header());
    expect(await s2.getFlash('notice')).toBe('Welcome');
    await manager.commit(s2, { status: 200 });
    expect(await manager.open(jar.header()).getFlash('notice')).toBeUndefined();
  });

  it('touches only when the throttle allows, and never returns an expired session', async () => {
    let now = 1_000_000;
    const { store, calls } = countingStore(createMemoryStore({ now: () => now }));
    const manager = createSessionManager<Data>({
      secret,
      store,
      now: () => now,
      expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000, touchAfterShare: 0.5 },
    });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    calls.length = 0;
    now += 4_000;
    const s2 = manager.open(jar.header());
    await s2.get('user');
    await manager.commit(s2, { status: 200 });
    expect(calls).toEqual(['get']);
    now += 2_000;
    const s3 = manager.open(jar.header());
    await s3.get('user');
    await manager.commit(s3, { status: 200 });
    expect(calls).toEqual(['get', 'get', 'touch']);
    now += 9_000; // 9 s after the touch: still inside the 10 s idle window
    expect(await manager.open(jar.header()).get('user')).toBe('ann');
    now += 10_001;
    expect(await manager.open(jar.header()).get('user')).toBeUndefined();
  });

  it('caps a busy session at the absolute timeout', async () => {
    let now = 0;
    const manager = createSessionManager<Data>({ secret, now: () => now, store: createMemoryStore({ now: () => now }), expiry: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 25_000, touchAfterShare: 0 } });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    for (let i = 0; i < 3; i++) {
      now += 8_000;
      const s = manager.open(jar.header());
      expect(await s.get('user')).toBe('ann');
      await manager.commit(s, { status: 200 });
    }
    now += 1_001; // 25.001 s after creation
    expect(await manager.open(jar.header()).get('user')).toBeUndefined();
  });

  it('sends a persistent cookie with Max-Age for remember-me', async () => {
    const manager = createSessionManager<Data>({ secret, expiry: { rememberMe: { idleTimeoutMs: 3_600_000, absoluteTimeoutMs: 7_200_000 } } });
    const s = manager.open(undefined);
    await s.set('user', 'ann');
    await s.rememberMe();
    const result = await manager.commit(s, { status: 200 });
    expect(result.setCookie[0]).toMatch(/Max-Age=3599|Max-Age=3600/);
  });

  it('re-seals a cookie opened with an older secret with the newest one', async () => {
    const old = createSessionManager<Data>({ secret: { 1: secret } });
    const store = old.store as SessionStore;
    const s1 = old.open(undefined);
    await s1.set('user', 'ann');
    const cookie = (await old.commit(s1, { status: 200 })).setCookie[0]!.split(';')[0]!;
    const rotated = createSessionManager<Data>({ secret: { 1: secret, 2: `${secret}-newer` }, store });
    const s2 = rotated.open(cookie);
    expect(await s2.get('user')).toBe('ann');
    const result = await rotated.commit(s2, { status: 200 });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]!.split(';')[0]).not.toBe(cookie);
    const dropped = createSessionManager<Data>({ secret: { 2: `${secret}-newer` }, store });
    expect(await dropped.open(result.setCookie[0]!.split(';')[0]).get('user')).toBe('ann');
    expect(await dropped.open(cookie).get('user')).toBeUndefined();
  });

  it('round-trips Date, Map, Set and BigInt with the rich serializer and notices Set mutation', async () => {
    const manager = createSessionManager<Data>({ secret, serializer: richSerializer, store: createMemoryStore({ serializer: richSerializer }) });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('when', new Date(5));
    await s1.set('tags', new Set(['a']));
    jar.take((await manager.commit(s1, { status: 200 })).setCookie);
    const s2 = manager.open(jar.header());
    (await s2.get('tags'))!.add('b');
    await manager.commit(s2, { status: 200 });
    const s3 = manager.open(jar.header());
    expect(await s3.get('when')).toEqual(new Date(5));
    expect(await s3.get('tags')).toEqual(new Set(['a', 'b']));
  });

  it('fails a store call that does not answer in time with a SessionStoreError', async () => {
    const hanging: SessionStore = { get: () => new Promise(() => {}), set: async () => {}, destroy: async () => {} };
    const manager = createSessionManager<Data>({ secret, store: hanging, storeTimeoutMs: 50 });
    const jar = cookieJar();
    const writer = createSessionManager<Data>({ secret });
    const s1 = writer.open(undefined);
    await s1.set('user', 'ann');
    jar.take((await writer.commit(s1, { status: 200 })).setCookie);
    const started = Date.now();
    await expect(manager.open(jar.header()).get('user')).rejects.toMatchObject({ name: 'SessionStoreError', timedOut: true, status: 503 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps the whole session in sealed cookies with the cookie store, split when large', async () => {
    const manager = createSessionManager<Data>({ secret, store: createCookieStore({ chunkSize: 500, maxCookies: 4 }) });
    const jar = cookieJar();
    const s1 = manager.open(undefined);
    await s1.set('user', 'x'.repeat(700));
    const r1 = await manager.commit(s1, { status: 200 });
    expect(r1.setCookie.map((c) => c.split('=')[0])).toEqual(['sid.0', 'sid.1', 'sid.2']);
    jar.take(r1.setCookie);
    const s2 = manager.open(jar.header());
    expect(await s2.get('user')).toBe('x'.repeat(700));
    await s2.set('user', 'ann');
    const r2 = await manager.commit(s2, { status: 200 });
    expect(r2.setCookie.map((c) => c.split('=')[0])).toEqual(['sid', 'sid.0', 'sid.1', 'sid.2']);
    jar.take(r2.setCookie);
    expect(await manager.open(jar.header()).get('user')).toBe('ann');
    const s3 = manager.open(jar.header());
    await s3.set('user', 'y'.repeat(3000));
    await expect(manager.commit(s3, { status: 200 })).rejects.toThrow(/SessionTooLarge|over the limit/);
  });
});

describe('applyCommitHeaders', () => {
  it('merges Cookie into Vary and makes a cookie-setting response private', () => {
    const headers = new Headers({ Vary: 'Accept-Encoding', 'Cache-Control': 'public, max-age=60, s-maxage=600' });
    applyCommitHeaders({ setCookie: ['a=1', 'b=2'], cookies: [], vary: true, private: true }, headers);
    expect(headers.get('Vary')).toBe('Accept-Encoding, Cookie');
    expect(headers.get('Cache-Control')).toBe('private, max-age=60');
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(privateCacheControl('no-store')).toBe('no-store');
    expect(privateCacheControl(undefined)).toBe('private');
  });
});
