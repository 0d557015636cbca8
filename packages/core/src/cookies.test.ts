import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CookieOptions, clearingCookie, outgoingCookie, parseCookies, readCookie, resolveCookie, serializeCookie } from './cookies';

const PACKAGE = '@sess/test';

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
