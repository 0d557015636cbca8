import { defaults as ironDefaults, seal } from 'iron-webcrypto';
import { describe, expect, it } from 'vitest';
import { type CookieStoreContext, createCookieStore, isCookieStore, sealedCookieStore } from './cookie-store';
import { type OutgoingCookie, resolveCookie, serializeCookie } from './cookies';
import { SessionTooLargeError } from './errors';
import { generateSessionId, storeKeyOf } from './ids';
import { richSerializer } from './rich-serializer';
import { resolveSecrets } from './secrets';
import { jsonSerializer } from './serializer';
import type { SessionRecord } from './store';

const secretA = 'secret-a-secret-a-secret-a-secret-a';
const secretB = 'secret-b-secret-b-secret-b-secret-b';
const HOUR_MS = 3_600_000;

const contextOf = (secret: string | Record<string, string> = secretA, cookieOptions = {}): CookieStoreContext => ({
  cookie: resolveCookie(cookieOptions, '@sess/core'),
  secrets: resolveSecrets(secret, '@sess/core'),
  now: Date.now,
});

const recordOf = (data: Record<string, unknown>, overrides: Partial<SessionRecord> = {}): SessionRecord => {
  const now = Date.now();
  return { data, createdAtMs: now, lastActiveAtMs: now, expiresAtMs: now + HOUR_MS, persistent: false, ...overrides };
};

/** The Cookie header a browser would send back after these Set-Cookies. */
const headerOf = (cookies: OutgoingCookie[]) =>
  cookies
    .filter((c) => c.options.maxAge !== 0)
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');

/** Random text that does not compress: sealed size grows with it. */
const noise = (length: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
};

describe('createCookieStore', () => {
  it('refuses out-of-range chunk sizes, cookie counts and serializers, naming the option', () => {
    for (const chunkSize of [199, 4001, 1000.5, Number.NaN]) {
      expect(() => createCookieStore({ chunkSize })).toThrow(/^@sess\/core: option `chunkSize` must be an integer from 200 to 4000/);
    }
    for (const maxCookies of [0, 21, 1.5]) {
      expect(() => createCookieStore({ maxCookies })).toThrow(/^@sess\/core: option `maxCookies`/);
    }
    expect(() => createCookieStore({ serializer: {} as typeof richSerializer })).toThrow(/option `serializer`/);
    expect(() => createCookieStore({ chunkSize: 200, maxCookies: 20 })).not.toThrow();
  });

  it('declares the serializer it seals records with, JSON unless given one', () => {
    expect(createCookieStore().serializer).toBe(jsonSerializer);
    expect(createCookieStore({ serializer: richSerializer }).serializer).toBe(richSerializer);
  });

  it('is recognised by shape as a cookie store', () => {
    expect(isCookieStore(createCookieStore())).toBe(true);
    expect(isCookieStore({ get() {}, set() {}, destroy() {} })).toBe(false);
    expect(isCookieStore(null)).toBe(false);
  });
});

