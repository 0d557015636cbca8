import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, isSessionUsageError, type SessionManagerOptions, type SessionStore } from '../index';
import type { SessionHandle } from '../manager';
import { SessionTooLargeError } from '../store';
import type { JsonValue } from '../values';
import { describeCommitFailures } from './adapter-conformance-failures';
import { CookieJar, isCookieDeletion } from './cookie-jar';

/*
 * The behaviour every framework adapter must show, checked over real requests.
 *
 * The suite owns the routes: an adapter's test app installs its session middleware,
 * then hands every request to `handleConformanceRequest` and translates the reply
 * into the framework's response (JSON, redirect, streamed body) or lets the thrown
 * error reach the framework's error handling. So the route logic is shared, and
 * what differs between adapters is only what the adapter itself must translate.
 */

/** A session handle as the conformance routes use it (`req.session`, `ctx.session`, `c.var.session`). */
export type ConformanceSession = SessionHandle<Record<string, JsonValue>, Record<string, JsonValue>>;

/** What a conformance route asks the framework to answer. */
export type ConformanceReply =
  | { kind: 'json'; status: number; headers: Record<string, string>; body: unknown }
  | { kind: 'redirect'; location: string }
  | { kind: 'stream'; chunks: AsyncIterable<string> };

/** A running app under test: reached over HTTP (`baseUrl`) or in-process (`request`). */
export type ConformanceServer = { close(): Promise<void> } & (
  | { baseUrl: string }
  | { request(path: string, init: RequestInit): Promise<Response> }
);

/** Options of `describeAdapterConformance`. */
export interface AdapterConformanceOptions<Store extends SessionStore = SessionStore> {
  /**
   * Starts an app: the adapter's session middleware built from `options`, then a
   * handler that passes each request to `handleConformanceRequest` and answers with
   * its reply (404 when it resolves `undefined`). A thrown error must reach the
   * framework's error handling, which answers with the error's 4xx/5xx `status`, else 500.
   */
  start(options: SessionManagerOptions): Promise<ConformanceServer>;
  /**
   * The store the sessions live in; called before each test. The suite also reads it
   * directly, to check what was persisted.
   * @default createMemoryStore
   */
  createStore?: () => Store | Promise<Store>;
  /** Releases what `createStore` made (keys under a test prefix, a connection), after each test. */
  cleanup?: (store: Store) => Promise<void> | void;
}

const HOUR_MS = 60 * 60 * 1000;
const COOKIE_NAME = 'conformance.sid';
const SECRET = 'conformance-secret-conformance-secret-0123456789';
/** How long the deliberately slow store holds each write: longer than a loopback round trip. */
const SLOW_WRITE_MS = 100;
/** The store time bound of most tests: far above any real answer on a busy 2-core machine. */
const STORE_TIMEOUT_MS = 5000;
/** The store time bound of the tests whose store never answers. */
const HANGING_STORE_TIMEOUT_MS = 200;
/** A store that never answers must produce an error response within this bound. */
const ERROR_RESPONSE_BOUND_MS = 2500;
/** The sizes the size-limited test store accepts. */
const SIZE_LIMIT_BYTES = 1024;

/** What the last write after a commit did (`POST /late`, `GET /late`); module state, so any adapter in this process shares it. */
let lateWriteOutcome: 'pending' | 'returned' | 'threw' | 'other error' = 'pending';
/** What the suite's managers reported through `onError`. */
const reported: Error[] = [];

/**
 * Answers one request of the conformance route contract, or resolves `undefined`
 * when no route matches. `url` is the request target (path and query). Values travel
 * JSON-encoded in the query string, so no body parser is needed:
 *
 * | route                              | does                                                       |
 * | ---------------------------------- | ---------------------------------------------------------- |
 * | GET  /                             | answers without using the session                          |
 * | GET  /get/:key                     | `{ value }` (null when unset)                              |
 * | GET  /vary/:key                    | same, and the reply sets `Vary: Accept-Encoding` itself    |
 * | GET  /meta                         | `{ id, key, isNew, persistent }`                           |
 * | POST /set/:key?value=              | sets the key                                               |
 * | POST /remember, /forget            | turns remember-me on / off                                 |
 * | POST /regenerate, /destroy         | the session call of that name                              |
 * | POST /flash?value=, GET /flash     | sets / reads once the flash `notice`                       |
 * | POST /throw/:status/:key?value=    | sets the key, then throws an error with that status (`none`: no status) |
 * | POST /fail-5xx/:key?value=         | sets the key, then answers 500                             |
 * | POST /login?user=                  | regenerates, sets `user`, then redirects to /get/user      |
 * | POST /stream/:key?value=           | sets the key, then answers with a streamed body            |
 * | POST /unawaited/:key?value=        | answers at once; sets the key when a load it did not await resolves |
 * | POST /late/:key?value=, GET /late  | answers, then sets the key from a timer / whether that late write returned or threw |
 */
