import { seal, defaults as ironDefaults } from 'iron-webcrypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CookieOptions,
  clearingCookie,
  IdCookieCodec,
  type IdCookieProtection,
  outgoingCookie,
  parseCookies,
  readCookie,
  resolveCookie,
  serializeCookie,
} from './cookies';
import { generateSessionId, storeKeyOf } from './ids';
import type { SecretRing } from './secrets';

const PACKAGE = '@sess/test';
const secretA = 'secret-a-secret-a-secret-a-secret-a';
const secretB = 'secret-b-secret-b-secret-b-secret-b';

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process!.env!;
let savedNodeEnv: string | undefined;
beforeEach(() => {
  savedNodeEnv = env.NODE_ENV;
  env.NODE_ENV = 'test';
});
afterEach(() => {
  if (savedNodeEnv === undefined) delete env.NODE_ENV;
  else env.NODE_ENV = savedNodeEnv;
});

/** The Set-Cookie header a resolved configuration sends for `value`. */
const setCookieOf = (options: CookieOptions | undefined, value = 'v', maxAgeSeconds?: number) =>
  serializeCookie(outgoingCookie(resolveCookie(options, PACKAGE), value, maxAgeSeconds));

describe('resolveCookie', () => {
  it('defaults to sid, HttpOnly, SameSite=Lax, Path=/ and no Secure outside production', () => {
    expect(resolveCookie(undefined, PACKAGE)).toEqual({
      name: 'sid',
      attributes: { path: '/', sameSite: 'lax', httpOnly: true, secure: false },
    });
    expect(setCookieOf(undefined)).toBe('sid=v; Path=/; HttpOnly; SameSite=Lax');
  });

  it('adds Secure by default when NODE_ENV is production, read when the cookie is resolved', () => {
    env.NODE_ENV = 'production';
    expect(setCookieOf(undefined)).toBe('sid=v; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(setCookieOf({ secure: false })).toBe('sid=v; Path=/; HttpOnly; SameSite=Lax');
    env.NODE_ENV = 'development';
    expect(setCookieOf(undefined)).not.toMatch(/Secure/);
    delete env.NODE_ENV;
    expect(setCookieOf(undefined)).not.toMatch(/Secure/);
  });

  it('serializes every attribute it is given', () => {
    expect(
      setCookieOf(
        {
          name: 'app.sid',
          secure: true,
          httpOnly: false,
          sameSite: 'none',
          path: '/app',
          domain: 'example.com',
          partitioned: true,
          priority: 'high',
        },
        'v',
        60,
      ),
    ).toBe('app.sid=v; Max-Age=60; Domain=example.com; Path=/app; Secure; Partitioned; Priority=High; SameSite=None');
    expect(setCookieOf({ sameSite: 'strict', priority: 'low' })).toBe('sid=v; Path=/; HttpOnly; Priority=Low; SameSite=Strict');
  });

  it('requires a __Host- cookie to be Secure, on Path=/ and without Domain', () => {
    const host = { name: '__Host-sid', secure: true } as const;
    expect(setCookieOf(host)).toBe('__Host-sid=v; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(() => resolveCookie({ name: '__Host-sid' }, PACKAGE)).toThrow(/^@sess\/test: option `cookie\.name`/);
    expect(() => resolveCookie({ ...host, path: '/app' }, PACKAGE)).toThrow(/option `cookie\.name`.*__Host-/);
    expect(() => resolveCookie({ ...host, domain: 'example.com' }, PACKAGE)).toThrow(/option `cookie\.name`.*__Host-/);
    env.NODE_ENV = 'production';
    expect(() => resolveCookie({ name: '__Host-sid' }, PACKAGE)).not.toThrow();
  });

  it('requires a __Secure- cookie to be Secure', () => {
    expect(() => resolveCookie({ name: '__Secure-sid' }, PACKAGE)).toThrow(/^@sess\/test: option `cookie\.secure`/);
    expect(setCookieOf({ name: '__Secure-sid', secure: true, domain: 'example.com' })).toMatch(/Secure/);
  });

  it('checks the __Host- and __Secure- prefixes case-insensitively, as browsers do', () => {
    expect(() => resolveCookie({ name: '__host-sid' }, PACKAGE)).toThrow(/option `cookie\.name`/);
    expect(() => resolveCookie({ name: '__HOST-sid', secure: true, path: '/x' }, PACKAGE)).toThrow(/option `cookie\.name`/);
    expect(() => resolveCookie({ name: '__SECURE-sid' }, PACKAGE)).toThrow(/option `cookie\.secure`/);
  });

  it('requires Secure with SameSite=None and with Partitioned, since browsers drop such cookies otherwise', () => {
    expect(() => resolveCookie({ sameSite: 'none' }, PACKAGE)).toThrow(/^@sess\/test: option `cookie\.secure` must be true/);
    expect(() => resolveCookie({ partitioned: true }, PACKAGE)).toThrow(/option `cookie\.secure`/);
    expect(() => resolveCookie({ sameSite: 'none', secure: true, partitioned: true }, PACKAGE)).not.toThrow();
  });

  it('refuses invalid names, SameSite values, paths and priorities with TypeErrors naming the option', () => {
    const refusals: [CookieOptions, RegExp][] = [
      [{ name: '' }, /`cookie\.name`/],
      [{ name: 'a b' }, /`cookie\.name`/],
      [{ name: 'a;b' }, /`cookie\.name`/],
      [{ name: 'a=b' }, /`cookie\.name`/],
      [{ name: 'sïd' }, /`cookie\.name`/],
      [{ sameSite: 'Lax' as 'lax' }, /`cookie\.sameSite`/],
      [{ sameSite: true as unknown as 'lax' }, /`cookie\.sameSite`/],
      [{ path: 'app' }, /`cookie\.path`/],
      [{ path: '' }, /`cookie\.path`/],
      [{ priority: 'urgent' as 'high' }, /`cookie\.priority`/],
      [{ secure: 'false' as unknown as boolean }, /`cookie\.secure` must be a boolean \(got "false"\)/],
      [{ httpOnly: 0 as unknown as boolean }, /`cookie\.httpOnly` must be a boolean/],
      [{ partitioned: 'yes' as unknown as boolean }, /`cookie\.partitioned` must be a boolean/],
      [{ domain: '' }, /`cookie\.domain` must be a non-empty string/],
    ];
    for (const [options, message] of refusals) {
      expect(() => resolveCookie(options, PACKAGE), JSON.stringify(options)).toThrow(TypeError);
      expect(() => resolveCookie(options, PACKAGE), JSON.stringify(options)).toThrow(message);
    }
  });
});

describe('cookie helpers', () => {
  it('reads one cookie by exact name, first occurrence winning', () => {
    expect(readCookie('a=1; sid=abc; b=2', 'sid')).toBe('abc');
    expect(readCookie('xsid=1; sidx=2', 'sid')).toBeUndefined();
    expect(readCookie('sid=first; sid=second', 'sid')).toBe('first');
    expect(readCookie(undefined, 'sid')).toBeUndefined();
    expect(readCookie(null, 'sid')).toBeUndefined();
    expect(readCookie('', 'sid')).toBeUndefined();
    expect(parseCookies('a=1; b=%20x')).toEqual({ a: '1', b: ' x' });
  });

  it('makes a clearing cookie with the same attributes, Max-Age=0 and an expiry in the past', () => {
    const cookie = resolveCookie({ path: '/app', domain: 'example.com', secure: true }, PACKAGE);
    expect(serializeCookie(clearingCookie(cookie))).toBe(
      'sid=; Max-Age=0; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    );
    expect(clearingCookie(cookie, 'sid.1').name).toBe('sid.1');
  });

  it('makes a browser-session cookie without Max-Age and a persistent one with it', () => {
    expect(setCookieOf(undefined, 'v')).not.toMatch(/Max-Age/);
    expect(setCookieOf(undefined, 'v', 3600)).toMatch(/; Max-Age=3600;/);
  });
});

const ring = (byId: Record<string, string>): SecretRing => ({
  currentId: String(Math.max(...Object.keys(byId).map(Number))),
  byId,
});

describe.each<IdCookieProtection>(['sign', 'seal'])('IdCookieCodec (%s)', (protection) => {
  it('round-trips an id and its store key', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const id = generateSessionId();
    const value = await codec.encode(id);
    expect(value).not.toBe(id);
    expect(readCookie(serializeCookie({ name: 'sid', value, options: {} }), 'sid')).toBe(value);
    expect(await codec.decode(value)).toEqual({ id, key: await storeKeyOf(id), stale: false });
  });

  it('decodes a value produced by another codec with the same secret (no shared state needed)', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(id);
    const other = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    expect((await other.decode(value))?.id).toBe(id);
  });

  it('refuses a value produced with another secret or for another cookie name (sid is not __Host-sid)', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(id);
    expect(await new IdCookieCodec(ring({ 1: secretB }), protection, 'sid').decode(value)).toBeUndefined();
    for (const name of ['__Host-sid', 'other', 'si', 'sid2']) {
      expect(await new IdCookieCodec(ring({ 1: secretA }), protection, name).decode(value), name).toBeUndefined();
    }
  });

  it('refuses every single-character change of a valid value', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const value = await codec.encode(generateSessionId());
    const verifier = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    // Every position, so a change in the id, the secret id, the salt or the MAC is caught.
    for (let i = 0; i < value.length; i += protection === 'seal' ? 7 : 1) {
      const replacement = value[i] === 'A' ? 'B' : 'A';
      const tampered = `${value.slice(0, i)}${replacement}${value.slice(i + 1)}`;
      expect(await verifier.decode(tampered), `position ${i}`).toBeUndefined();
    }
  });

  it('refuses every other last character, even one that only changes the unused bits of the final base64 digit', async () => {
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(generateSessionId());
    const verifier = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const char of alphabet) {
      if (char === value.at(-1)) continue;
      expect(await verifier.decode(`${value.slice(0, -1)}${char}`), char).toBeUndefined();
    }
  });

  it('never throws on garbage and answers undefined', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    for (const junk of ['', '.', '*', 'Fe26.2*', 'Fe26.2**********', `Fe26.2*1*${'x'.repeat(2000)}`, 'x'.repeat(20_000), '%00', '\u0000']) {
      expect(await codec.decode(junk)).toBeUndefined();
    }
  });

  it('opens a value sealed with an older secret and flags it stale; a removed secret no longer opens', async () => {
    const id = generateSessionId();
    const oldValue = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(id);
    const rotated = new IdCookieCodec(ring({ 1: secretA, 2: secretB }), protection, 'sid');
    expect(await rotated.decode(oldValue)).toEqual({ id, key: await storeKeyOf(id), stale: true });
    const resealed = await rotated.encode(id);
    expect(resealed).not.toBe(oldValue);
    expect(await rotated.decode(resealed)).toMatchObject({ id, stale: false });
    const retired = new IdCookieCodec(ring({ 2: secretB }), protection, 'sid');
    expect(await retired.decode(oldValue)).toBeUndefined();
    expect(await retired.decode(resealed)).toMatchObject({ id, stale: false });
  });

  it('encodes one id to one value, so the verified cache stays valid', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const id = generateSessionId();
    expect(await codec.encode(id)).toBe(await codec.encode(id));
  });

  it('decodes a value it produced or verified once without doing the crypto again', async () => {
    // The ring is ours: swapping its secret after the first use makes any real
    // verification fail, so a correct answer afterwards can only come from the cache.
    const byId: Record<string, string> = { 1: secretA };
    const codec = new IdCookieCodec({ currentId: '1', byId }, protection, 'sid');
    const produced = generateSessionId();
    const producedValue = await codec.encode(produced);
    const verified = generateSessionId();
    const verifiedValue = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(verified);
    expect((await codec.decode(verifiedValue))?.id).toBe(verified);
    const neverSeen = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(generateSessionId());

    byId[1] = secretB;
    expect((await codec.decode(producedValue))?.id).toBe(produced);
    expect((await codec.decode(verifiedValue))?.id).toBe(verified);
    expect(await codec.decode(neverSeen)).toBeUndefined();
  });

  it('remembers a failed verification, so a flood of one forged value costs one verification', async () => {
    const byId: Record<string, string> = { 1: secretB };
    const codec = new IdCookieCodec({ currentId: '1', byId }, protection, 'sid');
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(generateSessionId());
    expect(await codec.decode(value)).toBeUndefined();
    byId[1] = secretA; // would now verify, if verified again
    expect(await codec.decode(value)).toBeUndefined();
  });
});