describe('cookie store read and write', () => {
  it('reads back the id and the whole record it wrote', async () => {
    const store = sealedCookieStore();
    const ctx = contextOf();
    const id = generateSessionId();
    const record = recordOf({ user: 'ann', cart: { items: ['apple'] } }, { userId: 'u1', persistent: true });
    const cookies = await store.write(undefined, { id, record, maxAgeSeconds: 3600 }, ctx);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'sid', options: { maxAge: 3600, httpOnly: true, sameSite: 'lax', path: '/' } });
    expect(cookies[0]!.value).not.toContain('ann');
    const read = await store.read(headerOf(cookies), ctx);
    expect(read).toEqual({ hadCookie: true, session: { id, key: await storeKeyOf(id), record, stale: false } });
  });

  it('says whether one of its cookies came in at all', async () => {
    const store = sealedCookieStore();
    const ctx = contextOf();
    for (const header of [undefined, null, '', 'other=1', 'xsid=1; sidx=2', 'sid.x=1', 'sid.100=1']) {
      expect(await store.read(header, ctx), String(header)).toEqual({ hadCookie: false });
    }
    for (const header of ['sid=junk', 'sid.0=junk', 'sid.1=junk', 'a=1; sid=; b=2']) {
      expect(await store.read(header, ctx), header).toEqual({ hadCookie: true });
    }
  });

  it('gives every read its own record object, so requests never share state', async () => {
    const store = sealedCookieStore();
    const ctx = contextOf();
    const header = headerOf(
      await store.write(undefined, { id: generateSessionId(), record: recordOf({ list: [1] }), maxAgeSeconds: undefined }, ctx),
    );
    const first = await store.read(header, ctx);
    (first.session!.record.data.list as number[]).push(2);
    const second = await store.read(header, ctx);
    expect(second.session!.record.data.list).toEqual([1]);
  });

  it('splits a large seal over numbered cookies no longer than chunkSize, and joins them back', async () => {
    const store = sealedCookieStore({ chunkSize: 500, maxCookies: 5 });
    const ctx = contextOf(secretA, { path: '/app', domain: 'example.com' });
    const record = recordOf({ blob: noise(1200) });
    const cookies = await store.write(undefined, { id: generateSessionId(), record, maxAgeSeconds: 60 }, ctx);
    expect(cookies.length).toBeGreaterThanOrEqual(3);
    expect(cookies.map((c) => c.name)).toEqual(cookies.map((_, i) => `sid.${i}`));
    for (const c of cookies) {
      expect(c.value.length).toBeLessThanOrEqual(500);
      expect(serializeCookie(c)).toMatch(/; Max-Age=60; Domain=example.com; Path=\/app; HttpOnly; SameSite=Lax$/);
    }
    expect((await store.read(headerOf(cookies), ctx)).session?.record).toEqual(record);
    // Cookie order in the header does not matter.
    expect((await store.read(headerOf([...cookies].reverse()), ctx)).session?.record).toEqual(record);
  });

  it('clears chunks the new value no longer needs, and the single cookie when it grows into chunks', async () => {
    const store = sealedCookieStore({ chunkSize: 500, maxCookies: 5 });
    const ctx = contextOf();
    const id = generateSessionId();
    const big = await store.write(undefined, { id, record: recordOf({ blob: noise(1200) }), maxAgeSeconds: undefined }, ctx);
    const small = await store.write(headerOf(big), { id, record: recordOf({ blob: 'x' }), maxAgeSeconds: undefined }, ctx);
    expect(big.length).toBeGreaterThanOrEqual(3);
    expect(small.map((c) => [c.name, c.options.maxAge])).toEqual([['sid', undefined], ...big.map((c) => [c.name, 0])]);
    const grown = await store.write(headerOf(small), { id, record: recordOf({ blob: noise(700) }), maxAgeSeconds: undefined }, ctx);
    const chunks = grown.filter((c) => c.options.maxAge === undefined);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(grown.map((c) => [c.name, c.options.maxAge])).toEqual([...chunks.map((_, i) => [`sid.${i}`, undefined]), ['sid', 0]]);
    expect((await store.read(headerOf(grown), ctx)).session?.record.data.blob).toHaveLength(700);
  });

  it('refuses to write past maxCookies with a SessionTooLargeError that gives sizes and a way out', async () => {
    const store = sealedCookieStore({ chunkSize: 500, maxCookies: 2 });
    const write = store.write(
      undefined,
      { id: generateSessionId(), record: recordOf({ blob: noise(1500) }), maxAgeSeconds: undefined },
      contextOf(),
    );
    await expect(write).rejects.toBeInstanceOf(SessionTooLargeError);
    await expect(write).rejects.toMatchObject({ name: 'SessionTooLargeError', limitBytes: 1000 });
    await expect(write).rejects.toThrow(/^@sess\/core: the session is \d+ bytes, over the limit of 1000 bytes\. .*server-side store/);
  });

  it('does not open a set of chunks with a gap or a missing piece', async () => {
    const store = sealedCookieStore({ chunkSize: 500, maxCookies: 5 });
    const ctx = contextOf();
    const cookies = await store.write(
      undefined,
      { id: generateSessionId(), record: recordOf({ blob: noise(1200) }), maxAgeSeconds: undefined },
      ctx,
    );
    const withoutMiddle = cookies.filter((c) => c.name !== 'sid.1');
    const withoutLast = cookies.slice(0, -1);
    expect(await store.read(headerOf(withoutMiddle), ctx)).toEqual({ hadCookie: true });
    expect(await store.read(headerOf(withoutLast), ctx)).toEqual({ hadCookie: true });
  });

  it('clears every cookie of ours that came in, or the base name when none did', () => {
    const store = sealedCookieStore();
    const ctx = contextOf();
    const clear = (header: string | undefined) => store.clear(header, ctx).map((c) => [c.name, c.value, c.options.maxAge]);
    expect(clear('sid.0=a; other=1; sid.1=b; sid.2=c')).toEqual([
      ['sid.0', '', 0],
      ['sid.1', '', 0],
      ['sid.2', '', 0],
    ]);
    expect(clear('sid=a')).toEqual([['sid', '', 0]]);
    expect(clear(undefined)).toEqual([['sid', '', 0]]);
  });

  it('opens a seal made with an older secret and flags it stale; a removed secret no longer opens', async () => {
    const id = generateSessionId();
    const record = recordOf({ user: 'ann' });
    const header = headerOf(
      await sealedCookieStore().write(undefined, { id, record, maxAgeSeconds: undefined }, contextOf({ 1: secretA })),
    );
    const rotated = await sealedCookieStore().read(header, contextOf({ 1: secretA, 2: secretB }));
    expect(rotated.session).toMatchObject({ id, record, stale: true });
    expect(await sealedCookieStore().read(header, contextOf({ 2: secretB }))).toEqual({ hadCookie: true });
  });

  it('opens nothing sealed for another manager, even through a store instance both share', async () => {
    const store = sealedCookieStore();
    const header = headerOf(
      await store.write(
        undefined,
        { id: generateSessionId(), record: recordOf({ user: 'ann' }), maxAgeSeconds: undefined },
        contextOf(secretA),
      ),
    );
    expect((await store.read(header, contextOf(secretA))).session).toBeDefined();
    expect(await store.read(header, contextOf(secretB))).toEqual({ hadCookie: true });
    expect(await store.read(header, contextOf({ 2: secretB }))).toEqual({ hadCookie: true });
  });

  it('opens nothing sealed under another cookie name, even through a store instance both share (sid is not __Host-sid)', async () => {
    const store = sealedCookieStore();
    const asSid = contextOf(secretA);
    const asHost = contextOf(secretA, { name: '__Host-sid', secure: true });
    const sealed = (
      await store.write(undefined, { id: generateSessionId(), record: recordOf({ user: 'ann' }), maxAgeSeconds: undefined }, asSid)
    )[0]!.value;
    expect((await store.read(`sid=${sealed}`, asSid)).session).toBeDefined();
    expect(await store.read(`__Host-sid=${sealed}`, asHost)).toEqual({ hadCookie: true });
    expect(await sealedCookieStore().read(`__Host-sid=${sealed}`, asHost)).toEqual({ hadCookie: true });
  });

  it('refuses a genuine seal whose payload is not a session', async () => {
    const store = sealedCookieStore();
    const ctx = contextOf();
    const good = { id: generateSessionId(), record: recordOf({ a: 1 }) };
    const payloads: unknown[] = [
      'text',
      { ...good, id: 'short' },
      { id: good.id },
      { ...good, record: { ...good.record, data: null } },
      { ...good, record: { ...good.record, persistent: 'yes' } },
      { ...good, record: { ...good.record, expiresAtMs: '1' } },
    ];
    for (const payload of payloads) {
      const sealed = await seal(payload, { id: '1', secret: `${secretA}\u0000cookie=sid` }, { ...ironDefaults, ttl: HOUR_MS });
      expect(await store.read(`sid=${sealed}`, ctx), JSON.stringify(payload)).toEqual({ hadCookie: true });
    }
  });

  it('lets the seal itself expire shortly after the record does', async () => {
    const store = sealedCookieStore();
    const now = Date.now();
    const record = recordOf({ a: 1 }, { expiresAtMs: now + 5_000 });
    const [cookie] = await store.write(undefined, { id: generateSessionId(), record, maxAgeSeconds: undefined }, contextOf());
    const expiration = Number(cookie!.value.split('*')[5]);
    expect(expiration).toBeGreaterThanOrEqual(now + 5_000);
    expect(expiration).toBeLessThan(now + 6_000);
  });

  it('round-trips Date, Map, Set and BigInt with the rich serializer', async () => {
    const store = sealedCookieStore({ serializer: richSerializer });
    const ctx = contextOf();
    const record = recordOf({ when: new Date(5), tags: new Set(['a']), byId: new Map([[1, 2n]]) });
    const header = headerOf(await store.write(undefined, { id: generateSessionId(), record, maxAgeSeconds: undefined }, ctx));
    expect((await store.read(header, ctx)).session?.record).toEqual(record);
  });
});
