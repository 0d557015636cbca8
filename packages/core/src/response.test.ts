import { describe, expect, it } from 'vitest';
import { SessionStoreError, SessionTooLargeError, SessionUsageError, SessionValueError } from './errors';
import { type CommitResult, createSessionManager } from './manager';
import { applyCommitHeaders, privateCacheControl, statusOfError } from './response';

const result = (overrides: Partial<CommitResult>): CommitResult => ({
  setCookie: [],
  cookies: [],
  vary: false,
  private: false,
  ...overrides,
});

describe('applyCommitHeaders', () => {
  it('appends every Set-Cookie value, keeping the ones the handler set', () => {
    const headers = new Headers();
    headers.append('Set-Cookie', 'theme=dark');
    applyCommitHeaders(result({ setCookie: ['sid=1; Path=/', 'sid.0=; Max-Age=0'] }), headers);
    expect(headers.getSetCookie()).toEqual(['theme=dark', 'sid=1; Path=/', 'sid.0=; Max-Age=0']);
  });

  it('merges Cookie into Vary and makes a private response drop public and s-maxage', () => {
    const headers = new Headers({ Vary: 'Accept-Encoding', 'Cache-Control': 'public, max-age=60, s-maxage=600' });
    applyCommitHeaders(result({ setCookie: ['a=1', 'b=2'], vary: true, private: true }), headers);
    expect(headers.get('Vary')).toBe('Accept-Encoding, Cookie');
    expect(headers.get('Cache-Control')).toBe('private, max-age=60');
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it.each([
    [null, 'Cookie'],
    ['Accept-Encoding', 'Accept-Encoding, Cookie'],
    ['cookie', 'cookie'],
    ['Accept, COOKIE', 'Accept, COOKIE'],
    ['Origin,Cookie ,Accept', 'Origin,Cookie ,Accept'],
    ['*', '*'],
    ['X-Cookie-Consent', 'X-Cookie-Consent, Cookie'],
  ])('turns Vary %j into %j for a loaded session', (before, after) => {
    const headers = new Headers(before === null ? {} : { Vary: before });
    applyCommitHeaders(result({ vary: true }), headers);
    expect(headers.get('Vary')).toBe(after);
  });

  it('leaves Vary and Cache-Control alone for a request that never loaded the session', () => {
    const headers = new Headers({ 'Cache-Control': 'public, max-age=60' });
    applyCommitHeaders(result({}), headers);
    expect(headers.get('Vary')).toBeNull();
    expect(headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(headers.getSetCookie()).toEqual([]);
  });

  it('adds Vary but keeps a public Cache-Control when the loaded session is new and empty', () => {
    const headers = new Headers({ 'Cache-Control': 'public, max-age=60' });
    applyCommitHeaders(result({ vary: true }), headers);
    expect(headers.get('Vary')).toBe('Cookie');
    expect(headers.get('Cache-Control')).toBe('public, max-age=60');
  });

  it('writes what a real commit says onto any header object with get/set/append', async () => {
    const manager = createSessionManager({ secret: 'response-secret-response-secret-response' });
    const handle = manager.open(undefined);
    (await handle.load()).set('user', 'ann');
    const written: [string, string, string][] = [];
    const store = new Map<string, string>([['cache-control', 'public, s-maxage=300']]);
    applyCommitHeaders(await manager.commit(handle, { status: 200 }), {
      get: (name) => store.get(name.toLowerCase()),
      set: (name, value) => {
        written.push(['set', name, value]);
        store.set(name.toLowerCase(), value);
      },
      append: (name, value) => void written.push(['append', name, value]),
    });
    expect(written).toEqual([
      ['append', 'Set-Cookie', expect.stringMatching(/^sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/)],
      ['set', 'Vary', 'Cookie'],
      ['set', 'Cache-Control', 'private'],
    ]);
  });
});

describe('privateCacheControl', () => {
  it.each([
    [undefined, 'private'],
    [null, 'private'],
    ['', 'private'],
    ['public', 'private'],
    ['PUBLIC, Max-Age=60', 'private, Max-Age=60'],
    ['public, max-age=60, s-maxage=600', 'private, max-age=60'],
    ['s-maxage=600,  stale-while-revalidate=30', 'private, stale-while-revalidate=30'],
    ['no-cache', 'private, no-cache'],
    ['private, max-age=10', 'private, max-age=10'],
    ['Private', 'Private'],
    ['no-store', 'no-store'],
    ['public, no-store', 'no-store'],
  ])('turns Cache-Control %j into %j', (before, after) => {
    expect(privateCacheControl(before)).toBe(after);
  });
});

describe('statusOfError', () => {
  it.each<[string, unknown, number]>([
    ['a 4xx status', { status: 404 }, 404],
    ['a 5xx statusCode (http-errors, Koa)', { statusCode: 502 }, 502],
    ['status over statusCode', { status: 401, statusCode: 403 }, 401],
    ['statusCode when status is not a number', { status: 'teapot', statusCode: 418 }, 418],
    ['a SessionStoreError', new SessionStoreError('get', 'down'), 503],
    ['a SessionTooLargeError', new SessionTooLargeError('@sess/core', 2, 1, 'Store less.'), 413],
    ['a plain Error', new Error('boom'), 500],
    ['a SessionUsageError', new SessionUsageError('committed', 'late'), 500],
    ['a SessionValueError', new SessionValueError('k', 'value', 'is a function'), 500],
    ['a 2xx status, which is no error status', { status: 200 }, 500],
    ['a 3xx status', { status: 302 }, 500],
    ['a status past 599', { status: 600 }, 500],
    ['a fractional status', { status: 404.5 }, 500],
    ['a status given as a string', { status: '404' }, 500],
    ['null', null, 500],
    ['undefined', undefined, 500],
    ['a thrown string', 'oops', 500],
    ['a thrown number', 404, 500],
  ])('answers %s with its status or 500', (_, error, status) => {
    expect(statusOfError(error)).toBe(status);
  });
});

describe('a store failure answer', () => {
  it('tells clients and proxies when to retry through the error headers Koa and Express apply', () => {
    const error = new SessionStoreError('get', 'down');
    expect(error.headers).toEqual({ 'Retry-After': '2' });
  });
});