export async function handleConformanceRequest(
  anyHandle: { load(): Promise<object> },
  method: string,
  url: string,
): Promise<ConformanceReply | undefined> {
  // Any adapter's handle fits, whatever the app declared: the routes use keys of their own.
  const handle = anyHandle as ConformanceSession;
  const { pathname, searchParams } = new URL(url, 'http://conformance.test');
  const [, action = '', key = '', third = ''] = pathname.split('/').map(decodeURIComponent);
  const value = () => JSON.parse(searchParams.get('value') ?? 'null') as JsonValue;
  const ok = (body: unknown = { ok: true }, status = 200, headers: Record<string, string> = {}): ConformanceReply => ({
    kind: 'json',
    status,
    headers,
    body,
  });

  if (method === 'GET') {
    switch (action) {
      case '':
        return ok({ ok: true, sessionUsed: false });
      case 'get':
        return ok({ value: (await handle.load()).get(key) ?? null });
      case 'vary':
        return ok({ value: (await handle.load()).get(key) ?? null }, 200, { Vary: 'Accept-Encoding' });
      case 'meta': {
        const session = await handle.load();
        return ok({ id: session.id, key: session.key, isNew: session.isNew, persistent: session.persistent });
      }
      case 'flash':
        return ok({ value: (await handle.load()).getFlash('notice') ?? null });
      case 'late':
        return ok({ outcome: lateWriteOutcome });
    }
  }
  if (method === 'POST') {
    switch (action) {
      case 'set':
        (await handle.load()).set(key, value());
        return ok();
      case 'remember':
        (await handle.load()).rememberMe(true);
        return ok();
      case 'forget':
        (await handle.load()).rememberMe(false);
        return ok();
      case 'regenerate':
        (await handle.load()).regenerate();
        return ok();
      case 'destroy':
        (await handle.load()).destroy();
        return ok();
      case 'flash':
        (await handle.load()).flash('notice', value());
        return ok();
      case 'throw': {
        (await handle.load()).set(third, value());
        const error = new Error(`conformance: the handler failed on purpose (${key})`);
        throw key === 'none' ? error : Object.assign(error, { status: Number(key), expose: true });
      }
      case 'fail-5xx':
        (await handle.load()).set(key, value());
        return ok({ ok: false }, 500);
      case 'login': {
        const session = await handle.load();
        session.regenerate();
        session.set('user', searchParams.get('user'));
        return { kind: 'redirect', location: '/get/user' };
      }
      case 'stream':
        (await handle.load()).set(key, value());
        return { kind: 'stream', chunks: slowChunks(['one ', 'two ', 'three']) };
      case 'unawaited': {
        const write = value();
        // Forgetting the await on load(): the commit still waits for it and keeps the write.
        void handle.load().then((session) => session.set(key, write));
        return ok();
      }
      case 'late': {
        const session = await handle.load();
        const write = value();
        lateWriteOutcome = 'pending';
        setTimeout(() => {
          try {
            session.set(key, write);
            lateWriteOutcome = 'returned';
          } catch (error) {
            lateWriteOutcome = isSessionUsageError(error) ? 'threw' : 'other error';
          }
        }, 20);
        return ok();
      }
    }
  }
  return undefined;
}

