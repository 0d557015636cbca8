import { type DataOf, type Session, type SessionHandle, type SessionManager, type Settlement, settleRequest } from '@sess/core/adapter';
// Not `next/navigation(.js)`: Turbopack maps only the bare specifier to its server build, and Node's loader needs the extension.
import { unstable_rethrow } from 'next/dist/client/components/unstable-rethrow.js';
import { cookies, headers } from 'next/headers.js';
import { after } from 'next/server.js';
import { cache } from 'react';
import { managerAtFirstUse, type NextSessionsOptions } from './first-use';
import {
  AFTER_RESPONSE,
  asStoreError,
  controlFlowStatus,
  OPEN_OPTIONS,
  replacedResponse,
  type StoreErrorAnswer,
  sessionCookieHeader,
  sessionTooLarge,
  storeUnavailable,
  type TooLargeAnswer,
  withCommitHeaders,
} from './shared';

export type { NextSessionsOptions, NextSessionsStore } from './first-use';
export { type StoreErrorAnswer, sessionTooLarge, storeUnavailable, type TooLargeAnswer } from './shared';

/**
 * Your session's shape. Augment it to type every session this package hands out:
 *
 * @example
 * declare module '@sess/next' {
 *   interface SessionData { user: string; count: number }
 * }
 * const session = await sessions.read();
 * session.get('count'); // number | undefined
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface SessionData {}

/** Your flash messages' shape; augment it like `SessionData`. */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface FlashData {}

/** The data type sessions work with: your `SessionData`, or any storable value per key until you augment it. */
export type AppSessionData = DataOf<SessionData>;
/** The flash type sessions work with. */
export type AppFlashData = DataOf<FlashData>;
/** A loaded session, as Server Actions and Route Handlers get it. */
export type NextSession = Session<AppSessionData, AppFlashData>;
/** The lazy handle of one request; `await handle.load()` gives the `NextSession`. */
export type NextSessionHandle = SessionHandle<AppSessionData, AppFlashData>;

/** The calls a read-only session refuses: a Server Component cannot set the cookie they may need. */
export type SessionWriteMethod = 'set' | 'unset' | 'flash' | 'regenerate' | 'destroy' | 'rememberMe' | 'setUserId';
/**
 * The session of a Server Component: reads, flash messages (read once) and `touch()`.
 * Writes are compile errors here, and `SessionUsageError`s at run time.
 */
export type ReadonlyNextSession = Omit<NextSession, SessionWriteMethod>;

/** Options of `sessions.route()`. */
export interface RouteOptions {
  /** The answer to a store outage. @default storeUnavailable (503, `Retry-After: 2`, plain text) */
  onStoreError?: StoreErrorAnswer;
  /**
   * The answer to a session that grew over the store's size limit: the handler's answer is
   * replaced, since its write was refused. @default sessionTooLarge (413, plain text)
   */
  onSessionTooLarge?: TooLargeAnswer;
}

/** What `createSessions` returns: one object per app, imported wherever a session is needed. */
export interface NextSessions {
  /**
   * The session in a Server Component (or `generateMetadata`, a layout, a Route Handler
   * that only reads), loaded once per request. Never throws because of where it runs;
   * rejects only with the store's `SessionStoreError`. No cookie is ever written:
   * when a touch is due, the store-side expiry is extended through `after()`, after
   * the response. Reading a flash message consumes it the same way.
   */
  read(): Promise<ReadonlyNextSession>;
  /**
   * Wraps a Server Action: the handler gets the session handle first (`await session.load()`),
   * then the action's own arguments. The session is committed before the action returns, and a cookie is
   * set only when the browser must learn something new (a new session, `regenerate()`,
   * `destroy()`, remember-me switched, a rotated secret): a Server Action that only
   * changes session data sends no `Set-Cookie`, so Next does not re-render for it.
   * `redirect()` and `notFound()` inside the handler commit first, then propagate.
   */
  action<Args extends unknown[], Result>(
    handler: (session: NextSessionHandle, ...args: Args) => Promise<Result> | Result,
  ): (...args: Args) => Promise<Result>;
  /**
   * Wraps a Route Handler (Node.js or `runtime = 'edge'`): the handler gets the request,
   * the session handle (lazy: a request that never calls `load()` costs nothing) and the
   * route context, and returns a `Response`. The session is
   * committed before the response leaves, with `Set-Cookie`, `Vary: Cookie` and
   * `Cache-Control: private` added to it. A store outage (a `SessionStoreError` from
   * `load()` the handler did not catch, or from the commit) is answered with
   * `options.onStoreError`: by default a 503 with `Retry-After`. A commit refused for
   * size (`SessionTooLargeError`) is answered with `options.onSessionTooLarge`: by default
   * a plain 413.
   */
  route<Context = unknown>(
    handler: (request: Request, session: NextSessionHandle, context: Context) => Promise<Response> | Response,
    options?: RouteOptions,
  ): (request: Request, context: Context) => Promise<Response>;
  /** The session manager, for work outside a request: listing or revoking a user's sessions. */
  readonly manager: SessionManager<AppSessionData, AppFlashData>;
}