describe('IdCookieCodec (seal)', () => {
  it('hides the id inside the cookie value', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA }), 'seal', 'sid').encode(id);
    expect(value.startsWith('Fe26.2*1*')).toBe(true);
    expect(value).not.toContain(id);
  });

  it('refuses a genuine seal whose content is not a session id', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), 'seal', 'sid');
    for (const content of ['not-an-id', { id: generateSessionId() }, 42]) {
      const sealed = await seal(content, { id: '1', secret: secretA }, { ...ironDefaults, ttl: 0 });
      expect(await codec.decode(sealed)).toBeUndefined();
    }
  });

  it('refuses a genuine seal that carries an expiry in the past', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), 'seal', 'sid');
    const sealed = await seal(generateSessionId(), { id: '1', secret: secretA }, { ...ironDefaults, ttl: 1, localtimeOffsetMsec: -120_000 });
    expect(await codec.decode(sealed)).toBeUndefined();
  });
});

describe('IdCookieCodec (sign)', () => {
  it('carries the id, the secret id, a salt and a MAC, all cookie-safe', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA, 7: secretB }), 'sign', 'sid').encode(id);
    expect(value).toMatch(new RegExp(`^${id}\\.7\\.[0-9a-f]{64}\\.[A-Za-z0-9_-]{43}$`));
  });

  it('refuses a signature moved onto another id', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), 'sign', 'sid');
    const value = await codec.encode(generateSessionId());
    const other = generateSessionId();
    const verifier = new IdCookieCodec(ring({ 1: secretA }), 'sign', 'sid');
    expect(await verifier.decode(`${other}${value.slice(43)}`)).toBeUndefined();
  });

  it('refuses a value naming a secret id it does not hold', async () => {
    const value = await new IdCookieCodec(ring({ 1: secretA }), 'sign', 'sid').encode(generateSessionId());
    const codec = new IdCookieCodec(ring({ 2: secretA }), 'sign', 'sid');
    expect(await codec.decode(value)).toBeUndefined();
  });
});