async function* slowChunks(chunks: string[]): AsyncIterable<string> {
  for (const chunk of chunks) {
    yield chunk;
    // Let each chunk leave on its own, as a real stream would.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Defines a vitest suite that checks a framework adapter against the behaviour
 * every sess adapter must show. Run it once per framework version and store.
 *
 * @example
 * // adapter-conformance.test.ts: the suite against @sess/express on a loopback port
 * import { createServer } from 'node:http';
 * import type { AddressInfo } from 'node:net';
 * import { describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
 * import { session } from '@sess/express';
 * import express from 'express';
 *
 * describeAdapterConformance('@sess/express', {
 *   async start(options) {
 *     const app = express();
 *     app.use(session(options));
 *     app.use(async (req, res, next) => {
 *       try {
 *         const reply = await handleConformanceRequest(req.session, req.method, req.originalUrl);
 *         if (reply === undefined) return next();
 *         if (reply.kind === 'json') res.status(reply.status).set(reply.headers).json(reply.body);
 *         else if (reply.kind === 'redirect') res.redirect(reply.location);
 *         else {
 *           res.type('text/plain');
 *           for await (const chunk of reply.chunks) res.write(chunk);
 *           res.end();
 *         }
 *       } catch (error) {
 *         next(error); // Express's error handler answers with the error's status
 *       }
 *     });
 *     const server = createServer(app);
 *     await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
 *     return {
 *       baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
 *       close: () =>
 *         new Promise<void>((resolve) => {
 *           server.close(() => resolve());
 *           server.closeAllConnections(); // kept-alive connections would hold close() open
 *         }),
 *     };
 *   },
 * });
 */
export function describeAdapterConformance<Store extends SessionStore>(name: string, options: AdapterConformanceOptions<Store>): void {
  const { start, cleanup } = options;
  const createStore = options.createStore ?? (() => createMemoryStore() as Store);
  if (typeof start !== 'function') {
    throw new TypeError('@sess/core: describeAdapterConformance needs a `start` function.');
  }

  describe(`${name}: adapter conformance`, () => {
    let store: Store;
    let nowMs: number;
    const servers: ConformanceServer[] = [];

    beforeEach(async () => {
      store = await createStore();
      nowMs = Date.now();
    });
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.close()));
      await cleanup?.(store);
    });

    /** Starts an app on `store` (or another store) with the suite's clock and secret. */
    async function app(overrides: Partial<SessionManagerOptions> = {}): Promise<Browser> {
      const server = await start({
        secret: SECRET,
        store,
        cookie: { name: COOKIE_NAME },
        storeTimeoutMs: STORE_TIMEOUT_MS,
        now: () => nowMs,
        onError: (error) => reported.push(error),
        ...overrides,
      });
      servers.push(server);
      return new Browser(server);
    }

    /** The request status and how many Set-Cookie headers it carried. */
    async function statusAndCookies(res: Response): Promise<[number, number]> {
      await res.arrayBuffer();
      return [res.status, res.headers.getSetCookie().length];
    }

    describeCommitFailures({ app, store: () => store, reported });

    describe('cookies', () => {
      it('leaves a response that never used the session alone', async () => {
        const browser = await app();
        const res = await browser.get('/');
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(varyOf(res)).not.toContain('cookie');
      });

      it('sets no cookie for a new session until data is set', async () => {
        const browser = await app();
        const read = await browser.get('/get/user');
        expect(await read.json()).toEqual({ value: null });
        expect(read.headers.getSetCookie()).toEqual([]);

        const write = await browser.post('/set/user?value="alice"');
        expect(write.status).toBe(200);
        const [setCookie, ...others] = write.headers.getSetCookie();
        expect(others).toEqual([]);
        expect(setCookie).toMatch(new RegExp(`^${escapeRegExp(COOKIE_NAME)}=[^;]+`));
        expect(setCookie).toMatch(/;\s*HttpOnly/i);
        expect(setCookie).toMatch(/;\s*Path=\//i);
        expect(setCookie).toMatch(/;\s*SameSite=Lax/i);

        const meta = await (await browser.get('/meta')).json();
        expect((await store.get(meta.key))?.data).toEqual({ user: 'alice' });
      });

      it('reads back on the next request what a request set', async () => {
        const browser = await app();
        await browser.post('/set/cart?value={"items":[1,2]}');
        expect(await (await browser.get('/get/cart')).json()).toEqual({ value: { items: [1, 2] } });
      });

      it('sends no Set-Cookie for an unmodified session that is not due a touch', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        nowMs += 60_000;
        const res = await browser.get('/get/user');
        expect(await res.json()).toEqual({ value: 'alice' });
        expect(res.headers.getSetCookie()).toEqual([]);
      });

      it('extends an unmodified session once it is due a touch', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const { key } = await (await browser.get('/meta')).json();
        const before = await store.get(key);

        // The default idle window is a day, touched once a fifth of it has passed.
        nowMs += 5 * HOUR_MS;
        const res = await browser.get('/get/user');
        expect(await res.json()).toEqual({ value: 'alice' });
        // A browser-session cookie has no lifetime to move: only the store record moves.
        expect(res.headers.getSetCookie()).toEqual([]);
        const after = await store.get(key);
        expect(after?.expiresAtMs).toBeGreaterThan(before!.expiresAtMs);
        expect(after?.data).toEqual({ user: 'alice' });
      });

      it('gives a remember-me cookie a Max-Age that runs to the absolute deadline', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const remembered = await browser.post('/remember');
        const [cookie, ...others] = remembered.headers.getSetCookie();
        expect(others).toEqual([]);
        // The default remember-me absolute timeout: 90 days.
        expect(Number(/;\s*Max-Age=(\d+)/i.exec(cookie ?? '')?.[1])).toBeCloseTo(90 * 24 * 3600, -2);
      });

      it('sends no Set-Cookie for 50 modifying requests of a remember-me session, touches included', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        await browser.post('/remember');
        const { key } = await (await browser.get('/meta')).json();
        const before = await store.get(key);
        let withCookie = 0;
        for (let i = 0; i < 50; i++) {
          // Four hours apart: the idle deadline moves with each write, and touches come due.
          nowMs += 4 * HOUR_MS;
          const res = await browser.post(`/set/n?value=${i}`);
          expect(res.status).toBe(200);
          if (res.headers.getSetCookie().length > 0) withCookie++;
        }
        expect(withCookie).toBe(0);
        const after = await store.get(key);
        expect(after?.data).toEqual({ user: 'alice', n: 49 });
        expect(after!.expiresAtMs).toBeGreaterThan(before!.expiresAtMs);
      });

      it('does not re-send a remember-me cookie when a touch moves the idle deadline', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        await browser.post('/remember');
        const { key } = await (await browser.get('/meta')).json();
        const before = await store.get(key);

        // Past a fifth of the 30-day remember-me idle window: a touch is due.
        nowMs += 7 * 24 * HOUR_MS;
        const touched = await browser.get('/get/user');
        expect(await touched.json()).toEqual({ value: 'alice' });
        expect(touched.headers.getSetCookie()).toEqual([]);
        expect((await store.get(key))!.expiresAtMs).toBeGreaterThan(before!.expiresAtMs);
      });

      it('re-sends the cookie when remember-me is switched off', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        await browser.post('/remember');
        const res = await browser.post('/set/user?value="bob"');
        expect(res.headers.getSetCookie()).toEqual([]);
        const off = await browser.post('/forget');
        const [cookie, ...others] = off.headers.getSetCookie();
        expect(others).toEqual([]);
        expect(cookie).not.toMatch(/Max-Age/i);
        expect(await (await browser.get('/meta')).json()).toMatchObject({ persistent: false });
      });

      it('adds Vary: Cookie to every response that read the session, keeping the Vary the app set', async () => {
        const browser = await app();
        expect(varyOf(await browser.get('/get/user'))).toContain('cookie');
        await browser.post('/set/user?value="alice"');
        expect(varyOf(await browser.get('/get/user'))).toContain('cookie');
        const both = varyOf(await browser.get('/vary/user'));
        expect(both).toContain('cookie');
        expect(both).toContain('accept-encoding');
      });

      it('keeps a response that sets a cookie out of shared caches', async () => {
        const browser = await app();
        const res = await browser.post('/set/user?value="alice"');
        expect(res.headers.get('cache-control')).toMatch(/private|no-store/i);
      });

      it('keeps a response that shows a stored session out of shared caches, and leaves an anonymous one alone', async () => {
        const browser = await app();
        const anonymous = await browser.get('/get/user');
        expect(anonymous.headers.get('cache-control') ?? '').not.toMatch(/private/i);
        await browser.post('/set/user?value="alice"');
        const signedIn = await browser.get('/get/user');
        expect(signedIn.headers.getSetCookie()).toEqual([]);
        expect(signedIn.headers.get('cache-control')).toMatch(/private|no-store/i);
      });
    });

    describe('regenerate and destroy', () => {
      it('regenerate() issues a new id, keeps the data and kills the old id', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const old = await (await browser.get('/meta')).json();
        const oldCookie = browser.cookie;

        const res = await browser.post('/regenerate');
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie()).toHaveLength(1);
        expect(browser.cookie).not.toBe(oldCookie);

        const fresh = await (await browser.get('/meta')).json();
        expect(fresh.id).not.toBe(old.id);
        expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
        expect(await store.get(old.key)).toBeUndefined();
        expect((await store.get(fresh.key))?.data).toEqual({ user: 'alice' });

        const replay = await browser.get('/get/user', { cookie: oldCookie });
        expect(await replay.json()).toEqual({ value: null });
      });

      it('destroy() clears the cookie and the store entry', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const { key } = await (await browser.get('/meta')).json();
        const oldCookie = browser.cookie;

        const res = await browser.post('/destroy');
        expect(res.status).toBe(200);
        const [clearing, ...others] = res.headers.getSetCookie();
        expect(others).toEqual([]);
        expect(isCookieDeletion(clearing!)).toBe(true);
        expect(browser.cookie).toBeUndefined();
        expect(await store.get(key)).toBeUndefined();

        expect(await (await browser.get('/get/user', { cookie: oldCookie })).json()).toEqual({ value: null });
      });

      it('keeps the sign-in of a regenerate() followed by a write, and kills the old id', async () => {
        const browser = await app();
        await browser.post('/set/cart?value=3');
        const oldCookie = browser.cookie;
        const res = await browser.post('/login?user=alice');
        expect(res.headers.getSetCookie()).toHaveLength(1);
        expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
        expect(await (await browser.get('/get/cart')).json()).toEqual({ value: 3 });
        expect(await (await browser.get('/get/cart', { cookie: oldCookie })).json()).toEqual({ value: null });
      });

      it('gives a flash message to the next request only', async () => {
        const browser = await app();
        await browser.post('/flash?value="saved"');
        expect(await (await browser.get('/flash')).json()).toEqual({ value: 'saved' });
        expect(await (await browser.get('/flash')).json()).toEqual({ value: null });
      });
    });

    describe('untrusted cookies', () => {
      it('answers a tampered cookie with a fresh anonymous session', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const cookie = browser.cookie!;
        const last = cookie.at(-1) === 'A' ? 'B' : 'A';
        const tampered = `${cookie.slice(0, -1)}${last}`;

        const res = await browser.get('/meta', { cookie: tampered });
        expect(await res.json()).toMatchObject({ isNew: true });
        expect(await (await browser.get('/get/user', { cookie: tampered })).json()).toEqual({ value: null });
      });

      it('answers an unknown cookie with a fresh anonymous session and clears it', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const { key } = await (await browser.get('/meta')).json();
        await store.destroy(key);

        const res = await browser.get('/get/user');
        expect(await res.json()).toEqual({ value: null });
        const setCookies = res.headers.getSetCookie();
        expect(setCookies).toHaveLength(1);
        expect(isCookieDeletion(setCookies[0]!)).toBe(true);
      });

      it('answers a cookie of another name or shape like no cookie at all', async () => {
        const browser = await app();
        const res = await browser.get('/get/user', { cookie: 'not-a-session-id' });
        expect(await res.json()).toEqual({ value: null });
        const other = await browser.get('/get/user', { header: `other=1; ${COOKIE_NAME}=%%%` });
        expect(other.status).toBe(200);
      });
    });

    describe('failures', () => {
      for (const status of ['none', 500] as const) {
        it(`persists nothing and sets no cookie when the handler throws ${status === 'none' ? 'an error without a status' : `a ${status}`}`, async () => {
          const browser = await app();
          const fresh = await browser.post(`/throw/${status}/user?value="mallory"`);
          expect(await statusAndCookies(fresh)).toEqual([500, 0]);

          await browser.post('/set/user?value="alice"');
          const failed = await browser.post(`/throw/${status}/user?value="mallory"`);
          expect(await statusAndCookies(failed)).toEqual([500, 0]);
          expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
        });
      }

      for (const status of [400, 409] as const) {
        it(`persists the writes of a handler that throws a ${status}, like any ${status} answer`, async () => {
          const browser = await app();
          const fresh = await browser.post(`/throw/${status}/notice?value="fix the form"`);
          expect(await statusAndCookies(fresh)).toEqual([status, 1]);
          expect(await (await browser.get('/get/notice')).json()).toEqual({ value: 'fix the form' });

          const again = await browser.post(`/throw/${status}/notice?value="still wrong"`);
          expect(await statusAndCookies(again)).toEqual([status, 0]);
          expect(await (await browser.get('/get/notice')).json()).toEqual({ value: 'still wrong' });
        });
      }

      it('answers 413 when the session grows past the store size limit, and keeps the session as it was', async () => {
        const browser = await app({ store: sizeLimited(store) });
        await browser.post('/set/user?value="alice"');
        const res = await browser.post(`/set/blob?value="${'x'.repeat(SIZE_LIMIT_BYTES)}"`);
        expect(res.status).toBe(413);
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
        expect(await (await browser.get('/get/blob')).json()).toEqual({ value: null });
      });

      it('persists nothing when the handler answers 5xx', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        const res = await browser.post('/fail-5xx/user?value="mallory"');
        expect(res.status).toBe(500);
        expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
      });

      it('answers 5xx instead of the handler response when the store rejects a write', async () => {
        const browser = await app({ store: rejectingStore() });
        const res = await browser.post('/set/user?value="alice"');
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.status).toBeLessThan(600);
        expect(res.headers.getSetCookie()).toEqual([]);
      });

      it('answers 5xx within a bound when the store never answers a write', async () => {
        const browser = await app({ store: hangingStore(), storeTimeoutMs: HANGING_STORE_TIMEOUT_MS });
        const startedMs = performance.now();
        const res = await browser.post('/set/user?value="alice"', { signal: AbortSignal.timeout(5000) });
        expect(performance.now() - startedMs).toBeLessThan(ERROR_RESPONSE_BOUND_MS);
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.status).toBeLessThan(600);
      });

      it('answers 5xx within a bound when the store never answers a read', async () => {
        const healthy = await app();
        await healthy.post('/set/user?value="alice"');
        const hanging = await app({ store: hangingStore(), storeTimeoutMs: HANGING_STORE_TIMEOUT_MS });
        const startedMs = performance.now();
        const res = await hanging.get('/get/user', { cookie: healthy.cookie, signal: AbortSignal.timeout(5000) });
        expect(performance.now() - startedMs).toBeLessThan(ERROR_RESPONSE_BOUND_MS);
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.status).toBeLessThan(600);
      });
    });

    describe('commit point', () => {
      it('lets the request that follows a redirect see the write made before it', async () => {
        const browser = await app({ store: slowWrites(store) });
        const res = await browser.post('/login?user=alice');
        expect(res.status).toBe(302);
        expect(res.headers.getSetCookie()).toHaveLength(1);
        const location = new URL(res.headers.get('location')!, 'http://conformance.test');
        expect(location.pathname).toBe('/get/user');
        expect(await (await browser.get(location.pathname)).json()).toEqual({ value: 'alice' });
      });

      it('does not redirect when the write before the redirect fails', async () => {
        const browser = await app({ store: rejectingStore() });
        const res = await browser.post('/login?user=alice');
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.headers.get('location')).toBeNull();
      });

      it('commits before a streamed body starts', async () => {
        const browser = await app({ store: slowWrites(store) });
        const res = await browser.post('/stream/user?value="alice"');
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie()).toHaveLength(1);
        expect(await res.text()).toBe('one two three');
        expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
      });

      it('keeps a write made when a load the handler did not await resolves', async () => {
        const browser = await app({ store: slowWrites(store) });
        await browser.post('/set/user?value="alice"');
        const res = await browser.post('/unawaited/count?value=7');
        expect(res.status).toBe(200);
        expect(await (await browser.get('/get/count')).json()).toEqual({ value: 7 });
      });

      it('reports a write made after the commit through onError instead of throwing it into detached code or losing it quietly', async () => {
        const browser = await app();
        await browser.post('/set/user?value="alice"');
        reported.length = 0;
        const res = await browser.post('/late/user?value="mallory"');
        expect(res.status).toBe(200);
        await expect.poll(async () => (await (await browser.get('/late')).json()).outcome, { timeout: 2000 }).not.toBe('pending');
        expect((await (await browser.get('/late')).json()).outcome).toBe('returned');
        expect(reported).toEqual([expect.objectContaining({ name: 'SessionUsageError', reason: 'committed' })]);
        // The message names the adapter and, in its words, its own response call.
        expect(reported[0]!.message).toMatch(
          /^@sess\/[a-z]+: session\.set\(\) was called after the session of this request was already committed/,
        );
        expect(await (await browser.get('/get/user')).json()).toEqual({ value: 'alice' });
      });

      it('commits each of several concurrent requests of one session', async () => {
        const browser = await app();
        await browser.post('/set/a?value=0');
        await Promise.all(['b', 'c', 'd'].map((key) => browser.post(`/set/${key}?value=1`)));
        const values = await Promise.all(['a', 'b', 'c', 'd'].map(async (key) => (await browser.get(`/get/${key}`)).json()));
        expect(values).toEqual([{ value: 0 }, { value: 1 }, { value: 1 }, { value: 1 }]);
      });
    });
  });
}