/**
 * Sessions for the Next.js App Router (15 and 16): `read()` in Server Components,
 * `action()` around Server Actions, `route()` around Route Handlers. For `proxy.ts`
 * use `@sess/next/proxy`, for the Pages Router `@sess/next/pages`; give them the same
 * `manager` so every context shares one store.
 *
 * Nothing is checked or created at import: `next build` imports every route module
 * without your runtime environment. The manager is made at the first request (or the
 * first call on `sessions.manager`), which is also when a mistake in the options throws
 * its `TypeError`. Next evaluates this module once per route bundle; with a `store`
 * function (called once per process) or the default memory store, every copy shares
 * one manager and one store, kept per cookie name for the process. Two calls for one
 * cookie name with different options throw in production.
 *
 * @param options the `@sess/core` manager options (`store` may be a function that makes
 *   it), or a `SessionManager` you made, used as it is.
 * @example
 * // lib/sessions.ts
 * export const sessions = createSessions({
 *   secret: process.env.SESSION_SECRET!,
 *   store: () => createRedisStore({ url: process.env.REDIS_URL! }),
 * });
 */
export function createSessions(options: NextSessionsOptions | SessionManager<AppSessionData, AppFlashData>): NextSessions {
  const manager = managerAtFirstUse<AppSessionData, AppFlashData>(options, 'createSessions()');

  // `cache` gives one handle per request (React's request scope), however many components read it.
  const readSession = cache(async function readSession(): Promise<ReadonlyNextSession> {
    const handle = manager.open(await requestCookieHeader(), { readOnly: true, afterResponse: AFTER_RESPONSE });
    // Sliding expiry without a cookie: the store record moves after the response.
    after(async function commitReadOnlySession() {
      await manager.commit(handle, { status: 200 });
    });
    return handle.load();
  });

  function action<Args extends unknown[], Result>(
    handler: (session: NextSessionHandle, ...args: Args) => Promise<Result> | Result,
  ): (...args: Args) => Promise<Result> {
    return async function sessionAction(...args: Args): Promise<Result> {
      const handle = manager.open(await requestCookieHeader(), OPEN_OPTIONS);
      const jar = await cookies();
      let result: Result;
      try {
        result = await handler(handle, ...args);
      } catch (error) {
        const settled = await settleThrown(handle, error);
        if (settled.send === 'error') throw settled.error;
        for (const { name, value, options } of settled.commit.cookies) jar.set(name, value, options);
        throw error;
      }
      const settled = await settleRequest(manager, handle, { status: 200 });
      // The action's caller gets the store's error, not a result whose write was lost.
      if (settled.send === 'error') throw settled.error;
      // Only when the browser must learn something: any cookie write makes Next re-render the page.
      for (const { name, value, options } of settled.commit.cookies) jar.set(name, value, options);
      return result;
    };
  }

  /** The raw Cookie header, unless this request already changed the session cookie (see `sessionCookieHeader`). */
  async function requestCookieHeader(): Promise<string | null> {
    const [headerList, jar] = await Promise.all([headers(), cookies()]);
    return sessionCookieHeader(headerList.get('cookie'), jar.getAll(), manager.cookieName);
  }

  function route<Context = unknown>(
    handler: (request: Request, session: NextSessionHandle, context: Context) => Promise<Response> | Response,
    options: RouteOptions = {},
  ): (request: Request, context: Context) => Promise<Response> {
    const answers = {
      onStoreError: options.onStoreError ?? storeUnavailable,
      onSessionTooLarge: options.onSessionTooLarge ?? sessionTooLarge,
    };
    return async function sessionRoute(request: Request, context: Context): Promise<Response> {
      const handle = manager.open(request.headers.get('cookie'), OPEN_OPTIONS);
      let response: Response;
      try {
        response = await handler(request, handle, context);
      } catch (error) {
        const settled = await settleThrown(handle, error);
        if (settled.send === 'error') return replacedResponse(settled, request, answers);
        // `redirect()`/`notFound()` build their response inside Next: cookies can only go through `cookies()`.
        if (settled.commit.cookies.length > 0) {
          const jar = await cookies();
          for (const { name, value, options } of settled.commit.cookies) jar.set(name, value, options);
        }
        const storeError = asStoreError(error);
        if (storeError === undefined) throw error;
        return answers.onStoreError(storeError, request);
      }
      const settled = await settleRequest(manager, handle, { status: response.status });
      if (settled.send === 'error') return replacedResponse(settled, request, answers);
      return withCommitHeaders(response, settled.commit);
    };
  }

  /**
   * Settles a handler that threw. Next's control flow (`redirect()`, `notFound()`) is an
   * answer, not a failure: it settles with the status it stands for, so a redirect whose
   * write failed becomes the store's error. A real error settles as that error: a 5xx
   * persists nothing, a 4xx persists like any 4xx answer, and a commit failing under it
   * goes to the manager's `onError`.
   */
  function settleThrown(handle: NextSessionHandle, error: unknown): Promise<Settlement> {
    const status = controlFlowStatus(error, isNextControlFlow);
    return settleRequest(manager, handle, status === undefined ? { error } : { status });
  }

  return { read: readSession, action, route, manager };
}

/** `true` for the errors Next throws on purpose (redirect, notFound, dynamic bailouts). */
function isNextControlFlow(error: unknown): boolean {
  try {
    unstable_rethrow(error);
    return false;
  } catch {
    return true;
  }
}
