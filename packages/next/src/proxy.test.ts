import { createMemoryStore, createSessionManager, type SessionStore } from '@sess/core';
import { cookieHeaderOf, cookiePairOf, isCookieDeletion } from '@sess/core/testing';
import { NextRequest, NextResponse } from 'next/server';
import { describe, expect, it } from 'vitest';
import { type AppFlashData, type AppSessionData, createSessions } from './index';
import { createSessionProxy } from './proxy';

const OLD_SECRET = 'next-proxy-old-secret-0123456789abcdef012345';
const NEW_SECRET = 'next-proxy-new-secret-0123456789abcdef012345';

/** A signed-in session's cookie, written by a Route Handler of the same app. */
async function signedInCookie(store: SessionStore, secret: string | Record<string, string> = OLD_SECRET): Promise<string> {
  const login = createSessions({ secret, store }).route(async (_request, handle) => {
    (await handle.load()).set('user', 'ann');
    return new Response('ok');
  });
  const response = await login(new Request('http://next.test/login', { method: 'POST' }), {});
  return cookieHeaderOf(response)!;
}

const guard = (session: { has(key: 'user'): boolean }, request: NextRequest) =>
  session.has('user') ? undefined : NextResponse.redirect(new URL('/', request.url), 303);

describe('createSessionProxy()', () => {
  it('redirects a signed-out visitor, with no cookie', async () => {
    const withSession = createSessionProxy({ secret: OLD_SECRET, store: createMemoryStore() });
    const response = await withSession(new NextRequest('http://next.test/account'), guard);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('http://next.test/');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('lets a signed-in user through, changing neither the request nor the cookie', async () => {
    const store = createMemoryStore();
    const cookie = await signedInCookie(store);
    const withSession = createSessionProxy({ secret: OLD_SECRET, store });
    const response = await withSession(new NextRequest('http://next.test/account', { headers: { cookie } }), guard);
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('re-issues a cookie under a rotated secret on the response and on the request this render reads', async () => {
    const store = createMemoryStore();
    const cookie = await signedInCookie(store);
    const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: { 1: OLD_SECRET, 2: NEW_SECRET }, store });
    const withSession = createSessionProxy(manager);
    const response = await withSession(new NextRequest('http://next.test/account', { headers: { cookie } }), guard);

    const [setCookie, ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    const fresh = cookieHeaderOf([setCookie!])!;
    expect(fresh).not.toBe(cookie);
    expect(response.headers.get('x-middleware-next')).toBe('1');
    // vercel/next.js#71110: Next hands the page the overridden request header.
    expect(response.headers.get('x-middleware-override-headers')).toContain('cookie');
    expect(response.headers.get('x-middleware-request-cookie')).toContain(fresh);

    // The new cookie opens the same session with the new secret alone.
    const later = createSessionProxy({ secret: { 2: NEW_SECRET }, store });
    const next = await later(new NextRequest('http://next.test/account', { headers: { cookie: fresh } }), guard);
    expect(next.headers.get('x-middleware-next')).toBe('1');
  });

  it('leaves Server Action POSTs alone, without loading the session', async () => {
    let loads = 0;
    const store = createMemoryStore();
    const counting: SessionStore = {
      ...store,
      get: (key) => {
        loads++;
        return store.get(key);
      },
    };
    const withSession = createSessionProxy({ secret: OLD_SECRET, store: counting });
    const response = await withSession(
      new NextRequest('http://next.test/account', { method: 'POST', headers: { 'next-action': 'abc123', cookie: 'sid=x' } }),
      guard,
    );
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(loads).toBe(0);
  });

  it('clears an unknown session cookie on the response and drops it from the request', async () => {
    // Signed in against another store: this app's store does not know the session.
    const cookie = await signedInCookie(createMemoryStore());
    const withSession = createSessionProxy({ secret: OLD_SECRET, store: createMemoryStore() });
    const response = await withSession(
      new NextRequest('http://next.test/', { headers: { cookie: `${cookie}; theme=dark` } }),
      () => undefined,
    );
    const [clearing = ''] = response.headers.getSetCookie();
    expect(cookiePairOf(clearing).name).toBe('sid');
    expect(isCookieDeletion(clearing)).toBe(true);
    const forwarded = response.headers.get('x-middleware-request-cookie') ?? '';
    expect(forwarded).not.toContain('sid=');
    expect(forwarded).toContain('theme=dark');
  });

  it('takes the first of two session cookies, as Route Handlers and every other adapter do', async () => {
    const store = createMemoryStore();
    const victim = await signedInCookie(store);
    const attacker = await signedInCookie(store);
    const users: (string | undefined)[] = [];
    const withSession = createSessionProxy({ secret: OLD_SECRET, store });
    await withSession(new NextRequest('http://next.test/account', { headers: { cookie: `${victim}; ${attacker}` } }), (session) => {
      users.push(session.key);
      return undefined;
    });
    const keyOf = async (cookie: string) => {
      let key: string | undefined;
      await withSession(new NextRequest('http://next.test/account', { headers: { cookie } }), (session) => {
        key = session.key;
        return undefined;
      });
      return key;
    };
    expect(users).toEqual([await keyOf(victim)]);
    expect(users).not.toEqual([await keyOf(attacker)]);
  });

  it('answers a store outage with 503 and Retry-After (or onStoreError), never a thrown 500', async () => {
    const down = () => Promise.reject(new Error('down'));
    const store: SessionStore = { get: down, set: down, destroy: down };
    const cookie = await signedInCookie(createMemoryStore());
    const request = () => new NextRequest('http://next.test/account', { headers: { cookie } });
    const response = await createSessionProxy({ secret: OLD_SECRET, store })(request(), guard);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    const custom = createSessionProxy({ secret: OLD_SECRET, store }, { onStoreError: () => new Response('down for now', { status: 503 }) });
    expect(await (await custom(request(), guard)).text()).toBe('down for now');
  });

  it("keeps a 4xx the proxy answered when the write under it fails, reporting the store's error through onError", async () => {
    const down = () => Promise.reject(new Error('the store refuses writes'));
    const reported: Error[] = [];
    const store: SessionStore = { get: async () => undefined, set: down, destroy: down };
    const withSession = createSessionProxy({ secret: NEW_SECRET, store, onError: (error) => reported.push(error) });
    const response = await withSession(new NextRequest('http://next.test/account'), (session) => {
      session.set('user', 'ann');
      return new Response('no', { status: 403 });
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(reported).toEqual([expect.objectContaining({ name: 'SessionStoreError' })]);
  });
});