interface BrowserRequestOptions {
  /** Send this cookie value instead of the jar's. */
  cookie?: string | undefined;
  /** Send this whole Cookie header instead of the jar's. */
  header?: string;
  signal?: AbortSignal;
}

/** A browser: keeps the cookies the app sets (in a `CookieJar`), never follows redirects. */
class Browser {
  readonly #jar = new CookieJar();
  readonly #server: ConformanceServer;

  constructor(server: ConformanceServer) {
    this.#server = server;
  }

  /** The session cookie's value, while the jar holds one. */
  get cookie(): string | undefined {
    return this.#jar.get(COOKIE_NAME);
  }

  get(path: string, options: BrowserRequestOptions = {}): Promise<Response> {
    return this.#send('GET', path, options);
  }

  post(path: string, options: BrowserRequestOptions = {}): Promise<Response> {
    return this.#send('POST', path, options);
  }

  async #send(method: string, path: string, options: BrowserRequestOptions): Promise<Response> {
    const headers = new Headers();
    const header =
      options.header ??
      ('cookie' in options ? (options.cookie === undefined ? undefined : `${COOKIE_NAME}=${options.cookie}`) : this.#jar.header());
    if (header !== undefined) headers.set('cookie', header);
    const init: RequestInit = { method, headers, redirect: 'manual' };
    if (options.signal) init.signal = options.signal;
    const server = this.#server;
    const res = 'baseUrl' in server ? await fetch(new URL(path, server.baseUrl), init) : await server.request(path, init);
    // A replayed or forged cookie must not change what the jar holds.
    if (!('cookie' in options) && options.header === undefined) this.#jar.update(res);
    return res;
  }
}

function varyOf(res: Response): string[] {
  return (res.headers.get('vary') ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A store whose every call rejects, as a backend that is down. */
function rejectingStore(): SessionStore {
  const down = () => Promise.reject(new Error('conformance: the store is down'));
  return { get: down, set: down, destroy: down, touch: down, update: down };
}

/** A store whose calls never settle, as a backend that stopped answering. */
function hangingStore(): SessionStore {
  const never = () => new Promise<never>(() => {});
  return { get: never, set: never, destroy: never, touch: never, update: never };
}

/** Refuses writes whose data serializes to more than `SIZE_LIMIT_BYTES`, as a store with a size limit does. */
function sizeLimited(store: SessionStore): SessionStore {
  const check = (data: unknown) => {
    const sizeBytes = new TextEncoder().encode(JSON.stringify(data)).length;
    if (sizeBytes > SIZE_LIMIT_BYTES) {
      throw new SessionTooLargeError('conformance', sizeBytes, SIZE_LIMIT_BYTES, 'Keep less in the session.');
    }
  };
  return {
    get: (key) => store.get(key),
    set: async (key, record) => {
      check(record.data);
      return store.set(key, record);
    },
    destroy: (key) => store.destroy(key),
    update: async (key, patch) => {
      const current = await store.get(key);
      check({ ...current?.data, ...patch.set });
      return store.update ? store.update(key, patch) : undefined;
    },
    touch: (key, meta) => (store.touch ? store.touch(key, meta) : Promise.resolve()),
  };
}

/** Delays every write, so a response sent before its write finished would be caught. */
function slowWrites(store: SessionStore): SessionStore {
  const later = <T>(write: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => setTimeout(() => write().then(resolve, reject), SLOW_WRITE_MS));
  const slow: SessionStore = {
    get: (key) => store.get(key),
    set: (key, record) => later(() => store.set(key, record)),
    destroy: (key) => later(() => store.destroy(key)),
  };
  if (store.touch) slow.touch = (key, meta) => later(() => store.touch!(key, meta));
  if (store.update) slow.update = (key, patch) => later(() => store.update!(key, patch));
  return slow;
}
